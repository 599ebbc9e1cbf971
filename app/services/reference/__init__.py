"""Reference data: regions, industries, indicators."""
