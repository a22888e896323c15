"""The Ometria connector: customers, products and orders pushed to Ometria's push API (formats.md §3, seed 002)."""
