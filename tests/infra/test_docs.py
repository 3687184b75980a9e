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
