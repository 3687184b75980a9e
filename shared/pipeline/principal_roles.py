"""Azure roles and offers as onboarding judges them: built-in role GUIDs, write detection, offer notes."""

from __future__ import annotations

from typing import Any

# Built-in role definition GUIDs (learn.microsoft.com built-in roles); compared on the GUID, never the name.
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
COST_MANAGEMENT_READER = "72fafb9e-0641-4937-9268-a91bfd8191a3"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"

BUILT_IN_NAMES = {
    READER: "Reader",
    COST_MANAGEMENT_READER: "Cost Management Reader",
    CONTRIBUTOR: "Contributor",
    OWNER: "Owner",
    USER_ACCESS_ADMINISTRATOR: "User Access Administrator",
}
HIGH_PRIVILEGE = frozenset({OWNER, CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR})


def role_name(role_id: str, definition: dict[str, Any] | None) -> str:
    """A readable name: the built-in's, the definition's roleName, else the GUID."""
    if role_id in BUILT_IN_NAMES:
        return BUILT_IN_NAMES[role_id]
    props = (definition or {}).get("properties") or {}
    name = (definition or {}).get("roleName") or props.get("roleName")
    return str(name) if name else f"role {role_id}"


def _is_change(action: str) -> bool:
    verb = action.strip().lower()
    return verb == "*" or verb.endswith(("/write", "/delete", "/action", "/*"))


def can_change_things(definition: dict[str, Any]) -> bool:
    """True when any permission's actions or dataActions can write, delete or act (`*` included)."""
    props = definition.get("properties") or {}
    permissions = definition.get("permissions") or props.get("permissions") or []
    for permission in permissions:
        if not isinstance(permission, dict):
            continue
        for key in ("actions", "dataActions"):
            if any(_is_change(str(a)) for a in permission.get(key) or []):
                return True
    return False


# quotaId prefixes (lower case) -> (offer, what the review can see). Longest prefix wins. The quota ids are those
# of "Supported Microsoft Azure offers" in MicrosoftDocs/azure-docs
# articles/cost-management-billing/costs/understand-cost-mgt-data.md: a Microsoft Customer Agreement's
# "Microsoft Azure Plan" carries EnterpriseAgreement_2014-09-01 (its Dev/Test plan MSDNDevTest_2014-09-01), so
# the quota id cannot tell an EA from an MCA; an MCA bought through a partner carries CSP_2015-05-01,
# CSP_MG_2017-12-01 or CSPDEVTEST_2018-05-01, the same ids as classic CSP, which Cost Management does not
# support. Sponsorship, Azure for Students and support-plan ids are on that page's "not supported yet" list.
_CREDIT = "a monthly credit or prepayment may cover usage, so savings may not reduce the bill"
_UNSUPPORTED = "Cost Management does not support this offer, so the review may rely on inventory and Advisor only"
_OFFERS: tuple[tuple[str, str, str | None], ...] = (
    ("enterpriseagreement", "EA or MCA", None),
    ("msdndevtest", "Dev/Test",
     "Dev/Test subscription (EA, MCA or pay-as-you-go): dev/test prices apply and reservation and savings-plan "
     "advice may not apply."),
    ("msdn", "Visual Studio (MSDN)", f"Visual Studio / MSDN subscription: {_CREDIT}."),
    ("mpn", "Partner Program / Visual Studio Enterprise (MPN)", f"Partner Program subscription: {_CREDIT}."),
    ("payasyougo", "Pay-as-you-go", None),
    ("csp", "CSP or MCA through a partner",
     "Partner subscription: cost data is available only for a Microsoft Customer Agreement through a partner "
     "(classic CSP is not supported by Cost Management), and only when the partner has enabled cost visibility for "
     "customers; the review may rely on inventory and Advisor only."),
    ("sponsored", "Sponsored", f"Sponsored subscription: usage is paid from sponsorship credit, and {_UNSUPPORTED}."),
    ("freetrial", "Free trial",
     "Free trial: limited spending and services; the review will be small and Advisor may have little to say."),
    ("azurepass", "Azure Pass", "Azure Pass: credit-based and time-limited; the review will be limited."),
    ("azureinopen", "Azure in Open", f"Azure in Open: prepaid, so {_CREDIT}."),
    ("azureforstudents", "Azure for Students", f"Azure for Students: {_UNSUPPORTED}."),
    ("dreamspark", "Azure for Students Starter", f"Azure for Students Starter: {_UNSUPPORTED}."),
    ("default", "Support plan", f"Support plan subscription: {_UNSUPPORTED}."),
)


def describe_offer(quota_id: Any) -> tuple[str | None, str | None]:
    """(offer, note) from a subscription's quotaId; unknown offers are named 'other' with a note."""
    if not quota_id:
        return None, None
    text = str(quota_id).lower()
    for prefix, offer, note in sorted(_OFFERS, key=lambda o: -len(o[0])):
        if text.startswith(prefix):
            return offer, note
    return "Other", f"Unrecognised offer ({str(quota_id)[:60]}): what cost data the review can see is unknown."
