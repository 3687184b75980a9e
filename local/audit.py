"""`python -m local.audit` (`make audit`): known vulnerabilities in the pinned Python packages and the npm lock.

pip-audit checks requirements-dev.txt (which includes requirements.txt) against the PyPI advisory data, and
`npm audit --package-lock-only` checks package-lock.json against the npm registry's advisories. Both need
their advisory service online. A check that could not run says so and why, and is never reported as "no
vulnerabilities"; the exit status is 1 only when an advisory was found, so an unreachable service does not
fail a build (docs/local.md, "Dependency audit").
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOL_TIMEOUT = 600.0


@dataclass
class Verdict:
    """What one audit tool found: advisories, and what it could not check (with the reason)."""

    tool: str
    checked: int = 0
    found: list[str] = field(default_factory=list)
    unaudited: dict[str, str] = field(default_factory=dict)
    failure: str = ""

    def lines(self) -> list[str]:
        """A human summary: found advisories first, then what went unchecked and why."""
        out = [f"{self.tool}: {item}" for item in self.found]
        if self.failure:
            out.append(f"{self.tool}: could not run: {self.failure}")
        if self.unaudited:
            reasons = sorted(set(self.unaudited.values()))
            out.append(f"{self.tool}: NOT AUDITED: {len(self.unaudited)} package(s), e.g. "
                       f"{', '.join(sorted(self.unaudited)[:5])}; reason: {reasons[0]}"
                       + (f" (+{len(reasons) - 1} other reason(s))" if len(reasons) > 1 else ""))
        if not self.found and not self.failure and self.checked:
            out.append(f"{self.tool}: {self.checked} package(s) audited, no known vulnerabilities"
                       + (" among them" if self.unaudited else ""))
        return out


def read_pip_audit(report: dict[str, Any]) -> Verdict:
    """pip-audit's JSON (`-f json`): one entry per dependency, with `vulns`, or `skip_reason` if not checked."""
    verdict = Verdict("pip-audit")
    for dep in report.get("dependencies", []):
        name = str(dep.get("name"))
        if "skip_reason" in dep:
            # "Dependency not found on PyPI and could not be audited: NAME (VERSION)": keep the reason only.
            verdict.unaudited[name] = re.sub(r":\s*\S+ \([^)]*\)\s*$", "", str(dep["skip_reason"])).strip()
            continue
        verdict.checked += 1
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            verdict.found.append(f"{name} {dep.get('version')}: {vuln.get('id')} (fixed in {fixes})")
    return verdict


def read_npm_audit(report: dict[str, Any]) -> Verdict:
    """`npm audit --json`: auditReportVersion 2 (`vulnerabilities` by package), or an error object."""
    verdict = Verdict("npm audit")
    if "auditReportVersion" not in report:
        # The registry refused or could not be reached: npm prints {"message": ..., "error": {...}}.
        verdict.failure = str(report.get("message") or report.get("error") or "no audit report")
        return verdict
    verdict.checked = int(report.get("metadata", {}).get("dependencies", {}).get("total", 0))
    for name, vuln in sorted(report.get("vulnerabilities", {}).items()):
        verdict.found.append(f"{name} {vuln.get('range', '')}: {vuln.get('severity', 'unknown')} severity".strip())
    return verdict


def _json_or_failure(text: str, tool: str, stderr: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        tail = stderr.strip().splitlines()[-1:] or ["no output"]
        return {"message": f"{tool} gave no JSON report ({tail[0][:300]})"}
    return parsed if isinstance(parsed, dict) else {"message": f"{tool} gave an unexpected report"}


def run_pip_audit() -> Verdict:
    """Audit requirements-dev.txt (and the requirements.txt it includes) with pip-audit."""
    with tempfile.TemporaryDirectory(prefix="caleta-audit-") as work:
        out = Path(work) / "pip-audit.json"
        command = [sys.executable, "-m", "pip_audit", "-r", str(REPO_ROOT / "requirements-dev.txt"), "-f", "json",
                   "-o", str(out), "--progress-spinner", "off"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False,
                              cwd=REPO_ROOT)
        text = out.read_text() if out.exists() else ""
    report = _json_or_failure(text, "pip-audit", done.stderr)
    if "dependencies" not in report:
        return Verdict("pip-audit", failure=str(report.get("message")))
    return read_pip_audit(report)


def run_npm_audit() -> Verdict:
    """Audit package-lock.json with `npm audit` (the lock file only: node_modules need not be installed)."""
    command = ["npm", "audit", "--package-lock-only", "--json", "--no-fund"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False,
                              cwd=REPO_ROOT)
    except FileNotFoundError:
        return Verdict("npm audit", failure="npm is not installed")
    return read_npm_audit(_json_or_failure(done.stdout, "npm audit", done.stderr))


def exit_status(verdicts: list[Verdict]) -> int:
    """1 when any advisory was found; 0 otherwise, also when a check could not run (it was said above)."""
    return 1 if any(v.found for v in verdicts) else 0


def main() -> int:
    """Run both audits, print what each found or why it could not check, exit 1 on any advisory."""
    verdicts = [run_pip_audit(), run_npm_audit()]
    for verdict in verdicts:
        for line in verdict.lines():
            print(line, flush=True)
    if any(v.failure or v.unaudited for v in verdicts):
        print("Not everything was audited (above): an advisory service was not reachable from here, so the "
              "exit status covers only what was checked. Run `make audit` where both services answer "
              "(docs/local.md, Dependency audit).", flush=True)
    return exit_status(verdicts)


if __name__ == "__main__":
    sys.exit(main())
