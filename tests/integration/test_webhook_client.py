"""Signed JSON batches through the webhook client to a local receiver that checks the signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.webhook_receiver import WebhookReceiver, running_webhook_receiver
from tests.unit.test_ometria_mapping import CUSTOMER, ORDER, PRODUCT
from trackbridge.adapters.connectors.webhook.client import send_batch
from trackbridge.adapters.connectors.webhook.mapping import build_record
from trackbridge.adapters.connectors.webhook.settings import parse_settings
from trackbridge.domain.errors import CredentialsRefused, PermanentError, TransientError

SECRET = "whsec-test-0123456789"


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with running_webhook_receiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def test_a_batch_arrives_signed_with_the_read_api_json(http: httpx.Client, hook: WebhookReceiver) -> None:
    settings = parse_settings({"url": hook.url, "entities": "customer,order"}, None)
    records = [
        r
        for e, d in [("customer", CUSTOMER), ("product", PRODUCT), ("order", ORDER)]
        if (r := build_record(e, d, settings))
    ]
    outcome = send_batch(http, records, settings, SECRET)
    assert outcome.accepted == ["7", "100001"] and outcome.rejected == {}
    [batch] = hook.batches
    expected = "sha256=" + hmac.new(SECRET.encode(), batch.body, hashlib.sha256).hexdigest()
    assert batch.headers["x-trackbridge-signature"] == expected
    assert batch.headers["x-trackbridge-timestamp"].isdigit()
    payload = json.loads(batch.body)
    assert payload["source"] == "trackbridge" and len(payload["batchId"]) == 32
    assert payload["records"] == [
        {"type": "customer", "id": "7", "data": CUSTOMER},
        {"type": "order", "id": "100001", "data": ORDER},
    ]


def test_a_retried_batch_keeps_its_id(http: httpx.Client, hook: WebhookReceiver) -> None:
    settings = parse_settings({"url": hook.url}, None)
    record = build_record("product", PRODUCT, settings)
    assert record is not None
    hook.fail_next(500)
    with pytest.raises(TransientError):
        send_batch(http, [record], settings, SECRET)
    send_batch(http, [record], settings, SECRET)
    send_batch(http, [{**record, "id": "other"}], settings, SECRET)
    ids = [json.loads(attempt.body)["batchId"] for attempt in hook.attempts]
    assert ids[0] == ids[1] != ids[2]
    assert len(hook.batches) == 2


def test_records_the_receiver_rejects_come_back_with_its_reason(http: httpx.Client, hook: WebhookReceiver) -> None:
    settings = parse_settings({"url": hook.url}, None)
    hook.reject["100001"] = "order total does not add up"
    records = [build_record("order", ORDER, settings), build_record("customer", CUSTOMER, settings)]
    outcome = send_batch(http, [r for r in records if r], settings, SECRET)
    assert outcome.accepted == ["7"]
    assert outcome.rejected == {"100001": "order total does not add up"}


def test_a_wrong_secret_is_refused_credentials(http: httpx.Client, hook: WebhookReceiver) -> None:
    settings = parse_settings({"url": hook.url}, None)
    record = build_record("order", ORDER, settings)
    assert record is not None
    with pytest.raises(CredentialsRefused):
        send_batch(http, [record], settings, "not-the-secret")
    assert hook.batches == [] and len(hook.refused) == 1


def test_down_unreachable_and_rate_limited_receivers_are_transient(http: httpx.Client, hook: WebhookReceiver) -> None:
    settings = parse_settings({"url": hook.url}, None)
    record = build_record("order", ORDER, settings)
    assert record is not None
    hook.fail_next(429)
    with pytest.raises(TransientError) as caught:
        send_batch(http, [record], settings, SECRET)
    assert caught.value.retry_after == 1.0
    hook.go_down("refused")
    with pytest.raises(TransientError):
        send_batch(http, [record], settings, SECRET)
    hook.come_back()
    assert send_batch(http, [record], settings, SECRET).accepted == ["100001"]


def test_a_client_error_answer_is_permanent(http: httpx.Client, hook: WebhookReceiver) -> None:
    settings = parse_settings({"url": hook.url}, None)
    hook.fail_next(422)
    with pytest.raises(PermanentError):
        send_batch(http, [{"type": "order", "id": "1", "data": {}}], settings, SECRET)


def test_the_documented_python_check_accepts_a_real_batch_and_refuses_a_forged_one(
    http: httpx.Client, hook: WebhookReceiver
) -> None:
    text = (Path(__file__).parents[2] / "docs" / "connectors" / "webhook.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    settings = parse_settings({"url": hook.url}, None)
    send_batch(http, [{"type": "order", "id": "1", "data": {}}], settings, SECRET)
    [batch] = hook.batches
    verify = namespace["verify"]
    assert verify(batch.body, batch.headers["x-trackbridge-signature"], SECRET)["records"][0]["id"] == "1"
    assert verify(batch.body.replace(b'"1"', b'"2"'), batch.headers["x-trackbridge-signature"], SECRET) is None
