"""The page's validation (static/validate.js, run under Node) accepts and refuses exactly what the server does."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from shared.api.models import parse_onboarding
from shared.errors import InvalidInput
from shared.web.pages import STATIC, validation_rules

GOOD = "75f52ee7-223c-5660-b825-ac08303d192c"
PROOF = "h" * 43
SUB = "d012b2f1-e54f-5f05-8120-6fbf9da1ca5e"
SUB2 = "A012B2F1-E54F-5F05-8120-6FBF9DA1CA5E"
BASE: dict[str, Any] = {"company": "Pennine Freight Ltd", "contact_email": "finance@pennine.example",
                        "tenant_id": GOOD, "subscriptions_text": SUB, "mode": "federated", "client_id": "",
                        "client_secret": "", "schedule": "weekly", "proof": PROOF}
SECRET = {"mode": "client_secret", "client_id": SUB2, "client_secret": "s3cret~value"}
# Each case changes the valid form in one way; the server's verdict is the oracle.
CASES: list[dict[str, Any]] = [
    {}, {"company": ""}, {"company": "   "}, {"company": "A" * 200}, {"company": "A" * 201},
    {"company": "\U0001f680" * 200}, {"company": "\U0001f680" * 201}, {"company": "Bad\x01Co"},
    {"company": "Tab\tCo"}, {"company": "  O'Brien & <Sons>  "}, {"company": "Caf\u00e9 \u2013 Ltd"},
    {"contact_email": ""}, {"contact_email": "a@b"}, {"contact_email": "a@b.co"}, {"contact_email": "a b@c.com"},
    {"contact_email": "a@@b.com"}, {"contact_email": "x" * 65 + "@b.com"}, {"contact_email": "x" * 64 + "@b.com"},
    {"contact_email": "a@-b.com"}, {"contact_email": "a@b-.com"}, {"contact_email": " me@corp.example "},
    {"contact_email": "a@" + "b" * 63 + ".com"}, {"contact_email": "a@" + "b" * 64 + ".com"},
    {"contact_email": "a@" + ".".join(["b" * 60] * 4) + ".com"}, {"contact_email": "first.last+tag@x.co.uk"},
    # Finding 9: C1 controls, bidi overrides, zero-width and line separators; addresses that are not plain.
    {"company": "Bad\x85Co"}, {"company": "Bad\x9bCo"}, {"company": "Evil\u202eoC"}, {"company": "Zero\u200bWidth"},
    {"company": "Line\u2028Break"}, {"company": "Para\u2029Break"}, {"contact_email": "<script>@x.com"},
    {"contact_email": "a;b@x.com"}, {"contact_email": "a\u200b@x.com"}, {"contact_email": '"q"@x.com'},
    {"contact_email": "a@[1.2.3.4]"}, {"contact_email": "a@b\u00fccher.de"}, {"proof": ""},
    {"tenant_id": ""}, {"tenant_id": "not-a-guid"}, {"tenant_id": GOOD.upper()}, {"tenant_id": GOOD[:-1]},
    {"tenant_id": GOOD + "0"}, {"tenant_id": "{" + GOOD + "}"}, {"tenant_id": GOOD.replace("-", "")},
    {"tenant_id": f" {GOOD} "}, {"tenant_id": GOOD.replace("7", "g")},
    {"subscriptions_text": ""}, {"subscriptions_text": " , ;"}, {"subscriptions_text": f"{SUB}, {SUB2}"},
    {"subscriptions_text": f"{SUB}\n{SUB}\n{SUB.upper()}"}, {"subscriptions_text": f"/subscriptions/{SUB}"},
    {"subscriptions_text": f"{SUB};{SUB2[:-2]}"}, {"subscriptions_text": f"{SUB} zzzz"},
    {"subscriptions_text": "\n".join(f"{i:08x}-0000-0000-0000-000000000000" for i in range(1000))},
    {"subscriptions_text": "\n".join(f"{i:08x}-0000-0000-0000-000000000000" for i in range(1001))},
    {**SECRET}, {**SECRET, "client_id": ""}, {**SECRET, "client_id": "nope"}, {**SECRET, "client_secret": ""},
    {**SECRET, "client_secret": "x" * 1024}, {**SECRET, "client_secret": "x" * 1025},
    {**SECRET, "client_id": SUB2.lower()}, {"mode": "password"}, {"mode": ""},
    {"schedule": "monthly"}, {"schedule": "none"}, {"schedule": "daily"},
]


def run_page_rules(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every case through validate.js under Node: the request it builds and the fields it refuses."""
    node = shutil.which("node")
    assert node, "node is part of the toolchain (Azurite runs on it)"
    script = (f"const R = require({json.dumps(str(STATIC / 'validate.js'))});"
              "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(input.cases.map(v => ({"
              "request: R.buildRequest(v), fields: Object.keys(R.validate(v, input.rules)).sort()}))));")
    payload = json.dumps({"cases": cases, "rules": validation_rules()})
    done = subprocess.run([node, "-e", script], input=payload, capture_output=True, text=True, timeout=60,
                          check=True)
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def server_fields(request: dict[str, Any]) -> list[str]:
    """The fields the server refuses for this request (indexes folded into the list's name)."""
    try:
        parse_onboarding(json.dumps(request).encode())
    except InvalidInput as exc:
        return sorted({re.sub(r"\[\d+\]$", "", name) for name in exc.fields})
    return []


@pytest.fixture(scope="module")
def page_verdicts() -> list[dict[str, Any]]:
    return run_page_rules([{**BASE, **case} for case in CASES])


@pytest.mark.parametrize("index", range(len(CASES)))
def test_page_refuses_the_same_fields_as_server_when_form_filled(index: int,
                                                                 page_verdicts: list[dict[str, Any]]) -> None:
    verdict = page_verdicts[index]
    assert verdict["fields"] == server_fields(verdict["request"]), CASES[index]


def test_pasted_subscriptions_are_split_on_any_separator_and_deduplicated_when_parsed(
        page_verdicts: list[dict[str, Any]]) -> None:
    split = page_verdicts[CASES.index({"subscriptions_text": f"{SUB}\n{SUB}\n{SUB.upper()}"})]
    assert split["request"]["subscription_ids"] == [SUB]
    both = page_verdicts[CASES.index({"subscriptions_text": f"{SUB}, {SUB2}"})]
    assert both["request"]["subscription_ids"] == [SUB, SUB2]


def test_secret_is_sent_only_in_client_secret_mode_when_built(page_verdicts: list[dict[str, Any]]) -> None:
    assert page_verdicts[0]["request"]["auth"] == {"mode": "federated", "proof": PROOF}
    assert page_verdicts[CASES.index({**SECRET})]["request"]["auth"]["client_secret"] == "s3cret~value"


def test_cases_cover_both_verdicts_for_every_field_when_listed(page_verdicts: list[dict[str, Any]]) -> None:
    refused = {name for v in page_verdicts for name in v["fields"]}
    assert refused == {"company", "contact_email", "tenant_id", "subscription_ids", "auth.client_id",
                       "auth.client_secret", "auth.mode", "auth.proof", "schedule"}
    assert sum(1 for v in page_verdicts if not v["fields"]) >= 15
