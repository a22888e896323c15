"""Small presentation helpers of the customer pages: times in the project's zone, durations, labels. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

DASH = "\u2013"
ACTION_LABELS = {
    "page_view": "Page view",
    "article_view": "Article",
    "category_view": "Category",
    "product_view": "Product view",
    "search": "Search",
    "add_to_cart": "Add to cart",
    "remove_from_cart": "Remove from cart",
    "set_cart": "Cart",
    "checkout": "Checkout",
    "identify": "Identified",
    "customer_details": "Details",
    "apply_tags": "Tags",
    "custom_event": "Event",
    "form_submit": "Form",
    "email_link": "E-mail link",
    "outlink": "Outlink",
    "download": "Download",
    "matomo_event": "Event",
    "content": "Content",
    "goal": "Goal",
    "ecommerce_order": "Order",
}
LINK_LABELS = {
    "identify": "identify call (login)",
    "form": "form submission",
    "email_link": "e-mail link click",
    "matomo_uid": "Matomo user id",
    "operator_merge": "operator merge",
}


def clock(timezone: str) -> Callable[[int | None], str]:
    """Epoch milliseconds → ``YYYY-MM-DD HH:MM`` in the project's time zone (a dash when unknown)."""
    zone = ZoneInfo(timezone)

    def when(ms: int | None) -> str:
        if ms is None:
            return DASH
        return datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return when


def local(timezone: str) -> Callable[[datetime | None], str]:
    zone = ZoneInfo(timezone)

    def moment(value: datetime | None) -> str:
        return DASH if value is None else value.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return moment


def duration(seconds: int | None) -> str:
    if not seconds:
        return "0 s"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def action_label(kind: str) -> str:
    return ACTION_LABELS.get(kind, kind.replace("_", " "))


def link_label(how: str) -> str:
    return LINK_LABELS.get(how, how.replace("_", " "))


def action_detail(action: Mapping[str, Any]) -> str:
    """The one-line detail of an action: its title or URL, the product, the search, the tags..."""
    props: Mapping[str, Any] = action.get("properties") or {}
    parts = [str(action.get("title") or action.get("url") or "")]
    for key in ("productId", "query", "name", "email", "orderId", "category", "action"):
        if props.get(key) not in (None, ""):
            parts.append(f"{key}: {props[key]}")
    if props.get("tags"):
        parts.append("tags: " + ", ".join(str(tag) for tag in props["tags"]))
    return " · ".join(part for part in parts if part)


def source_label(source: Mapping[str, Any]) -> str:
    """How a visit came: lead source / utm source and medium and campaign, else the referrer, else direct."""
    utm = source.get("utm") or {}
    parts = [str(value) for value in (utm.get("source"), utm.get("medium"), utm.get("campaign")) if value]
    if not parts and source.get("referrerName"):
        parts = [str(source["referrerName"]), str(source.get("referrerType") or "")]
    label = " / ".join(part for part in parts if part) or "direct"
    channel = source.get("channel")
    return f"{label} ({channel})" if channel and channel not in label else label


def device_label(device: Mapping[str, Any]) -> str:
    parts = [device.get("type"), device.get("brand"), device.get("model"), device.get("os"), device.get("browser")]
    return " · ".join(str(part) for part in parts if part) or "unknown device"


def place_label(location: Mapping[str, Any]) -> str:
    parts = [location.get("city"), location.get("regionName") or location.get("region")]
    parts.append(location.get("countryName") or location.get("countryCode"))
    return ", ".join(str(part) for part in parts if part) or "unknown place"


def display_name(customer: Mapping[str, Any]) -> str:
    name = " ".join(str(part) for part in (customer.get("firstName"), customer.get("lastName")) if part)
    return name or str(customer.get("email") or customer.get("externalId") or f"customer {customer.get('id')}")


def feed(timeline: Mapping[str, Any], history: Mapping[str, list[Any]], until: int | None) -> list[dict[str, Any]]:
    """One page of the engagement timeline, newest first: this page's visits, and the orders (with their status
    history), form submissions and identity links of the same stretch of time.

    The stretch runs from this page's oldest visit (from the beginning on the last page) to ``until``, the oldest
    visit of the page before (now on the first page), so that every item shows on exactly one page.
    """
    visits = list(timeline.get("sessions") or [])
    lower = visits[-1]["startedAt"] if visits and timeline.get("next") else None

    def inside(ms: int | None) -> bool:
        if ms is None:
            return lower is None
        return (lower is None or ms >= lower) and (until is None or ms < until)

    items: list[dict[str, Any]] = [{"kind": "visit", "at": visit["startedAt"], "visit": visit} for visit in visits]
    for order in timeline.get("orders") or []:
        if inside(order.get("placedAt")):
            items.append(
                {"kind": "order", "at": order["placedAt"], "order": order, "history": history.get(order["id"], [])}
            )
    for form in timeline.get("formSubmissions") or []:
        if inside(form.get("submittedAt")):
            items.append({"kind": "form", "at": form["submittedAt"], "form": form})
    for link in timeline.get("identityLinks") or []:
        if inside(link.get("linkedAt")):
            items.append({"kind": "link", "at": link["linkedAt"], "link": link})
    rank = {"order": 3, "link": 2, "form": 1, "visit": 0}
    items.sort(key=lambda item: (item["at"] or 0, rank[item["kind"]]), reverse=True)
    return items
