"""Folium map builders for the dashboard: plain functions returning folium objects, so that
tests can inspect layers, feature counts and payload size without a browser."""
