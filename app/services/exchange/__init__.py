"""Data in and out: spreadsheet imports and exports."""
