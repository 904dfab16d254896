"""Reports of the Aktionsbündnis Leipziger Osten: model, store, importers and analytics."""
