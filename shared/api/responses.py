"""Response models of the HTTP API: the use cases return them and the OpenAPI document is built from them, so
the two share one definition. Nothing here imports the rest of the product (shared.errors imports it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SubscriptionStatus = Literal["ok", "awaiting_roles"]


class SubscriptionValidation(BaseModel):
    """What the principal can do on one subscription: readable now (`ok`), or not yet (`awaiting_roles`).

    A role is never reported as refused: one assigned moments ago or at a management group takes minutes to
    show, so an unreadable subscription is re-checked on a schedule (docs/api.md). `ok` mirrors `status` for
    clients written before `status` existed.
    """

    subscription_id: str
    status: SubscriptionStatus = "ok"  # always set: from `ok` when absent (below)
    ok: bool
    display_name: str | None = None
    offer: str | None = None
    roles_found: list[str] = Field(default_factory=list)
    recommended: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    excess: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _status_and_ok_agree(cls, data: Any) -> Any:
        """Fill `status` from `ok` for records stored before it existed; `ok` always follows `status`."""
        if isinstance(data, dict):
            data = dict(data)
            if "status" not in data:
                data["status"] = "ok" if data.get("ok") else "awaiting_roles"
            data["ok"] = data["status"] == "ok"
        return data


class Validation(BaseModel):
    """The principal's validation: who it is (object id) and what it can do per subscription.

    `awaiting_since` is when the subscriptions still awaiting roles were first found unreadable (re-checks run
    until it plus ROLE_WAIT_MINUTES); `wait_ended_at` is when the re-checks stopped and the customer was told.
    """

    principal_object_id: str | None = None
    validated_at: str
    subscriptions: list[SubscriptionValidation]
    awaiting_since: str | None = None
    wait_ended_at: str | None = None

    @property
    def usable(self) -> tuple[str, ...]:
        """The subscriptions the principal can read now."""
        return tuple(s.subscription_id for s in self.subscriptions if s.status == "ok")

    @property
    def awaiting(self) -> tuple[str, ...]:
        """The subscriptions whose roles are not visible yet."""
        return tuple(s.subscription_id for s in self.subscriptions if s.status == "awaiting_roles")


class OnboardingAccepted(BaseModel):
    """202 from POST /api/onboarding. The api_key is shown here once and never again."""

    customer_id: str
    api_key: str
    state: Literal["active", "awaiting_roles"] = Field(
        description="active: the first scan has started; awaiting_roles: no subscription is readable yet (roles "
                    "can take minutes to appear), Caleta checks again and e-mails the outcome")
    validation: Validation
    first_scan_id: str | None = Field(description="The first scan, or null while awaiting roles")
    status_url: str = Field(description="GET it with the API key: the customer's record and state")


class OnboardingRefused(BaseModel):
    """422 from POST /api/onboarding: the principal can read none of the subscriptions."""

    error: Literal["validation_failed"]
    message: str
    validation: Validation


class Revalidated(BaseModel):
    """200 from POST /api/customers/{id}/validate: active again, or awaiting roles (re-checked on a schedule)."""

    state: Literal["active", "awaiting_roles"]
    validation: Validation
    scan_id: str | None = Field(None, description="The first scan, started when an awaiting customer became active")


class OffboardingAccepted(BaseModel):
    """202 from DELETE /api/customers/{id} (and the admin offboarding): the purge has started."""

    state: Literal["offboarding"]
    request_id: str = Field(description="The purge request's id: also the deletion certificate's id")
    deadline: str = Field(description="Everything is deleted by then (ISO 8601, UTC)")
    certificate: str = Field(description="Where the deletion certificate will be (404 until the purge is done)")


class ExportAccepted(BaseModel):
    """202 from POST /api/customers/{id}/export: the zip is built and waiting at `href`."""

    export_id: str
    status: Literal["ready"]
    href: str


class CustomerRecord(BaseModel):
    """GET /api/customers/{id}: the record without secrets."""

    customer_id: str
    company: str
    contact_email: str
    tenant_id: str
    auth_mode: Literal["federated", "client_secret"]
    client_id: str | None
    subscription_ids: list[str]
    schedule: Literal["weekly", "monthly", "none"]
    state: str
    state_reason: str | None
    created_at: str
    validation: dict[str, Any]


class ScanAccepted(BaseModel):
    """202 from POST /api/customers/{id}/scans."""

    scan_id: str


class ScanTask(BaseModel):
    """One (subscription, source) task of a scan."""

    subscription_id: str
    source: str
    outcome: Literal["pending", "succeeded", "failed"]
    reason: str | None = None
    # While a cost collection is under way: windows (query steps) done and known so far, rows read so far.
    progress: dict[str, int] | None = None


class ScanStatusView(BaseModel):
    """GET /api/customers/{id}/scans/{scan_id}."""

    model_config = ConfigDict(extra="allow")
    scan_id: str
    status: Literal["queued", "collecting", "analysing", "complete", "partial", "failed"]
    progress: str | None = None
    tasks: list[ScanTask] = Field(default_factory=list)
    reports: list[str] = Field(default_factory=list)


class ScanList(BaseModel):
    """GET /api/customers/{id}/scans."""

    scans: list[ScanStatusView]


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer."""

    error: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)
