"""The table of the Cost Management QPU ledger (one row per customer tenant), and its purge.

The ledger's logic lives in shared/collectors/quota.py; this store only opens its table and purges it. A row
is keyed by tenant, not customer: it is deleted with the last customer of its tenant and kept while another
customer of the same tenant still draws on the budget.
"""

from __future__ import annotations

from shared.storage.customers import CustomerStore
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.table import Table, delete_partition, partition_keys

QUOTA_TABLE = "costquota"


class QuotaStore:
    """The ledger's table (PartitionKey = tenant id)."""

    name = "table:costquota"
    declaration = Purged(holds="the QPU grants of the customer's tenant (timestamps and counts)",
                         kept="the row of a tenant another customer still uses: it holds only the shared "
                              "tenant's budget, and goes with that tenant's last customer")

    def __init__(self, table: Table, customers: CustomerStore) -> None:
        self.table = table
        self._customers = customers

    def _ours(self, subject: PurgeSubject) -> bool:
        return bool(subject.tenant_id) and not self._customers.shares_tenant(subject.tenant_id, subject.customer_id)

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete the tenant's ledger unless another customer shares the tenant."""
        return delete_partition(self.table, subject.tenant_id) if self._ours(subject) else 0

    def count_customer(self, subject: PurgeSubject) -> int:
        """Ledger rows left for the tenant (0 when the tenant is shared: kept by design)."""
        return len(partition_keys(self.table, subject.tenant_id)) if self._ours(subject) else 0
