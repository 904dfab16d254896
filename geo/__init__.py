"""Geography of the Leipziger Osten: boundary, geocoding, grids and hotspot statistics."""
