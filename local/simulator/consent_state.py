"""Caleta's app in each customer tenant: its service principal as the estate lists it, changed at run time.

Admin consent provisions the service principal ("Consent creates a service principal in the customer tenant",
grant-admin-consent.md); the control API removes it again (the customer deleting the enterprise app) or restores
the estate's state. Changes live here, never in the estate, so a reset is exact.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from local.estates.model import Application, Tenant
from local.simulator.oidc_codes import CodeStore

if TYPE_CHECKING:
    from local.simulator.state import SimState


@dataclass(frozen=True)
class ConsentChange:
    """A run-time change to Caleta's service principal in one tenant: created by consent, or deleted."""

    granted: bool
    object_id: str | None = None


class OidcState:
    """Authorization codes and consent changes for one simulator run."""

    def __init__(self) -> None:
        self.codes = CodeStore()
        self._changes: dict[str, ConsentChange] = {}
        self._lock = threading.Lock()

    def change(self, tenant_id: str) -> ConsentChange | None:
        """The run-time change for a tenant, if any."""
        with self._lock:
            return self._changes.get(tenant_id.lower())

    def record(self, tenant_id: str, change: ConsentChange | None) -> None:
        """Set (or with None, drop) the change for a tenant."""
        with self._lock:
            if change is None:
                self._changes.pop(tenant_id.lower(), None)
            else:
                self._changes[tenant_id.lower()] = change

    def clear(self) -> None:
        """Forget every code and consent change."""
        self.codes.clear()
        with self._lock:
            self._changes.clear()


def _is_caleta_app(state: SimState, client_id: str) -> bool:
    return client_id.lower() == state.estate.caleta.app_client_id.lower()


def service_principal(state: SimState, tenant: Tenant, client_id: str) -> Application | None:
    """The service principal for client_id in tenant (deleted/unconsented ones included), run-time changes applied."""
    listed = tenant.application(client_id)
    change = state.oidc.change(tenant.tenant_id) if _is_caleta_app(state, client_id) else None
    if change is None:
        return listed
    if not change.granted:
        return listed.model_copy(update={"deleted": True}) if listed is not None else None
    base = listed or Application(client_id=client_id, object_id="", display_name="Caleta Cost Review",
                                 federated=True)
    return base.model_copy(update={"object_id": change.object_id, "deleted": False, "consented": True})


def usable(app: Application | None) -> bool:
    """Whether the principal exists in the tenant (consented, not deleted); it may still be disabled."""
    return app is not None and app.consented and not app.deleted


def grant(state: SimState, tenant: Tenant) -> Application:
    """Admin consent: provision Caleta's service principal (a no-op when it already exists)."""
    client_id = state.estate.caleta.app_client_id
    current = service_principal(state, tenant, client_id)
    if usable(current):
        assert current is not None
        return current
    # A principal listed as "not yet consented" gets its listed object id, so roles the estate assigns to it apply
    # from now on; a deleted one comes back as a new object, as a re-created enterprise app does in Entra.
    if current is not None and not current.deleted:
        object_id = current.object_id
    else:
        object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"caleta-sim:{tenant.tenant_id.lower()}:{client_id.lower()}"))
    state.oidc.record(tenant.tenant_id, ConsentChange(granted=True, object_id=object_id))
    found = service_principal(state, tenant, client_id)
    assert found is not None
    return found


def remove(state: SimState, tenant: Tenant) -> None:
    """The customer deletes Caleta's enterprise app: AADSTS700016 from now on."""
    state.oidc.record(tenant.tenant_id, ConsentChange(granted=False))


def reset(state: SimState, tenant: Tenant) -> None:
    """Back to what the estate lists."""
    state.oidc.record(tenant.tenant_id, None)


def status(state: SimState, tenant: Tenant) -> dict[str, Any]:
    """Caleta's app in the tenant, for the control API."""
    app = service_principal(state, tenant, state.estate.caleta.app_client_id)
    change = state.oidc.change(tenant.tenant_id)
    principal = None if app is None else {"object_id": app.object_id, "enabled": app.enabled,
                                          "deleted": app.deleted, "consented": app.consented}
    return {"tenant_id": tenant.tenant_id, "client_id": state.estate.caleta.app_client_id,
            "consented": usable(app), "service_principal": principal,
            "source": "estate" if change is None else ("admin_consent" if change.granted else "removed")}
