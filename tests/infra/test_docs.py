"""The promises table cites tests that exist, SECURITY.md keeps the sheet's promise, azure.yaml deploys the app."""

from __future__ import annotations

import re

from tests.infra.conftest import ROOT

# Rows whose test is still to be written by the lifecycle work say so with this exact marker.
PLACEHOLDER = "tests/e2e/test_lifecycle.py (lifecycle)"
_CITATION = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def test_every_cited_test_exists_when_promises_are_read() -> None:
    text = (ROOT / "docs" / "promises.md").read_text()
    citations = _CITATION.findall(text.replace(f"`{PLACEHOLDER}`", ""))
    assert len(citations) >= 20
    missing = []
    for path, function in citations:
        file = ROOT / path
        if not file.is_file() or (function and f"def {function}(" not in file.read_text()):
            missing.append(f"{path}::{function}" if function else path)
    assert missing == []


def test_every_table_row_names_a_proof_when_promises_are_read() -> None:
    rows = [line for line in (ROOT / "docs" / "promises.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith(("| Promise", "|---"))]
    assert len(rows) >= 22
    assert all(line.rstrip().endswith("|") and line.split("|")[-2].strip() for line in rows)


def test_security_policy_names_the_address_and_the_acknowledgement_when_read() -> None:
    text = (ROOT / "SECURITY.md").read_text()
    assert "privacy@caleta.io" in text
    assert "one business day" in text


def test_azd_deploys_the_python_function_app_when_azure_yaml_is_read() -> None:
    text = (ROOT / "azure.yaml").read_text()
    assert re.search(r"^services:\n  api:\n    project: \.\n    language: python\n    host: function$", text, re.M)
    assert re.search(r"^infra:\n  provider: bicep\n  path: infra\n", text, re.M)


def test_deploy_guide_settles_every_audit_item_when_read() -> None:
    # docs/deploy.md section 10: one row per finding of the first-deploy audit, each fixed or documented.
    text = (ROOT / "docs" / "deploy.md").read_text().split("## 10.", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| ([BSM]\d+)\b[^|]*\| ([a-z +]+) \|", text, re.M))
    expected = {f"B{n}" for n in range(1, 6)} | {f"S{n}" for n in range(1, 13)} | {f"M{n}" for n in range(1, 15)}
    assert set(rows) == expected
    assert set(rows.values()) <= {"infra", "documented", "product", "infra + documented"}


def test_deploy_guide_names_every_azd_setting_and_the_preflight_when_read() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text()
    parameters = (ROOT / "infra" / "main.parameters.json").read_text()
    for name in re.findall(r"\$\{(CALETA_[A-Z_]+)", parameters):
        assert f"azd env set {name} " in text, name
    for fragment in ("az cognitiveservices model list -l uksouth", "model.lifecycleStatus", "model.skus[].name",
                     "python infra/verify_deploy.py"):
        assert fragment in text, fragment
