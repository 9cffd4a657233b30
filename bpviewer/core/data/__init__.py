"""Data sets: presets, CSV files, derived features, splits."""
