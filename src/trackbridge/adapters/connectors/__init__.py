"""Connectors to outside systems: each with client, mapping and settings (STYLE.md §10)."""
