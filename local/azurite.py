"""Azurite (npm, pinned 3.35.0) as the local Blob and Table storage: HTTPS, OAuth, free ports, no orphans."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType

from local.certs import CertPaths
from local.procgroup import terminate_group

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
AZURITE_JS = REPO_ROOT / "node_modules" / "azurite" / "dist" / "src" / "azurite.js"
ACCOUNT = "devstoreaccount1"
# Azurite prints one line per service once it listens; with port 0 this is the only way to learn the port.
_LISTENING = re.compile(r"Azurite (Blob|Queue|Table) service is successfully listening at https://127\.0\.0\.1:(\d+)")


class AzuriteError(RuntimeError):
    """Azurite could not be started."""


class Azurite:
    """One Azurite process serving Blob and Table over HTTPS with `--oauth basic` on free loopback ports."""

    def __init__(self, certs: CertPaths, workdir: Path, *, start_timeout: float = 30.0) -> None:
        self._certs = certs
        self._workdir = workdir
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[str] | None = None
        self._ports: dict[str, int] = {}
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None
        self._last_lines: list[str] = []

    @property
    def blob_endpoint(self) -> str:
        """The blob service URL, account in the path (https://127.0.0.1:PORT/devstoreaccount1)."""
        return f"https://127.0.0.1:{self._port('Blob')}/{ACCOUNT}"

    @property
    def table_endpoint(self) -> str:
        """The table service URL, account in the path."""
        return f"https://127.0.0.1:{self._port('Table')}/{ACCOUNT}"

    @property
    def queue_endpoint(self) -> str:
        """The queue service URL (only the Functions host's own bookkeeping uses it)."""
        return f"https://127.0.0.1:{self._port('Queue')}/{ACCOUNT}"

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self._proc.pid if self._proc else None

    def _port(self, service: str) -> int:
        if service not in self._ports:
            raise AzuriteError("Azurite is not running")
        return self._ports[service]

    def command(self) -> list[str]:
        """The node command line that starts Azurite."""
        return [
            "node", str(AZURITE_JS),
            "--inMemoryPersistence", "--extentMemoryLimit", "512",
            "--skipApiVersionCheck", "--disableTelemetry", "--silent",
            "--cert", str(self._certs.cert), "--key", str(self._certs.key), "--oauth", "basic",
            "--blobHost", "127.0.0.1", "--blobPort", "0",
            "--tableHost", "127.0.0.1", "--tablePort", "0",
            # The combined binary always starts the queue service; keep it on an ephemeral loopback port.
            "--queueHost", "127.0.0.1", "--queuePort", "0",
        ]

    def start(self) -> Azurite:
        """Start Azurite and wait (bounded) until Blob and Table listen; `workdir` is its cwd (debug logs)."""
        if self._proc is not None:
            return self
        if not AZURITE_JS.exists():
            raise AzuriteError(f"{AZURITE_JS} is missing: run `make setup` (npm ci)")
        self._workdir.mkdir(parents=True, exist_ok=True)
        # Own process group, so stop() can take node and anything it spawned down together.
        self._proc = subprocess.Popen(
            self.command(), cwd=self._workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True, env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        self._reader = threading.Thread(target=self._read_output, name="azurite-output", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self._start_timeout
        # Bounded wait that also notices an early exit (bad flags, missing node) instead of sitting it out.
        while not self._ready.wait(0.05) and self._proc.poll() is None and time.monotonic() < deadline:
            pass
        if not self._ready.is_set():
            exited = self._proc.poll()
            self.stop()
            raise AzuriteError(f"Azurite not ready within {self._start_timeout:.0f}s (exit code {exited}): "
                               + " | ".join(self._last_lines))
        logger.info("Azurite listening: blob %s, table %s", self.blob_endpoint, self.table_endpoint)
        return self

    def _read_output(self) -> None:
        proc = self._proc
        if proc is None or proc.stdout is None:
            return
        for line in proc.stdout:
            self._last_lines = [*self._last_lines[-4:], line.rstrip()]
            match = _LISTENING.search(line)
            if match:
                self._ports[match.group(1)] = int(match.group(2))
                if {"Blob", "Table", "Queue"} <= self._ports.keys():
                    self._ready.set()
            elif "error" in line.lower():
                logger.warning("azurite: %s", line.rstrip())

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it has not exited within `timeout`."""
        proc, self._proc = self._proc, None
        self._ports.clear()
        self._ready.clear()
        if proc is None:
            return
        terminate_group(proc, timeout)
        if self._reader is not None:
            self._reader.join(timeout=2)
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

