"""`make audit` (local/audit.py): advisories fail it; what could not be checked is said, never called clean."""

from __future__ import annotations

from typing import Any

from local.audit import Verdict, _json_or_failure, exit_status, read_npm_audit, read_pip_audit

# The shapes pip-audit 2.10.1 writes with `-f json` (pip_audit/_format/json.py) and npm 11 writes with
# `npm audit --json` (@npmcli/arborist lib/audit-report.js toJSON; the error object as npm printed it here).
PIP_CLEAN = {"dependencies": [{"name": "jinja2", "version": "3.1.6", "vulns": []},
                              {"name": "pydantic", "version": "2.14.3", "vulns": []}], "fixes": []}
PIP_VULNERABLE = {"dependencies": [
    {"name": "jinja2", "version": "3.1.6", "vulns": []},
    {"name": "setuptools", "version": "65.5.0", "vulns": [
        {"id": "PYSEC-2022-43012", "fix_versions": ["65.5.1"]},
        {"id": "GHSA-cx63-2mw6-8hw5", "fix_versions": []}]}], "fixes": []}
PIP_OFFLINE = {"dependencies": [
    {"name": "azure-core", "skip_reason": "Dependency not found on PyPI and could not be audited: azure-core (1.41.0)"},
    {"name": "pyjwt", "skip_reason": "Dependency not found on PyPI and could not be audited: pyjwt (2.15.1)"},
    {"name": "jinja2", "version": "3.1.6", "vulns": []}], "fixes": []}
NPM_CLEAN = {"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {
    "vulnerabilities": {"info": 0, "low": 0, "moderate": 0, "high": 0, "critical": 0, "total": 0},
    "dependencies": {"prod": 120, "dev": 0, "optional": 1, "peer": 0, "peerOptional": 0, "total": 121}}}
NPM_VULNERABLE: dict[str, Any] = {"auditReportVersion": 2, "vulnerabilities": {
    "tar": {"name": "tar", "severity": "high", "isDirect": False, "via": ["GHSA-xxxx"], "range": "<6.2.1",
            "fixAvailable": True}}, "metadata": {
    "vulnerabilities": {"info": 0, "low": 0, "moderate": 0, "high": 1, "critical": 0, "total": 1},
    "dependencies": {"total": 121}}}
NPM_405 = {"message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk",
           "method": "POST", "statusCode": 405, "body": "", "error": {"summary": "", "detail": ""}}


def test_pip_advisories_are_listed_with_fixes_and_fail_when_found() -> None:
    verdict = read_pip_audit(PIP_VULNERABLE)
    assert verdict.found == ["setuptools 65.5.0: PYSEC-2022-43012 (fixed in 65.5.1)",
                             "setuptools 65.5.0: GHSA-cx63-2mw6-8hw5 (fixed in none yet)"]
    assert exit_status([verdict]) == 1


def test_clean_reports_pass_and_say_how_much_was_checked_when_nothing_is_found() -> None:
    pip, npm = read_pip_audit(PIP_CLEAN), read_npm_audit(NPM_CLEAN)
    assert exit_status([pip, npm]) == 0
    assert pip.lines() == ["pip-audit: 2 package(s) audited, no known vulnerabilities"]
    assert npm.lines() == ["npm audit: 121 package(s) audited, no known vulnerabilities"]


def test_unaudited_packages_are_named_not_called_clean_when_the_service_is_unreachable() -> None:
    verdict = read_pip_audit(PIP_OFFLINE)
    assert verdict.unaudited == {"azure-core": "Dependency not found on PyPI and could not be audited",
                                 "pyjwt": "Dependency not found on PyPI and could not be audited"}
    assert verdict.checked == 1 and exit_status([verdict]) == 0
    text = "\n".join(verdict.lines())
    assert "NOT AUDITED: 2 package(s), e.g. azure-core, pyjwt" in text
    assert "no known vulnerabilities among them" in text
    everything_skipped = read_pip_audit({"dependencies": PIP_OFFLINE["dependencies"][:2]})
    assert not any("no known vulnerabilities" in line for line in everything_skipped.lines())


def test_npm_refusal_is_reported_as_not_run_and_does_not_fail_when_the_endpoint_answers_405() -> None:
    verdict = read_npm_audit(NPM_405)
    assert verdict.failure.startswith("405 Method Not Allowed") and not verdict.found
    assert verdict.lines() == [f"npm audit: could not run: {NPM_405['message']}"]
    assert exit_status([verdict, read_pip_audit(PIP_CLEAN)]) == 0


def test_npm_advisories_fail_when_found() -> None:
    verdict = read_npm_audit(NPM_VULNERABLE)
    assert verdict.found == ["tar <6.2.1: high severity"]
    assert exit_status([read_pip_audit(PIP_CLEAN), verdict]) == 1


def test_output_that_is_not_json_becomes_a_failure_when_a_tool_crashes() -> None:
    report = _json_or_failure("Traceback ...", "pip-audit", "boom\nRuntimeError: no network")
    assert report == {"message": "pip-audit gave no JSON report (RuntimeError: no network)"}
    assert read_npm_audit(report).failure.startswith("pip-audit gave no JSON report")
    assert exit_status([Verdict("x", failure="down")]) == 0
