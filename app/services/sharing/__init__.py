"""Indicator sharing: agreements, observations, statements, the quarterly sign-off, explanations."""
