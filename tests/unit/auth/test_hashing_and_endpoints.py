"""hash_secret, pseudonym (against published test vectors), and the tenant/issuer helpers."""

from __future__ import annotations

import pytest

from shared.auth.endpoints import canonical_tenant, issued_by, v1_issuer, v1_keys_url, v2_issuer
from shared.auth.hashing import hash_secret, pseudonym
from shared.errors import InvalidInput
from tests.unit.auth.tokens import AUTHORITY, OTHER_TENANT, TENANT

# RFC 4231 test case 6: a 131-byte key, HMAC-SHA-256.
RFC4231_KEY = b"\xaa" * 131
RFC4231_DATA = "Test Using Larger Than Block-Size Key - Hash Key First"
RFC4231_MAC = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"


def test_hash_secret_is_sha256_hex() -> None:
    # FIPS 180-2 example: SHA-256("abc").
    assert hash_secret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_pseudonym_is_truncated_hmac_sha256() -> None:
    assert pseudonym(RFC4231_KEY, RFC4231_DATA) == RFC4231_MAC[:32]
    assert pseudonym(RFC4231_KEY, RFC4231_DATA, length=64) == RFC4231_MAC


def test_pseudonym_depends_on_the_key() -> None:
    assert pseudonym(b"k" * 32, "203.0.113.7") != pseudonym(b"j" * 32, "203.0.113.7")


def test_pseudonym_refuses_a_short_key_or_length() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        pseudonym(b"short", "x")
    with pytest.raises(ValueError, match="16 to 64"):
        pseudonym(b"k" * 32, "x", length=8)


def test_canonical_tenant_lowers_a_guid_and_names_the_field_otherwise() -> None:
    assert canonical_tenant(TENANT.upper()) == TENANT
    with pytest.raises(InvalidInput) as caught:
        canonical_tenant("not-a-guid", "auth.tenant")
    assert caught.value.fields == {"auth.tenant": "must be the tenant's directory id (a GUID)"}


def test_issuers_and_key_urls() -> None:
    assert v2_issuer(TENANT) == f"{AUTHORITY}/{TENANT}/v2.0"
    assert v1_issuer(TENANT) == f"https://sts.windows.net/{TENANT}/"
    assert v1_keys_url(TENANT) == f"{AUTHORITY}/{TENANT}/discovery/keys"


@pytest.mark.parametrize(("issuer", "ok"), [
    (f"https://sts.windows.net/{TENANT}/", True),
    (f"https://sts.windows.net/{TENANT.upper()}/", True),
    (f"https://sts.windows.net/{OTHER_TENANT}/", False),
    (f"https://STS.windows.net/{TENANT}/", False),
    (f"https://sts.windows.net/x/{TENANT}/", False),
    ("https://sts.windows.net/", False),
    (None, False),
])
def test_issued_by_compares_prefix_exactly_and_the_tenant_lower_case(issuer: object, ok: bool) -> None:
    assert issued_by(issuer, "https://sts.windows.net/", TENANT, "/") is ok
