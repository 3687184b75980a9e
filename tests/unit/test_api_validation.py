"""Shape validation of POST /api/onboarding: every field, size before parsing, each bad field named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.api.models import MAX_BODY_BYTES, ClientSecretAuth, parse_onboarding
from shared.errors import InvalidInput

TENANT = "11111111-1111-1111-1111-111111111111"
CLIENT = "22222222-2222-2222-2222-222222222222"
SUB = "33333333-3333-3333-3333-333333333333"
CANARY = "CANARY-SECRET-9f8e7d"


def a_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "company": "Acme Ltd",
        "contact_email": "ops@acme.example",
        "tenant_id": TENANT,
        "auth": {"mode": "client_secret", "client_id": CLIENT, "client_secret": CANARY},
        "subscription_ids": [SUB],
        "schedule": "monthly",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def refused(body: Any) -> dict[str, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(InvalidInput) as caught:
        parse_onboarding(raw)
    assert CANARY not in str(caught.value.fields)
    return caught.value.fields


def test_valid_request_parses_when_every_field_is_right() -> None:
    request = parse_onboarding(json.dumps(a_body()).encode())
    assert isinstance(request.auth, ClientSecretAuth)
    assert request.auth.client_secret.get_secret_value() == CANARY
    assert (request.tenant_id, request.subscription_ids, request.schedule) == (TENANT, [SUB], "monthly")


def test_guids_are_lower_cased_when_sent_in_upper_case() -> None:
    request = parse_onboarding(json.dumps(a_body(tenant_id=TENANT.upper(), subscription_ids=[SUB.upper()])).encode())
    assert (request.tenant_id, request.subscription_ids) == (TENANT, [SUB])


def test_schedule_defaults_to_weekly_when_absent() -> None:
    body = a_body()
    del body["schedule"]
    assert parse_onboarding(json.dumps(body).encode()).schedule == "weekly"


def test_federated_mode_needs_no_client_fields_when_chosen() -> None:
    request = parse_onboarding(json.dumps(a_body(auth={"mode": "federated", "proof": "h" * 43})).encode())
    assert request.auth.mode == "federated"


def test_federated_mode_needs_the_sign_in_proof_when_chosen() -> None:
    assert refused(a_body(auth={"mode": "federated"})) == {"auth.proof": "required"}
    assert "auth.proof" in refused(a_body(auth={"mode": "federated", "proof": "h" * 129}))


@pytest.mark.parametrize(("field", "value"), [
    ("company", ""), ("company", "x" * 201), ("company", "Acme\x00Ltd"), ("company", 5),
    ("contact_email", "not-an-email"), ("contact_email", "a@b"), ("contact_email", "a b@c.com"),
    ("contact_email", "a@" + "b" * 250 + ".com"),
    ("tenant_id", "not-a-guid"), ("tenant_id", TENANT + "0"), ("tenant_id", ""),
    ("schedule", "daily"), ("subscription_ids", []), ("subscription_ids", "not-a-list"),
])
def test_field_is_named_when_its_value_is_bad(field: str, value: Any) -> None:
    assert field in refused(a_body(**{field: value}))


@pytest.mark.parametrize("field", ["company", "contact_email", "tenant_id", "auth", "subscription_ids"])
def test_field_is_named_when_required_and_missing(field: str) -> None:
    body = a_body()
    del body[field]
    assert refused(body) == {field: "required"}


def test_each_bad_field_is_named_when_several_are_bad() -> None:
    fields = refused(a_body(company="", tenant_id="x", contact_email="y", extra_field=1))
    assert set(fields) == {"company", "tenant_id", "contact_email", "extra_field"}


def test_unknown_field_is_refused_when_sent_at_top_level() -> None:
    assert refused(a_body(is_admin=True)) == {"is_admin": "unknown field"}


def test_unknown_field_is_refused_when_sent_inside_auth() -> None:
    assert refused(a_body(auth={"mode": "federated", "proof": "h" * 43, "client_secret": CANARY})) == {
        "auth.client_secret": "unknown field"}


@pytest.mark.parametrize("mode", ["", "certificate", None, 3])
def test_auth_mode_is_named_when_not_a_known_mode(mode: Any) -> None:
    assert set(refused(a_body(auth={"mode": mode}))) == {"auth.mode"}


def test_client_id_is_named_when_not_a_guid() -> None:
    assert set(refused(a_body(auth={"mode": "client_secret", "client_id": "abc", "client_secret": CANARY}))) == {
        "auth.client_id"}


def test_client_secret_is_named_when_missing_or_empty() -> None:
    assert set(refused(a_body(auth={"mode": "client_secret", "client_id": CLIENT}))) == {"auth.client_secret"}
    assert set(refused(a_body(auth={"mode": "client_secret", "client_id": CLIENT, "client_secret": ""}))) == {
        "auth.client_secret"}


def test_each_bad_subscription_is_named_by_index_when_not_a_guid() -> None:
    fields = refused(a_body(subscription_ids=[SUB, "nope", 7]))
    assert set(fields) == {"subscription_ids[1]", "subscription_ids[2]"}


def test_duplicate_subscriptions_are_named_when_repeated_in_any_case() -> None:
    assert refused(a_body(subscription_ids=[SUB, SUB.upper()])) == {
        "subscription_ids[1]": "duplicate subscription id"}


def test_a_thousand_subscriptions_are_accepted_when_unique() -> None:
    subs = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(1000)]
    assert len(parse_onboarding(json.dumps(a_body(subscription_ids=subs)).encode()).subscription_ids) == 1000


def test_subscriptions_are_refused_when_more_than_a_thousand() -> None:
    subs = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(1001)]
    assert set(refused(a_body(subscription_ids=subs))) == {"subscription_ids"}


def test_body_is_refused_before_parsing_when_over_64_kb() -> None:
    # Not even JSON: proves the size check comes before the parser.
    assert refused(b"{" * (MAX_BODY_BYTES + 1)) == {"body": f"larger than {MAX_BODY_BYTES} bytes"}


@pytest.mark.parametrize("raw", [b"", b"   ", b"{", b"[1,2]", b"null", b'"text"', b"\xff\xfe", b"[" * 60000])
def test_body_is_named_when_not_a_json_object(raw: bytes) -> None:
    assert set(refused(raw)) == {"body"}


def test_secret_never_appears_in_repr_when_parsed() -> None:
    request = parse_onboarding(json.dumps(a_body()).encode())
    assert CANARY not in repr(request)
    assert CANARY not in str(request.model_dump())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_parse_or_name_a_field_when_fuzzed(raw: bytes) -> None:
    try:
        parse_onboarding(raw)
    except InvalidInput as exc:
        assert exc.fields


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                   max_size=4), max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["company", "contact_email", "tenant_id", "auth", "subscription_ids",
                                        "schedule", "other"]), _json, max_size=7))
def test_any_json_object_parses_or_names_a_field_when_fuzzed(body: dict[str, Any]) -> None:
    try:
        parse_onboarding(json.dumps(body).encode())
    except InvalidInput as exc:
        assert exc.fields and all(isinstance(v, str) for v in exc.fields.values())


def test_duplicates_are_named_alongside_other_errors_when_both_occur() -> None:
    assert set(refused(a_body(company="", subscription_ids=[SUB, SUB]))) == {"company", "subscription_ids[1]"}


@pytest.mark.parametrize("character", ["\x85", "\x9b", "\u202e", "\u200b", "\u2028", "\u2029", "\ufeff", "\x00"])
def test_company_is_refused_when_it_holds_a_control_format_or_separator_character(character: str) -> None:
    assert refused(a_body(company=f"Acme{character}Ltd"))["company"].startswith("must not contain control")


@pytest.mark.parametrize("company", ["Caf\u00e9 \u2013 Ltd", "O'Brien & <Sons>", "Łódź Sp. z o.o.", "株式会社"])
def test_company_is_accepted_when_it_is_ordinary_text(company: str) -> None:
    assert parse_onboarding(json.dumps(a_body(company=company)).encode()).company == company


@pytest.mark.parametrize("address", ["<script>@x.com", "a;b@x.com", "a\u200b@x.com", '"quoted"@x.com', "a@[1.2.3.4]",
                                     "a@bücher.de", "x" * 65 + "@b.com", "a@b", "a..b@x.com"])
def test_contact_email_is_refused_when_it_is_not_a_plain_address(address: str) -> None:
    assert refused(a_body(contact_email=address)) == {"contact_email": "must be an e-mail address like "
                                                                       "name@example.com"}


def test_contact_email_domain_is_normalised_without_dns_when_accepted() -> None:
    # A domain with no DNS records is accepted: onboarding asks no DNS (check_deliverability off).
    assert parse_onboarding(json.dumps(a_body(contact_email="Ops@Acme.EXAMPLE")).encode()).contact_email == \
        "Ops@acme.example"
    assert parse_onboarding(json.dumps(a_body(contact_email="ops@no-such-domain-caleta.co.uk")).encode())
