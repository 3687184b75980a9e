"""The table of the query ledgers (the tenant's Cost Management QPU, its principals' Resource Graph queries), and
its purge.

The ledgers' logic lives in shared/collectors/quota.py and graph_turns.py; this store only opens their table and
purges it. Every row sits in its tenant's partition, not the customer's: the partition is deleted with the last
customer of its tenant and kept while another customer of the same tenant still draws on the budgets (a
principal's row is named by an opaque hash and holds only timestamps and counts).
"""

from __future__ import annotations

import hashlib

from shared.storage.customers import CustomerStore
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.table import Table, partition_keys

QUOTA_TABLE = "costquota"
GRAPH_ROW_PREFIX = "graph-"
# The principal that queries when the customer named none: Caleta's multi-tenant app, one per customer tenant.
CALETA_APP = "caleta-app"


def principal_row(tenant_id: str, client_id: str | None) -> str:
    """The Resource Graph ledger row of the principal a customer queries as: an opaque hash of the tenant and the
    app id (Caleta's own app when the customer named none)."""
    key = f"{tenant_id.lower()}:{(client_id or CALETA_APP).lower()}"
    return GRAPH_ROW_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:12]


class QuotaStore:
    """The ledgers' table (PartitionKey = tenant id; RowKey `qpu`, or a principal's `principal_row`)."""

    name = "table:costquota"
    declaration = Purged(holds="the QPU and Resource Graph query grants of the customer's tenant and principal "
                               "(timestamps and counts)",
                         kept="the rows another customer of the tenant still draws on (the tenant's QPU budget, "
                              "a principal it queries as): they go with the last customer using them")

    def __init__(self, table: Table, customers: CustomerStore) -> None:
        self.table = table
        self._customers = customers

    def _ours(self, subject: PurgeSubject) -> list[tuple[str, str]]:
        """The rows of the subject's tenant no other customer draws on: every one when nobody else has the tenant,
        else the rows of principals only the subject queried as."""
        if not subject.tenant_id:
            return []
        keys = partition_keys(self.table, subject.tenant_id)
        others = self._customers.tenant_principals(subject.tenant_id, subject.customer_id)
        if not others:
            return keys
        shared = {principal_row(subject.tenant_id, client_id) for client_id in others}
        return [(pk, rk) for pk, rk in keys if rk.startswith(GRAPH_ROW_PREFIX) and rk not in shared]

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete the ledger rows only the customer drew on."""
        keys = self._ours(subject)
        for pk, rk in keys:
            self.table.delete_entity(pk, rk)
        return len(keys)

    def count_customer(self, subject: PurgeSubject) -> int:
        """Ledger rows left that only the customer drew on (shared rows are kept by design)."""
        return len(self._ours(subject))
