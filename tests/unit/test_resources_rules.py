"""Seed 004's update rules and the credentials' primitives."""

from __future__ import annotations

from decimal import Decimal

from trackbridge.domain.credentials import Scope, body_digest, digest_matches, hash_api_key, new_api_key
from trackbridge.domain.resources import CustomerRecord, ProductOption, customer_changes, merge_options, merge_tags


def test_options_merge_by_id_and_keep_the_others() -> None:
    stored = [{"id": "s", "name": "Small"}, {"id": "m", "name": "Medium"}]
    merged = merge_options(stored, [ProductOption(id="m", name="M", price=Decimal("2"))])
    assert [(o["id"], o["name"], o.get("price")) for o in merged] == [("s", "Small", None), ("m", "M", "2.00")]


def test_tags_merge_and_untag_ignores_absent() -> None:
    assert merge_tags(["a", "b"], added=["b", "c"]) == ["a", "b", "c"]
    assert merge_tags(["a", "b"], removed=["b", "zzz"]) == ["a"]


def test_customer_changes_are_only_the_fields_sent() -> None:
    changes = customer_changes(CustomerRecord(email="a@b.co", first_name="Ann", subscribed=False))
    assert changes == {"first_name": "Ann", "subscribed": False}


def test_the_seed_category_body_signs_to_the_reference_vector() -> None:
    body = (
        b'{"time": 1518004715732, "token": "sh0p-t0k3n", "params": {"id": "1", "name": "Awesome clothing", '
        b'"url": "https://my-awesome-shop.com/awesome-clothing"} }'
    )
    expected = "9e85cbea294d31e28e8c7cc954d13ec7f20af6d17aac799f5bec0f1ba831228b"
    assert body_digest(body, "m3trilo-secr3t") == expected
    assert digest_matches(body, "m3trilo-secr3t", expected.upper())
    assert not digest_matches(
        body, "m3trilo-secr3t", "1ecd57653821936c3f5aceb1c20f49a815efdd70ef1f15e5902397aa83187550"
    )
    assert not digest_matches(body + b" ", "m3trilo-secr3t", expected)


def test_api_keys_are_random_and_stored_as_hashes() -> None:
    first, second = new_api_key(), new_api_key()
    assert first.plain != second.plain
    assert first.key_hash == hash_api_key(first.plain) != first.plain
    assert first.prefix == first.plain[:12]


def test_write_scope_includes_read() -> None:
    assert Scope.WRITE.allows(Scope.READ) and Scope.WRITE.allows(Scope.WRITE)
    assert Scope.READ.allows(Scope.READ) and not Scope.READ.allows(Scope.WRITE)
