"""`python -m local.simulator` starts, announces its endpoints, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.integration.sim_fixtures import SMALL_ESTATE

pytestmark = pytest.mark.integration


def test_cli_serves_until_sigterm_when_started(tmp_path: Path):
    process = subprocess.Popen([sys.executable, "-m", "local.simulator", "--estate", str(SMALL_ESTATE),
                                "--certs", str(tmp_path / "certs")], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        announced = json.loads(process.stdout.readline())
        stats = requests.get(f"{announced['base_url']}/_sim/stats", verify=str(tmp_path / "certs" / "ca.pem"),
                             timeout=10).json()
        process.send_signal(signal.SIGTERM)
        assert (stats["refused_writes"], process.wait(timeout=10)) == (0, 0)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
