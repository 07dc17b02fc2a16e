"""Writes of the market app, one module per subject: keyword-only arguments, one transaction each."""
