"""The ports the services need; adapters implement them, only the composition root picks which."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from trackbridge.domain.credentials import NewApiKey, Scope
from trackbridge.domain.projects import ApiKeyInfo, Project
from trackbridge.domain.resources import (
    CategoryRecord,
    CustomerRecord,
    OrderRecord,
    ProductRecord,
    RecordResult,
)
from trackbridge.services.customer_directory_ports import CustomerListRepository, CustomerProfileRepository
from trackbridge.services.dashboard_ports import DashboardRepository
from trackbridge.services.export_ports import ExportRepository, RateLimitRepository
from trackbridge.services.identity_ports import IdentityRepository, MergeRepository, TimelineRepository
from trackbridge.services.matomo_import_ports import MatomoImportRepository
from trackbridge.services.matomo_push_ports import MatomoPushRepository
from trackbridge.services.order_ports import OrderEventRepository, OrderLinkRepository
from trackbridge.services.outbound_ports import ConnectorRepository, OutboundLogRepository, OutboxRepository
from trackbridge.services.report_ports import ReportRepository, RollupRepository
from trackbridge.services.tracking_ports import TrackingRepository
from trackbridge.services.upload_ports import CrmRepository, UploadRepository
from trackbridge.services.user_ports import UserRepository

JsonObject = dict[str, Any]


class SecretBox(Protocol):
    """Encrypts the secrets the server must be able to read back (signing secrets, outside credentials)."""

    def encrypt(self, plain: str) -> str: ...

    def decrypt(self, ciphertext: str) -> str: ...


class ProjectRepository(Protocol):
    def add(
        self,
        *,
        name: str,
        token: str,
        secret_ciphertext: str,
        timezone: str,
        base_currency: str,
        is_demo: bool,
    ) -> Project: ...

    def by_id(self, project_id: int) -> Project | None: ...

    def by_token(self, token: str) -> Project | None: ...

    def by_name(self, name: str) -> Project | None: ...

    def by_site_id(self, site_id: int) -> Project | None: ...

    def list(self) -> Sequence[Project]: ...

    def secret_ciphertext(self, project_id: int) -> str: ...

    def update(self, project_id: int, **values: Any) -> Project: ...

    def remember_signed_request(self, project_id: int, path: str, digest: str, seen_at: datetime) -> bool:
        """Records a signed call; False when the same path and digest were seen already (a replay)."""
        ...

    def forget_signed_requests_before(self, moment: datetime) -> int: ...

    def remove(self, project_id: int) -> None:
        """Deletes the project and all of its data."""
        ...


class ApiKeyRepository(Protocol):
    def add(self, project_id: int, name: str, key: NewApiKey, scope: Scope) -> ApiKeyInfo: ...

    def by_hash(self, key_hash: str) -> ApiKeyInfo | None: ...

    def list(self, project_id: int) -> Sequence[ApiKeyInfo]: ...

    def revoke(self, project_id: int, key_id: int, at: datetime) -> bool: ...

    def touch(self, key_id: int, at: datetime) -> None: ...


class ResourceRepository(Protocol):
    def upsert_categories(self, project_id: int, records: Sequence[CategoryRecord], now: datetime) -> None: ...

    def upsert_products(self, project_id: int, records: Sequence[ProductRecord], now: datetime) -> None: ...

    def upsert_customers(
        self, project_id: int, records: Sequence[CustomerRecord], now: datetime
    ) -> list[RecordResult]: ...

    def tag_customer(self, project_id: int, email: str, tags: Sequence[str], now: datetime) -> bool:
        """Adds tags, creating the customer when unknown; True when the customer was created."""
        ...

    def untag_customer(self, project_id: int, email: str, tags: Sequence[str]) -> bool:
        """Removes tags; False when no such customer exists (nothing changes)."""
        ...

    def customer_ids_by_email(self, project_id: int, emails: Sequence[str]) -> dict[str, int]: ...

    def known_product_ids(self, project_id: int, product_ids: Sequence[str]) -> set[str]: ...

    def add_placeholder_products(self, project_id: int, records: Sequence[ProductRecord], now: datetime) -> None:
        """Stores products the catalogue does not know yet, marked as placeholders; known ones stay as they are."""
        ...

    def guest_customer_id(self, project_id: int, guest_key: str, now: datetime) -> int:
        """The id of the guest customer (no e-mail) known by ``guest_key`` in ``external_id``, created when absent."""
        ...

    def visitor_customer_id(self, project_id: int, visitor_id: str) -> int | None:
        """The customer a visitor is linked to, if any."""
        ...

    def upsert_orders(
        self, project_id: int, records: Sequence[tuple[OrderRecord, int | None]], now: datetime
    ) -> list[bool]:
        """Stores orders with their customer's internal id; answers, per order, whether it was new."""
        ...


class ReadRepository(Protocol):
    def customers(
        self, project_id: int, *, email: str | None, external_id: str | None, after_id: int, limit: int
    ) -> list[JsonObject]: ...

    def customer(self, project_id: int, customer_id: int) -> JsonObject | None: ...

    def order(self, project_id: int, order_id: str) -> JsonObject | None: ...

    def orders(self, project_id: int, *, customer_id: int | None, after_id: str, limit: int) -> list[JsonObject]: ...

    def product(self, project_id: int, product_id: str) -> JsonObject | None: ...


class Transaction(Protocol):
    @property
    def projects(self) -> ProjectRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def resources(self) -> ResourceRepository: ...

    @property
    def reads(self) -> ReadRepository: ...

    @property
    def tracking(self) -> TrackingRepository: ...

    @property
    def secret_box(self) -> SecretBox | None:
        """Decrypts the project's signing secret where a use case needs it inside the transaction (e-mail links)."""
        ...

    @property
    def identities(self) -> IdentityRepository: ...

    @property
    def merges(self) -> MergeRepository: ...

    @property
    def timeline(self) -> TimelineRepository: ...

    @property
    def uploads(self) -> UploadRepository: ...

    @property
    def crm(self) -> CrmRepository: ...

    @property
    def order_events(self) -> OrderEventRepository: ...

    @property
    def order_links(self) -> OrderLinkRepository: ...

    @property
    def rollups(self) -> RollupRepository: ...

    @property
    def reports(self) -> ReportRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def dashboard(self) -> DashboardRepository: ...

    @property
    def customer_list(self) -> CustomerListRepository: ...

    @property
    def customer_profile(self) -> CustomerProfileRepository: ...

    @property
    def connectors(self) -> ConnectorRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def outbound_log(self) -> OutboundLogRepository: ...

    @property
    def exports(self) -> ExportRepository: ...

    @property
    def rate_limits(self) -> RateLimitRepository: ...

    @property
    def matomo_push(self) -> MatomoPushRepository: ...

    @property
    def matomo_import(self) -> MatomoImportRepository: ...


class UnitOfWork(Protocol):
    """Opens a transaction; it commits when the block ends without an error and rolls back otherwise."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def read(self) -> AbstractContextManager[Transaction]:
        """A transaction for reading only (no write lock on SQLite)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...
