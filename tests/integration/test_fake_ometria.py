"""The fake Ometria itself enforces formats.md §3, so tests that pass against it mean something."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.fake_ometria import FakeOmetria, running_fake_ometria
from tests.support.webhook_receiver import running_webhook_receiver, signature


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeOmetria]:
    with running_fake_ometria({"key-a": "a", "key-b": "b"}, clock=clock) as served:
        yield served


def push(fake: FakeOmetria, records: Any, key: str = "key-a") -> httpx.Response:
    return httpx.post(f"{fake.url}/v2/push", json=records, headers={"X-Ometria-Auth": key})


PRODUCT = {"@type": "product", "id": "p1", "title": "Widget", "price": 10.0}


def test_unknown_key_is_refused_with_403(fake: FakeOmetria) -> None:
    assert push(fake, [PRODUCT], key="nope").status_code == 403
    assert fake.records("a") == {}


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"id": "x"}],
        [{"@type": "product"}],
        [{"@type": "product", "id": ""}],
        {"@type": "product", "id": "1"},
        [{"@type": "product", "id": str(i)} for i in range(101)],
    ],
)
def test_malformed_pushes_are_answered_400(fake: FakeOmetria, body: Any) -> None:
    assert push(fake, body).status_code == 400


def test_a_fifth_push_within_one_second_is_429_and_recorded_as_a_violation(fake: FakeOmetria, clock: Clock) -> None:
    for step in range(4):
        clock.now = 1000.0 + step * 0.2
        assert push(fake, [PRODUCT]).status_code == 200
    clock.now = 1000.9
    answer = push(fake, [PRODUCT])
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert fake.violations == [("a", 1000.9)]
    assert push(fake, [PRODUCT], key="key-b").status_code == 200  # another account has its own window
    clock.now = 1001.0
    assert push(fake, [PRODUCT]).status_code == 200  # the first push has left the window


def test_the_async_queue_refuses_a_batch_it_cannot_hold_until_it_drains(clock: Clock) -> None:
    with running_fake_ometria({"k": "main"}, clock=clock, queue_capacity=150, drain_rate=10.0) as fake:
        batch = [{"@type": "product", "id": str(i)} for i in range(100)]
        assert push(fake, batch, key="k").status_code == 200
        clock.now += 1.0  # drained 10: 90 waiting
        answer = push(fake, batch, key="k")
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "4"
        assert fake.violations == []
        clock.now += 4.0
        assert push(fake, batch, key="k").status_code == 200


def test_known_ids_merge_the_fields_sent_and_record_errors_are_read_back(fake: FakeOmetria) -> None:
    push(fake, [PRODUCT])
    good_order = {
        "@type": "order",
        "id": "o1",
        "timestamp": "2026-01-02T03:04:05+00:00",
        "currency": "EUR",
        "lineitems": [{"product_id": "p1", "quantity": 1}],
    }
    bad_order = {**good_order, "id": "o2", "lineitems": [{"product_id": "p9", "quantity": 1}]}
    answer = push(fake, [{"@type": "product", "id": "p1", "price": 12.5}, good_order, bad_order]).json()
    assert answer["status"] == "OK" and (answer["accepted"], answer["rejected"]) == (2, 1)
    assert fake.records("a", "product")["p1"] == {**PRODUCT, "price": 12.5}
    assert set(fake.records("a", "order")) == {"o1"}
    errors = httpx.get(
        f"{fake.url}/push/_errors", params={"request_id": answer["request_id"]}, headers={"X-Ometria-Auth": "key-a"}
    ).json()
    assert errors == [
        {"request_id": answer["request_id"], "@type": "order", "id": "o2", "reason": "unknown product_id p9"}
    ]


def test_down_answers_503_then_refuses_connections_and_comes_back(fake: FakeOmetria) -> None:
    fake.go_down("503")
    assert push(fake, [PRODUCT]).status_code == 503
    fake.go_down("refused")
    with pytest.raises(httpx.ConnectError):
        push(fake, [PRODUCT])
    fake.come_back()
    assert push(fake, [PRODUCT]).status_code == 200
    assert [r.status for r in fake.pushes(status=None)] == [503, 200]


def test_the_webhook_receiver_keeps_signed_batches_and_refuses_others() -> None:
    with running_webhook_receiver("s3cret") as receiver:
        body = b'{"records": [{"type": "order", "id": "1"}]}'
        good = {"X-Trackbridge-Signature": signature("s3cret", body), "X-Trackbridge-Timestamp": "1"}
        assert httpx.post(receiver.url, content=body, headers=good).status_code == 200
        bad = {**good, "X-Trackbridge-Signature": signature("other", body)}
        assert httpx.post(receiver.url, content=body, headers=bad).status_code == 401
        assert receiver.records() == [{"type": "order", "id": "1"}]
        assert len(receiver.refused) == 1
