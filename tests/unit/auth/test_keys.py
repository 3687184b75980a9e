"""KeyCache: bounded lifetime, one refresh on an unknown kid (key rollover), never more often than the floor."""

from __future__ import annotations

import pytest

from shared.auth.errors import EntraUnavailable, TokenRejected
from shared.auth.id_token import verify_id_token
from shared.auth.keys import LIFETIME_S, REFRESH_FLOOR_S, KeyCache, parse_jwks
from tests.unit.auth.tokens import APP, JWKS, NONCE, TENANT, Clock, FakeEntra, Key, b64url, id_claims

OLD, NEW = Key("old"), Key("new")


def reads_of(entra: FakeEntra, url: str = JWKS) -> int:
    return entra.reads.count(url)


def verify(token: str, cache: KeyCache, clock: Clock) -> bool:
    return verify_id_token(token, tenant_id=TENANT, client_id=APP, nonce=NONCE, keys=cache, now=clock).is_admin


def test_known_kid_is_served_from_the_cache() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    cache = KeyCache(entra, clock=clock)
    for _ in range(3):
        assert cache.signing_key(JWKS, "old") is not None
    assert reads_of(entra) == 1


def test_key_rollover_unknown_kid_triggers_one_refresh_then_succeeds() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    cache = KeyCache(entra, clock=clock)
    assert verify(OLD.sign(id_claims()), cache, clock)
    entra.publish(JWKS, OLD, NEW)  # Entra rolls to a new key
    clock.now += REFRESH_FLOOR_S
    assert verify(NEW.sign(id_claims()), cache, clock)
    assert reads_of(entra) == 2
    assert verify(NEW.sign(id_claims()), cache, clock) and reads_of(entra) == 2


def test_second_unknown_kid_within_the_floor_does_not_refetch() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    cache = KeyCache(entra, clock=clock)
    cache.signing_key(JWKS, "old")
    clock.now += REFRESH_FLOOR_S
    assert cache.signing_key(JWKS, "forged-1") is None
    assert reads_of(entra) == 2
    clock.now += REFRESH_FLOOR_S - 1
    for kid in ("forged-2", "forged-3", "forged-4"):
        assert cache.signing_key(JWKS, kid) is None
    assert reads_of(entra) == 2
    clock.now += 1
    assert cache.signing_key(JWKS, "forged-5") is None and reads_of(entra) == 3


def test_unknown_kid_right_after_the_first_read_is_refused_without_refetching() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    cache = KeyCache(entra, clock=clock)
    with pytest.raises(TokenRejected, match="kid"):
        verify(NEW.sign(id_claims()), cache, clock)
    assert reads_of(entra) == 1


def test_key_set_is_read_again_once_its_lifetime_is_over() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    cache = KeyCache(entra, clock=clock)
    cache.signing_key(JWKS, "old")
    clock.now += LIFETIME_S - 1
    cache.signing_key(JWKS, "old")
    assert reads_of(entra) == 1
    entra.publish(JWKS, NEW)  # the old key was withdrawn (an emergency rollover)
    clock.now += 1
    assert cache.signing_key(JWKS, "old") is None
    assert reads_of(entra) == 2


def test_failed_read_is_not_retried_within_the_floor() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    entra.down = True
    cache = KeyCache(entra, clock=clock)
    for _ in range(3):
        with pytest.raises(EntraUnavailable):
            cache.signing_key(JWKS, "old")
    assert reads_of(entra) == 1
    entra.down = False
    clock.now += REFRESH_FLOOR_S
    assert cache.signing_key(JWKS, "old") is not None and reads_of(entra) == 2


def test_failed_rollover_refresh_keeps_the_keys_already_known() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    cache = KeyCache(entra, clock=clock)
    cache.signing_key(JWKS, "old")
    entra.down = True
    clock.now += REFRESH_FLOOR_S
    with pytest.raises(EntraUnavailable):
        cache.signing_key(JWKS, "new")
    assert cache.signing_key(JWKS, "old") is not None


def test_cache_holds_at_most_max_documents_least_recently_used_first_out() -> None:
    entra, clock = FakeEntra(OLD), Clock()
    for n in range(3):
        entra.publish(f"{JWKS}?n={n}", OLD)
    cache = KeyCache(entra, clock=clock, max_documents=2)
    cache.signing_key(f"{JWKS}?n=0", "old")
    cache.signing_key(f"{JWKS}?n=1", "old")
    cache.signing_key(f"{JWKS}?n=0", "old")
    cache.signing_key(f"{JWKS}?n=2", "old")  # evicts n=1, the least recently used
    cache.signing_key(f"{JWKS}?n=0", "old")
    assert reads_of(entra, f"{JWKS}?n=0") == 1
    cache.signing_key(f"{JWKS}?n=1", "old")
    assert reads_of(entra, f"{JWKS}?n=1") == 2


def test_only_rsa_signature_keys_of_at_least_2048_bits_are_usable() -> None:
    weak = Key("weak", bits=1024)
    document = {"keys": [
        OLD.jwk(),
        {**NEW.jwk(), "use": "enc"},
        {"kty": "oct", "kid": "sym", "k": b64url(b"0123456789abcdef0123456789abcdef")},
        weak.jwk(),
        {"kty": "RSA", "kid": "broken", "n": "***", "e": "AQAB"},
        {"kty": "RSA", "n": OLD.jwk()["n"], "e": "AQAB"},
        "not an object",
    ]}
    assert set(parse_jwks(document)) == {"old"}


def test_a_document_without_keys_yields_none() -> None:
    assert parse_jwks({"keys": "none"}) == {} and parse_jwks({}) == {}
