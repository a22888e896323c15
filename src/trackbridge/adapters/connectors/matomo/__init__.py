"""The Matomo connector: importing visits (Live API) and pushing server-side e-commerce (Tracking API)."""
