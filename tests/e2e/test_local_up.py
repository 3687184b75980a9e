"""`python -m local up` writes endpoints.json, and SIGTERM leaves no process and no listening port behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED_KEYS = {"authority_host", "arm_base", "openai_base", "blob_endpoint", "table_endpoint", "ca_bundle",
                 "estate", "servicebus_connection", "http_base"}


def _wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"`local up` exited early with {proc.returncode}"
        assert time.monotonic() < deadline, f"{path} not written within {timeout}s"
        time.sleep(0.2)
    data: dict[str, str] = json.loads(path.read_text())
    return data


def _ports(endpoints: dict[str, str]) -> set[int]:
    ports = {urlsplit(v).port for k, v in endpoints.items() if v.startswith(("http://", "https://"))}
    sb = endpoints["servicebus_connection"].split("Endpoint=sb://", 1)[1].split(";", 1)[0]
    ports.add(urlsplit(f"sb://{sb}").port)
    return {p for p in ports if p}


def _listening(ports: set[int]) -> set[int]:
    return {c.laddr.port for c in psutil.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port in ports}


def test_sigterm_stops_every_process_and_port_when_stack_is_up(tmp_path: Path) -> None:
    state = tmp_path / "state"
    proc = subprocess.Popen([sys.executable, "-m", "local", "up", "--state-dir", str(state)], cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=(tmp_path / "up.log").open("wb"),
                            start_new_session=True)
    try:
        endpoints = _wait_for(state / "endpoints.json", proc, timeout=180)
        assert endpoints.keys() >= REQUIRED_KEYS
        assert Path(endpoints["estate"]).is_absolute()
        assert Path(endpoints["ca_bundle"]).exists()
        family = {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        assert family, "expected Azurite and the host as child processes"
        ports = _ports(endpoints)
        assert _listening(ports) == ports
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) in (0, 128 + signal.SIGTERM)
        alive = [pid for pid in family if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
        assert alive == []
        assert _listening(ports) == set()
        assert not (state / "endpoints.json").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
