"""The one place that reads settings.

Every setting is read from the environment (prefix ``TRACKBRIDGE_``) or a ``.env`` file, typed and validated when
:func:`load_settings` is called, never at import. ``docs/configuration.md`` documents each one;
a test keeps the two in step.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "dev", "development"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


class Settings(BaseSettings):
    """trackbridge's settings; see docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="TRACKBRIDGE_", env_file=".env", extra="ignore")

    env: Environment = Field(default=Environment.DEVELOPMENT, description="development, production or test.")
    data_dir: Path = Field(default=Path("./data"), description="Where the embedded database and local keys live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means the embedded SQLite file <data_dir>/trackbridge.db.",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the HTTP server listens on.")
    secret_key: str | None = Field(
        default=None,
        description="Server key that encrypts project signing secrets. Required in production; in development a random "
        "key is created in <data_dir>/secret.key.",
    )
    previous_secret_keys: list[str] = Field(
        default_factory=list,
        description="Older server keys still accepted for decryption while secrets are re-encrypted (JSON list).",
    )
    max_signed_body_bytes: int = Field(default=5 * 1024 * 1024, description="Largest signed API request body.")
    max_upload_bytes: int = Field(
        default=1024 * 1024 * 1024, ge=1, description="Largest CRM upload file (POST /api/v1/uploads); larger gets 413."
    )
    sqlite_synchronous: str = Field(default="FULL", description="SQLite synchronous pragma: FULL or NORMAL.")
    log_level: str = Field(default="INFO", description="Log level of the trackbridge loggers.")
    log_json: bool = Field(default=False, description="Write logs as JSON lines instead of text.")
    anonymize_ip: int = Field(
        default=2,
        ge=0,
        le=3,
        description="IP anonymisation: how many trailing IPv4 bytes are zeroed before an IP is stored (0 keeps it; "
        "IPv6 keeps the /64, /48 or /32). Geolocation uses the full address first.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="CIDR blocks of reverse proxies whose X-Forwarded-For is believed (JSON list); empty trusts none.",
    )
    geoip_database: Path | None = Field(
        default=None,
        description="Your own MaxMind-format (.mmdb) city or country database; when set it replaces the packaged "
        "DB-IP Lite database.",
    )
    count_headless_as_bot: bool = Field(
        default=False,
        description="Treat headless browsers (HeadlessChrome, PhantomJS) as bots and keep them out of sessions.",
    )
    outbox_max_attempts: int = Field(
        default=8, ge=1, le=100, description="Tries of an outbound job before it goes to the dead-letter list."
    )
    outbox_backoff_seconds: float = Field(
        default=5.0, ge=0, description="First retry delay of an outbound job; it doubles with each try (max 1 hour)."
    )
    outbox_lease_seconds: float = Field(
        default=300.0, gt=0, description="How long a worker holds a job before another worker may take it over."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr.strip(), strict=False)
            except ValueError as exc:
                raise ValueError(f"not an IP address or CIDR block: {cidr!r}") from exc
        return [cidr.strip() for cidr in value if cidr.strip()]

    @field_validator("sqlite_synchronous")
    @classmethod
    def _check_synchronous(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("must be FULL, NORMAL or EXTRA")
        return upper

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            if self.secret_key is None or self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError("TRACKBRIDGE_SECRET_KEY must be set to a real secret in production")
            if len(self.secret_key) < 16:
                raise ValueError("TRACKBRIDGE_SECRET_KEY must be at least 16 characters in production")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'trackbridge.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; keyword overrides win over the environment (tests use them)."""
    return Settings(**overrides)  # type: ignore[arg-type]
