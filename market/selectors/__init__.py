"""Reads and calculations of the market app, one module per subject (see STYLE.md)."""
