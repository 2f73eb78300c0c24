"""Exchange formats: the GeoJSON directory and gazetteer files."""
