"""Storage accounts' lifecycle management policies (STO-1, STO-2): one ARM GET per candidate account.

Resource Graph's `resources` table has no managementPolicies type (supported-tables-resources.md), and there is no
list operation: `GET {account id}/managementPolicies/default?api-version=2024-01-01` per account (docs/checks.md
D1), under Reader (`Microsoft.Storage/storageAccounts/managementPolicies/read`, covered by `*/read`); control plane
only, no blob is read.

Candidates are decided from the inventory alone: the account kinds lifecycle rules apply to (StorageV2,
BlobStorage, BlockBlobStorage, as the rules read them) with their properties known. The rules also want a capacity
cost, but the bill is collected by a parallel task of the same scan and is not known here; waiting for it would
chain the two tasks. An account without capacity cost costs one GET and the rules then find nothing to tier.

Stored as `management_policies` (docs/data-contract.md): account id (lower case) -> {"status": 200, "policy":
{...}} | {"status": 404} (ManagementPolicyNotFound: none set) | {"status": 403 | 409 | 429 | 5xx, "code": ...}.
An account not in the mapping was not read (time budget, no answer, or a 404 for the account itself): unknown.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from shared.collectors.arm_reads import Answer, ArmReader

API_VERSION = "2024-01-01"
ACCOUNT_TYPE = "microsoft.storage/storageaccounts"
TIERABLE_KINDS = frozenset({"storagev2", "blobstorage", "blockblobstorage"})
NONE_SET = "ManagementPolicyNotFound"
# Parallel reads: enough to overlap round trips, few enough that ARM's bucket, not us, sets the pace.
WORKERS = 4


def candidates(resources: list[dict[str, Any]]) -> list[str]:
    """Ids of the storage accounts whose lifecycle policy the rules may judge (kind and properties known)."""
    return [str(r["id"]) for r in resources
            if str(r.get("type") or "").lower() == ACCOUNT_TYPE and isinstance(r.get("properties"), dict)
            and str(r.get("kind") or "").lower() in TIERABLE_KINDS]


def _entry(answer: Answer) -> dict[str, Any] | None:
    """What the analysis reads of one GET; None when the read says nothing about the policy."""
    if answer.status == 200:
        body = answer.body if isinstance(answer.body, dict) else {}
        policy = (body.get("properties") or {}).get("policy")
        return {"status": 200, "policy": policy if isinstance(policy, dict) else body}
    if answer.status == 404:
        # Only the storage provider's own code means "no policy"; another 404 is the account itself gone.
        return {"status": 404} if answer.code == NONE_SET else None
    if answer.status is None:
        return None
    return {"status": answer.status, **({"code": answer.code} if answer.code else {})}


def read_policies(reader: ArmReader, account_ids: list[str],
                  workers: int = WORKERS) -> tuple[dict[str, dict[str, Any]], int]:
    """(account id lower case -> entry, how many accounts stay unknown)."""
    def read(account_id: str) -> tuple[str, dict[str, Any] | None]:
        return account_id.lower(), _entry(reader.get(f"{account_id}/managementPolicies/default", API_VERSION))

    if not account_ids:
        return {}, 0
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(account_ids)))) as pool:
        results = list(pool.map(read, account_ids))
    policies = {account: entry for account, entry in results if entry is not None}
    return policies, len(results) - len(policies)
