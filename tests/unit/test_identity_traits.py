"""Reading customer details, tags and form contents from event properties."""

from __future__ import annotations

from trackbridge.domain.identity_traits import customer_details, read_form, tags_of


def test_sent_details_are_mapped_and_unsent_or_empty_ones_left_out() -> None:
    details = customer_details(
        {"firstName": " Johny ", "lastName": "", "phoneNumber": "+46 100 200", "subscribed": False, "other": 1}
    )
    assert details == {
        "first_name": "Johny",
        "phone": "+46 100 200",
        "phone_normalized": "46100200",
        "subscribed": False,
    }


def test_subscribed_must_be_a_boolean() -> None:
    assert customer_details({"subscribed": "yes"}) == {}


def test_tags_are_trimmed_deduplicated_and_a_single_string_is_accepted() -> None:
    assert tags_of({"tags": [" vip ", "vip", "", 3, "b2b"]}) == ["vip", "b2b"]
    assert tags_of({"tags": "newsletter"}) == ["newsletter"]
    assert tags_of({"tags": {"a": 1}}) == []
    assert tags_of({}) == []


def test_a_form_keeps_every_field_and_finds_its_email_details_and_tags() -> None:
    content = read_form(
        {
            "form": "#signup",
            "email": "Lea@Example.com",
            "fields": {"message": "hi", "email": "ignored@example.com", "firstName": "Lea"},
            "tags": ["lead"],
        }
    )
    assert content.form == "#signup"
    assert content.email == "lea@example.com"
    assert content.fields == {"message": "hi", "email": "Lea@Example.com", "firstName": "Lea"}
    assert content.details == {"first_name": "Lea"}
    assert content.tags == ["lead"]


def test_a_form_with_a_placeholder_email_identifies_no_one() -> None:
    assert read_form({"email": "undefined"}).email is None
    assert read_form({"fields": {"email": "not-an-address"}}).email is None
