"""Handlers of outbound jobs: each builds the HTTP clients of one connector kind and calls a service use case."""
