"""The webhook connector: customers, products and orders as signed JSON batches to any URL."""
