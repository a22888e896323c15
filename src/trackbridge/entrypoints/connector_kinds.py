"""The settings check of each connector kind (one line per kind)."""

from __future__ import annotations

from trackbridge.adapters.connectors.matomo import settings as matomo_settings
from trackbridge.adapters.connectors.ometria import settings as ometria_settings
from trackbridge.adapters.connectors.webhook import settings as webhook_settings
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.outbound import ConnectorKind
from trackbridge.services.connectors import SettingsParser


def settings_parsers() -> dict[ConnectorKind, SettingsParser]:
    parsers: dict[ConnectorKind, SettingsParser] = {}
    parsers[ConnectorKind.MATOMO] = matomo_settings.parse_settings
    parsers[ConnectorKind.OMETRIA] = ometria_settings.parse_settings
    parsers[ConnectorKind.WEBHOOK] = webhook_settings.parse_settings
    return parsers


def parser_for(kind: ConnectorKind) -> SettingsParser:
    parser = settings_parsers().get(kind)
    if parser is None:
        raise InvalidInput(f"connectors of kind {kind.value!r} are not available in this build", "kind")
    return parser


def parse_kind(value: str) -> ConnectorKind:
    try:
        return ConnectorKind(value.strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in ConnectorKind)
        raise InvalidInput(f"unknown connector kind {value!r}; one of {kinds}", "kind") from None
