"""trackbridge: a self-hosted hub joining website behaviour to CRM and e-commerce data."""

__version__ = "0.1.0"
