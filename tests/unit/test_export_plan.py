"""The export queue's rules: live before historical, dependencies first, supersede, per-run maximum, batches of 100."""

from __future__ import annotations

import pytest

from trackbridge.domain.export import (
    EntityType,
    Lane,
    PlannedBatch,
    QueueEntry,
    RecordRef,
    choose_records,
    lane_after_change,
    make_batches,
    plan_run,
)

C, P, ORD = EntityType.CUSTOMER, EntityType.PRODUCT, EntityType.ORDER
LIVE, HIST = Lane.LIVE, Lane.HISTORICAL


def entry(entity: EntityType, entity_id: str, lane: Lane, sequence: int) -> QueueEntry:
    return QueueEntry(entity, entity_id, lane, sequence)


def refs(entries: list[QueueEntry]) -> list[tuple[str, str, str]]:
    return [(e.entity.value, e.entity_id, e.lane.value) for e in entries]


def test_live_entries_go_before_historical_ones_queued_earlier() -> None:
    waiting = [entry(ORD, "h1", HIST, 1), entry(ORD, "h2", HIST, 2), entry(ORD, "l1", LIVE, 3)]
    assert refs(choose_records(waiting, {}, 10)) == [
        ("order", "l1", "live"),
        ("order", "h1", "historical"),
        ("order", "h2", "historical"),
    ]


def test_a_live_order_goes_after_its_waiting_customer_and_products_which_join_the_live_lane() -> None:
    waiting = [
        entry(ORD, "o1", LIVE, 1),
        entry(P, "p1", HIST, 2),
        entry(C, "c1", LIVE, 3),
        entry(P, "p2", HIST, 4),
    ]
    deps = {RecordRef(ORD, "o1"): [RecordRef(P, "p1"), RecordRef(C, "c1"), RecordRef(P, "p9")]}
    chosen = choose_records(waiting, deps, 10)
    assert refs(chosen) == [
        ("customer", "c1", "live"),
        ("product", "p1", "live"),
        ("order", "o1", "live"),
        ("product", "p2", "historical"),
    ]


def test_batches_send_customers_then_products_then_orders_live_lane_first() -> None:
    chosen = [entry(ORD, "o1", LIVE, 1), entry(P, "p1", LIVE, 2), entry(C, "c1", HIST, 3), entry(ORD, "o2", HIST, 4)]
    assert make_batches(chosen) == [
        PlannedBatch(P, LIVE, ("p1",), 0),
        PlannedBatch(ORD, LIVE, ("o1",), 1),
        PlannedBatch(C, HIST, ("c1",), 2),
        PlannedBatch(ORD, HIST, ("o2",), 3),
    ]


def test_batches_hold_at_most_one_hundred_records() -> None:
    chosen = [entry(ORD, str(i), HIST, i) for i in range(250)]
    batches = make_batches(chosen)
    assert [len(b.ids) for b in batches] == [100, 100, 50]
    assert [i for b in batches for i in b.ids] == [str(i) for i in range(250)]


def test_a_batch_size_above_the_platform_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        make_batches([], batch_size=101)


def test_a_run_takes_at_most_the_maximum_and_the_rest_waits_in_order() -> None:
    waiting = [entry(C, str(i), HIST, i) for i in range(30)]
    first = choose_records(waiting, {}, 12)
    assert [e.entity_id for e in first] == [str(i) for i in range(12)]
    rest = [e for e in waiting if e not in first]
    assert [e.entity_id for e in choose_records(rest, {}, 12)] == [str(i) for i in range(12, 24)]


def test_a_group_larger_than_the_maximum_still_goes_alone_so_runs_progress() -> None:
    waiting = [entry(ORD, "o1", LIVE, 5)] + [entry(P, f"p{i}", HIST, i) for i in range(4)]
    deps = {RecordRef(ORD, "o1"): [RecordRef(P, f"p{i}") for i in range(4)]}
    assert len(choose_records(waiting, deps, 2)) == 5


def test_a_group_that_does_not_fit_waits_for_the_next_run() -> None:
    waiting = [entry(C, "c0", LIVE, 1), entry(ORD, "o1", LIVE, 2), entry(P, "p1", HIST, 3), entry(P, "p2", HIST, 4)]
    deps = {RecordRef(ORD, "o1"): [RecordRef(P, "p1"), RecordRef(P, "p2")]}
    assert refs(choose_records(waiting, deps, 3)) == [("customer", "c0", "live")]


def test_a_dependency_shared_by_two_orders_is_sent_once() -> None:
    waiting = [entry(ORD, "o1", LIVE, 1), entry(ORD, "o2", LIVE, 2), entry(P, "p1", HIST, 3)]
    deps = {RecordRef(ORD, "o1"): [RecordRef(P, "p1")], RecordRef(ORD, "o2"): [RecordRef(P, "p1")]}
    batches = plan_run(waiting, deps, 10)
    assert [(b.entity, b.ids) for b in batches] == [(P, ("p1",)), (ORD, ("o1", "o2"))]


@pytest.mark.parametrize(
    ("waiting", "incoming", "expected"),
    [(None, HIST, HIST), (None, LIVE, LIVE), (HIST, LIVE, LIVE), (LIVE, HIST, LIVE), (HIST, HIST, HIST)],
)
def test_a_live_change_supersedes_a_waiting_historical_entry_and_never_the_reverse(
    waiting: Lane | None, incoming: Lane, expected: Lane
) -> None:
    assert lane_after_change(waiting, incoming) is expected


def test_a_run_of_zero_records_is_refused() -> None:
    with pytest.raises(ValueError, match="max_records"):
        choose_records([], {}, 0)
