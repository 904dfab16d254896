"""Rendering for people outside the dashboard: the PDF handout, exports and the topic
palette."""
