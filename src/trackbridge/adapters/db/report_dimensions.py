"""How each report dimension is read from a visit: one set of expressions for the rollups and for orders' visits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement

from trackbridge.adapters.db.tracking_tables import sessions


def session_dimensions() -> dict[str, ColumnElement[Any]]:
    """How each report dimension is read from a visit (the same expressions for rollups and orders' visits)."""
    s = sessions.c
    return {
        "source": sa.func.coalesce(s.utm_source, s.referrer_name, ""),
        "medium": sa.func.coalesce(s.utm_medium, s.referrer_type, ""),
        "campaign": sa.func.coalesce(s.utm_campaign, ""),
        "channel": sa.func.coalesce(s.channel, ""),
        "lead_source": sa.func.coalesce(s.lead_source, ""),
        "referrer": sa.func.coalesce(s.referrer_name, ""),
        "country": sa.func.coalesce(s.country_code, ""),
        "region": sa.func.coalesce(s.region_name, ""),
        "city": sa.func.coalesce(s.city, ""),
        "device_type": sa.func.coalesce(s.device_type, ""),
        "os_name": sa.func.coalesce(s.os_name, ""),
        "browser_name": sa.func.coalesce(s.browser_name, ""),
    }
