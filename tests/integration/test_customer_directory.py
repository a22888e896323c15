"""The customer directory's use cases on both databases: list search, filters and pages; a customer's profile; merges."""

from __future__ import annotations

import pytest

from tests.support.customer_shop import CustomerShop, build_customer_shop
from trackbridge.domain.errors import Conflict, InvalidInput, NotFound
from trackbridge.domain.projects import Project, ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import customer_directory as directory
from trackbridge.services.customer_directory_ports import CustomerQuery


@pytest.fixture
def shop(container: Container, seed_project: ProjectCredentials) -> CustomerShop:
    return build_customer_shop(container, seed_project.project)


def emails(container: Container, project: Project, **wanted: object) -> list[str | None]:
    page = directory.list_customers(container.uow, project, CustomerQuery(**wanted))  # type: ignore[arg-type]
    return [row.email for row in page.rows]


def test_the_list_shows_newest_first_with_tags_orders_visits_and_first_source(
    container: Container, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    page = directory.list_customers(container.uow, seed_project.project, CustomerQuery())
    assert page.total == 3 and page.pages == 1
    carl, bob, ann = page.rows
    assert (carl.id, bob.id, ann.id) == (shop.carl, shop.bob, shop.ann)
    assert (ann.name, ann.tags, ann.orders, ann.visits, ann.first_source) == ("Ann Archer", ["vip"], 1, 2, "newsletter")
    assert (bob.tags, bob.orders, bob.visits, bob.first_source) == (["b2b"], 0, 1, "google")
    assert (carl.tags, carl.orders, carl.visits, carl.first_source) == (["wholesale"], 1, 0, None)


def test_the_list_searches_e_mail_and_name_and_filters_by_tag_source_lead_source_and_orders(
    container: Container, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    project = seed_project.project
    assert emails(container, project, search="ARCHER") == ["ann@example.com"]
    assert emails(container, project, search="bob builder") == ["bob@example.com"]
    assert emails(container, project, search="carl@") == ["carl@example.com"]
    assert emails(container, project, search="%") == []
    assert emails(container, project, tag="b2b") == ["bob@example.com"]
    assert emails(container, project, source="google") == ["bob@example.com"]
    assert emails(container, project, lead_source="newsletter") == ["ann@example.com"]
    assert emails(container, project, has_ordered=True) == ["carl@example.com", "ann@example.com"]
    assert emails(container, project, has_ordered=False) == ["bob@example.com"]
    assert emails(container, project, has_ordered=True, tag="vip", search="ann") == ["ann@example.com"]
    assert emails(container, project, tag="vip", source="google") == []


def test_the_list_pages_and_offers_the_filter_values_in_use(
    container: Container, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    project = seed_project.project
    second = directory.list_customers(container.uow, project, CustomerQuery(page=2, per_page=2))
    assert (second.total, second.pages, [row.id for row in second.rows]) == (3, 2, [shop.ann])
    choices = directory.filter_choices(container.uow, project)
    assert choices.tags == ["b2b", "vip", "wholesale"]
    assert set(choices.sources) == {"google", "newsletter"}
    assert set(choices.lead_sources) == {"google", "newsletter"}
    with pytest.raises(InvalidInput):
        directory.list_customers(container.uow, project, CustomerQuery(page=0))


def test_the_customer_page_has_the_timeline_devices_sources_products_and_status_history(
    container: Container, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    page = directory.customer_page(container.uow, seed_project.project, shop.ann, cursor=None, limit=20)
    assert page.timeline["customer"]["email"] == "ann@example.com"
    assert len(page.timeline["sessions"]) == 2
    assert [link["how"] for link in page.timeline["identityLinks"]] == ["form"]
    [device] = page.profile["devices"]
    assert (device["type"], device["os"], device["browser"], device["visits"]) == ("desktop", "Windows", "Chrome", 2)
    assert {(s["source"], s["campaign"]) for s in page.profile["sources"]} == {("newsletter", "spring"), (None, None)}
    assert [(p["productId"], p["name"], p["views"]) for p in page.profile["productsViewed"]] == [
        ("p1", "Green widget", 1)
    ]
    assert [(p["productId"], p["quantity"], p["orders"]) for p in page.profile["productsBought"]] == [("p1", 2, 1)]
    assert [(e["status"], e["statusType"]) for e in page.profile["orderHistory"]["O-100"]] == [
        ("pending", "IN_PROGRESS"),
        ("paid", "PAID"),
    ]
    assert page.merges == [] and page.merged_into is None
    with pytest.raises(NotFound):
        directory.customer_page(container.uow, seed_project.project, 99999, cursor=None, limit=20)


def test_a_merge_by_e_mail_hides_the_merged_customer_from_the_list_until_it_is_undone(
    container: Container, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    project = seed_project.project
    info = directory.merge_into(container.uow, project, shop.ann, "Bob@Example.com", "user admin@example.com")
    assert (info.kept_customer_id, info.merged_customer_id) == (shop.ann, shop.bob)
    assert emails(container, project) == ["carl@example.com", "ann@example.com"]
    kept = directory.customer_page(container.uow, project, shop.ann, cursor=None, limit=20)
    assert kept.timeline["mergedCustomers"] == [shop.bob] and [m.id for m in kept.merges] == [info.id]
    assert {d["type"] for d in kept.profile["devices"]} == {"desktop", "smartphone"}
    merged = directory.customer_page(container.uow, project, shop.bob, cursor=None, limit=20)
    assert merged.merged_into is not None and merged.merged_into.kept_customer_id == shop.ann
    with pytest.raises(Conflict):
        directory.merge_into(container.uow, project, shop.carl, str(shop.bob), "user admin@example.com")
    with pytest.raises(NotFound):
        directory.merge_into(container.uow, project, shop.ann, "nobody@example.com", "user admin@example.com")

    directory.undo_merge(container.uow, project, info.id, "user admin@example.com")
    assert emails(container, project) == ["carl@example.com", "bob@example.com", "ann@example.com"]
    again = directory.customer_page(container.uow, project, shop.bob, cursor=None, limit=20)
    assert again.merged_into is None and again.merges[0].undone_by == "user admin@example.com"
