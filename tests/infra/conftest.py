"""Session fixtures for the infrastructure checks: one checkov run per tree, one pycep parse of every file.

checkov and pycep live in .venv-checkov (its own pinned dependency tree); `make setup` builds it. A missing
checkov fails these tests rather than skipping them. Both checkov runs start at once (CI has two cores).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CHECKOV_PYTHON = ROOT / ".venv-checkov" / "bin" / "python"
TIMEOUT_SECONDS = 180

# Runs inside .venv-checkov: parse each file given on argv, print {path: tree} or {path: {"error": ...}}.
_PARSE_SCRIPT = """
import json, sys
from pathlib import Path
from pycep import BicepParser
out = {}
for name in sys.argv[1:]:
    try:
        out[name] = BicepParser().parse(file_path=Path(name))
    except Exception as exc:
        out[name] = {"error": f"{type(exc).__name__}: {exc}"}
print(json.dumps(out, default=str))
"""


@dataclass(frozen=True)
class CheckovReport:
    """The parts of checkov's JSON report the tests read."""

    summary: dict[str, Any]
    passed: list[dict[str, Any]]
    failed: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    parsing_errors: list[str]


def _require(path: Path) -> None:
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make setup` (it builds .venv-checkov with checkov 3.3.30)")


def _start_checkov(directory: Path) -> subprocess.Popen[str]:
    # --skip-download: otherwise checkov calls the Prisma Cloud API, which is unreachable here.
    args = [str(CHECKOV), "-d", str(directory), "--framework", "bicep", "--skip-download",
            "--external-checks-dir", str(INFRA / "checks"), "-o", "json"]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish_checkov(proc: subprocess.Popen[str]) -> CheckovReport:
    try:
        out, err = proc.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"checkov took more than {TIMEOUT_SECONDS} s")
    # Exit 1 means failed checks (asserted on below); anything else is checkov itself failing.
    if proc.returncode not in (0, 1):
        pytest.fail(f"checkov exited {proc.returncode}: {err[-2000:]}")
    data = json.loads(out)
    results = data.get("results", {})
    return CheckovReport(summary=data["summary"], passed=results.get("passed_checks", []),
                         failed=results.get("failed_checks", []), skipped=results.get("skipped_checks", []),
                         parsing_errors=results.get("parsing_errors", []))


@dataclass(frozen=True)
class CheckovRuns:
    """checkov over infra/ and over the deliberately bad fixtures."""

    infra: CheckovReport
    fixtures: CheckovReport


@pytest.fixture(scope="session", autouse=True)
def _checkov_started() -> Iterator[list[subprocess.Popen[str]]]:
    """Start both checkov scans with the first infra test, so they overlap the pycep parse."""
    _require(CHECKOV)
    procs = [_start_checkov(INFRA), _start_checkov(FIXTURES)]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.fixture(scope="session")
def checkov_runs(_checkov_started: list[subprocess.Popen[str]]) -> CheckovRuns:
    """The reports of the checkov run over infra/ and the one over tests/infra/fixtures/."""
    infra, fixtures = _checkov_started
    return CheckovRuns(infra=_finish_checkov(infra), fixtures=_finish_checkov(fixtures))


def parse_bicep_files(paths: list[Path]) -> dict[str, Any]:
    """Parse Bicep files with pycep (in .venv-checkov); maps each path to its tree or {"error": message}."""
    _require(CHECKOV_PYTHON)
    done = subprocess.run([str(CHECKOV_PYTHON), "-c", _PARSE_SCRIPT, *map(str, paths)], capture_output=True,
                          text=True, timeout=TIMEOUT_SECONDS, check=False)
    if done.returncode != 0:
        pytest.fail(f"pycep parse failed to run: {done.stderr[-2000:]}")
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


@pytest.fixture(scope="session")
def bicep() -> dict[str, Any]:
    """Every .bicep file under infra/, parsed, keyed by its path relative to infra/ (main.bicep, modules/x.bicep)."""
    files = sorted(INFRA.rglob("*.bicep"))
    parsed = parse_bicep_files(files)
    return {str(Path(name).relative_to(INFRA)): tree for name, tree in parsed.items()}
