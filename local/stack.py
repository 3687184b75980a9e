"""The whole local stack: certs, Azurite, the simulated tenant, the broker and the function app in a host process."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from local.admin_token import admin_audience, default_admin, get_access_token
from local.azurite import ACCOUNT, Azurite
from local.certs import CertPaths, make_certs
from local.host.clock import CLOCK_FILE_ENV, write_offset
from local.host.http import ADMIN_KEY_HEADER, EXIT_PORT_IN_USE
from local.host.keyfile import read_key_file
from local.procgroup import terminate_group

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ESTATE = REPO_ROOT / "local" / "estates" / "demo.json"
HOST_START_TIMEOUT = 90.0
HOST_PORT_ATTEMPTS = 3  # a free port picked here can be taken before the host binds it: pick again
# Flex Consumption scales each Service Bus function out on its backlog (up to maximumInstanceCount, 40 in
# infra/modules/functionapp.bicep), each instance running host.json maxConcurrentCalls. The stack runs four
# instances' worth in its one host process, as `make bench` does with --workers 8.
HOST_INSTANCES = 4
# Azurite's published development account key (not a secret: every Azurite install has it).
AZURITE_DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class StackError(RuntimeError):
    """A part of the local stack failed to start."""


def secret_store_key(state_dir: Path) -> str:
    """The local secret store's key: 32 random bytes, base64, generated once per state dir and kept there."""
    path = state_dir / "secret-store.key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    return path.read_text().strip()


def free_port() -> int:
    """A loopback TCP port that was free a moment ago (the caller retries if it is taken before use)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _schedule_settings() -> dict[str, str]:
    """The timer schedules (bound as %SETTING% in triggers, so the host needs them set): env, else the defaults."""
    from shared.config import Settings

    out: dict[str, str] = {}
    for field in Settings.model_fields.values():
        if field.alias and field.alias.endswith("_TIMER"):
            out[field.alias] = os.environ.get(field.alias, str(field.default))
    return out


class Stack:
    """Starts the local stand-ins for Azure in order and stops all of them on any exit path."""

    def __init__(self, estate: Path, state_dir: Path, functions: bool = True, *,
                 sim_options: Any = None, host_port: int = 0,
                 settings_overrides: Mapping[str, str] | None = None) -> None:
        self.estate = estate.resolve()
        self.state_dir = state_dir.resolve()
        self.functions = functions
        self._sim_options = sim_options
        self._host_port = host_port
        # Extra or changed app settings for the host (tests: shorter timers, smaller windows).
        self._overrides = dict(settings_overrides or {})
        self.certs: CertPaths | None = None
        self.azurite: Azurite | None = None
        self.simulator: Any = None
        self.broker: Any = None
        self.host_process: subprocess.Popen[bytes] | None = None
        self._host_log: IO[bytes] | None = None
        self.endpoints: dict[str, str] = {}
        self.app_settings: dict[str, str] = {}
        # The host's admin key for this run (x-functions-key), read from host_key_file once the host serves.
        self.admin_key = ""

    @property
    def host_log(self) -> Path:
        """Where the host subprocess writes its log."""
        return self.state_dir / "host.log"

    @property
    def calendar_file(self) -> Path:
        """Where the simulated tenant's calendar offset is published for the host's clock (local/host/clock.py)."""
        return self.state_dir / "calendar.json"

    @property
    def host_key_file(self) -> Path:
        """Where the host writes its admin key (0600); removed when the stack stops."""
        return self.state_dir / "host.key"

    def admin_headers(self) -> dict[str, str]:
        """The header the host's admin API (/admin/...) needs."""
        return {ADMIN_KEY_HEADER: self.admin_key}

    def admin_token(self, user: str | None = None) -> str:
        """A token for the admin API, as `az account get-access-token --resource <ADMIN_API_AUDIENCE>` gets it
        for `user` (default: the estate's first Caleta.Admin with MFA)."""
        from local.estates.model import load_estate

        assert self.certs is not None and self.simulator is not None, "the stack is not running"
        caleta = load_estate(self.estate).caleta
        return get_access_token(self.simulator.base_url, caleta.tenant_id, self.app_settings["ADMIN_API_AUDIENCE"],
                                user or default_admin(caleta), self.certs.bundle)

    def start(self) -> Stack:
        """Start every part (bounded waits); on any failure stop what started and raise."""
        if not self.estate.exists():
            raise StackError(f"estate file {self.estate} does not exist")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        from local.broker import Broker
        from local.simulator import Simulator
        from shared.messages import QUEUES

        self.state_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        self.certs = make_certs(self.state_dir / "certs")
        self.azurite = Azurite(self.certs, self.state_dir / "azurite").start()
        self.simulator = Simulator(self.estate, self.certs, options=self._sim_options)
        self.simulator.start()
        # The function app keeps the simulated tenant's days: the host's clock follows the simulator's calendar.
        calendar = self.simulator.state.calendar
        write_offset(self.calendar_file, calendar.offset_days)
        calendar.listeners.append(lambda days: write_offset(self.calendar_file, days))
        self.broker = Broker(queues=QUEUES)
        self.broker.start()
        self.app_settings = {**self._app_settings(), **self._overrides}
        self.endpoints = self._endpoints()
        if self.functions:
            self.endpoints["http_base"] = self._start_host()
            self.endpoints["admin_key_file"] = str(self.host_key_file)
        self._write_state()
        logger.info("local stack up in %.1fs (state in %s)", time.monotonic() - started, self.state_dir)

    def _app_settings(self) -> dict[str, str]:
        """The Function App settings, pointing at the local stand-ins (names from shared/config.py)."""
        from local.estates.model import load_estate

        assert self.certs is not None and self.azurite is not None
        caleta = load_estate(self.estate).caleta
        sim, azurite = self.simulator, self.azurite
        for sub in ("secrets", "outbox"):
            (self.state_dir / sub).mkdir(exist_ok=True)
        web_jobs_storage = (f"DefaultEndpointsProtocol=https;AccountName={ACCOUNT};AccountKey={AZURITE_DEV_KEY};"
                            f"BlobEndpoint={azurite.blob_endpoint};QueueEndpoint={azurite.queue_endpoint};"
                            f"TableEndpoint={azurite.table_endpoint};")
        return {
            "AZURE_AUTHORITY_HOST": sim.base_url,
            "ARM_ENDPOINT": sim.base_url,
            "AI_ENDPOINT": sim.base_url.rstrip("/") + "/openai/v1/",
            "AI_DEPLOYMENT": "gpt-4o",
            "STORAGE_BLOB_ENDPOINT": azurite.blob_endpoint,
            "STORAGE_TABLE_ENDPOINT": azurite.table_endpoint,
            "ServiceBusConnection": self.broker.connection_string,
            "SECRET_STORE_URL": (self.state_dir / "secrets").as_uri(),
            "SECRET_STORE_KEY": secret_store_key(self.state_dir),
            "IDENTITY_ENDPOINT": sim.msi_endpoint,
            "IDENTITY_HEADER": sim.msi_header,
            "MANAGED_IDENTITY_CLIENT_ID": caleta.managed_identity_client_id,
            "CALETA_APP_CLIENT_ID": caleta.app_client_id,
            "NOTIFY_OUTBOX_URL": (self.state_dir / "outbox").as_uri(),
            # Core Tools' default address (`up --no-functions`); the stack's own host sets its real one.
            "PUBLIC_BASE_URL": "http://localhost:7071",
            "REQUESTS_CA_BUNDLE": str(self.certs.bundle),
            "SSL_CERT_FILE": str(self.certs.bundle),
            "AzureWebJobsStorage": web_jobs_storage,
            "FUNCTIONS_WORKER_RUNTIME": "python",
            # The admin API checks Entra tokens of Caleta's tenant for the admin app, as in Azure: here the
            # simulated tenant issues them (local/admin_token.py, `python -m local admin-token`).
            "ADMIN_TENANT_ID": caleta.tenant_id,
            "ADMIN_API_AUDIENCE": admin_audience(caleta),
            "ADMIN_REQUIRE_MFA": "true",
            **_schedule_settings(),
        }

    def _endpoints(self) -> dict[str, str]:
        assert self.certs is not None and self.azurite is not None
        return {
            "authority_host": self.simulator.base_url,
            "arm_base": self.simulator.base_url,
            "openai_base": self.app_settings["AI_ENDPOINT"],
            "msi_endpoint": self.simulator.msi_endpoint,
            "blob_endpoint": self.azurite.blob_endpoint,
            "table_endpoint": self.azurite.table_endpoint,
            "ca_bundle": str(self.certs.bundle),
            "ca_cert": str(self.certs.ca),
            "estate": str(self.estate),
            "servicebus_connection": self.broker.connection_string,
            "state_dir": str(self.state_dir),
        }

    def _start_host(self) -> str:
        """Run `python -m local.host` on a port chosen first, so the settings it starts with name its address."""
        for attempt in range(1, HOST_PORT_ATTEMPTS + 1):
            port = self._host_port or self._pick_port()
            base = f"http://127.0.0.1:{port}"
            if "PUBLIC_BASE_URL" not in self._overrides:
                # E-mail links point here from the host's first e-mail on (the setting is read at start).
                self.app_settings["PUBLIC_BASE_URL"] = base
            code = self._run_host(port)
            if code is None:
                return base
            if code != EXIT_PORT_IN_USE or self._host_port or attempt == HOST_PORT_ATTEMPTS:
                raise StackError(f"the function host exited with {code}; see {self.host_log}")
            logger.info("port %d was taken before the host bound it; picking another", port)
        raise AssertionError("unreachable")

    def _pick_port(self) -> int:
        """The port for a host started with host_port=0 (a method, so a test can stage a taken port)."""
        return free_port()

    def _run_host(self, port: int) -> int | None:
        """Start the host on `port` and wait (bounded) until it serves: None, or its exit code if it stopped."""
        ready = self.state_dir / "host.ready.json"
        ready.unlink(missing_ok=True)
        self.host_key_file.unlink(missing_ok=True)
        if self._host_log is None:
            self._host_log = self.host_log.open("ab")
        env = {**os.environ, **self.app_settings, "PYTHONUNBUFFERED": "1", CLOCK_FILE_ENV: str(self.calendar_file)}
        command = [sys.executable, "-m", "local.host", "--port", str(port), "--ready-file", str(ready),
                   "--key-file", str(self.host_key_file), "--instances", str(HOST_INSTANCES)]
        self.host_process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                             stdout=self._host_log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + HOST_START_TIMEOUT
        while not ready.exists():
            code = self.host_process.poll()
            if code is not None:
                self.host_process = None
                return code
            if time.monotonic() > deadline:
                raise StackError(f"the function host did not start within {HOST_START_TIMEOUT:.0f}s")
            time.sleep(0.1)
        if json.loads(ready.read_text())["port"] != port:
            raise StackError(f"the function host serves on another port than {port}")
        self.admin_key = read_key_file(self.host_key_file)
        status = urllib.request.Request(f"http://127.0.0.1:{port}/admin/host/status", headers=self.admin_headers())
        with urllib.request.urlopen(status, timeout=10) as resp:  # noqa: S310 - loopback
            if json.loads(resp.read()).get("state") != "Running":
                raise StackError("the function host is not running")
        return None

    def stop_host(self, kill: bool = False) -> None:
        """Stop the host subprocess: SIGTERM (graceful), or SIGKILL to simulate a crash mid-invocation."""
        if self.host_process is not None:
            if kill:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.host_process.pid, signal.SIGKILL)
            code = terminate_group(self.host_process, timeout=15)
            logger.info("function host stopped (exit code %s)", code)
            self.host_process = None
        if self._host_log is not None:
            self._host_log.close()
            self._host_log = None

    def restart_host(self, kill: bool = False) -> str:
        """Stop the host (gracefully or by SIGKILL) and start it again on the same port; returns http_base."""
        port = urlsplit(self.endpoints["http_base"]).port if "http_base" in self.endpoints else self._host_port
        self.stop_host(kill=kill)
        self._host_port = port or 0
        self.endpoints["http_base"] = self._start_host()
        self._write_state()
        return self.endpoints["http_base"]

    def _write_state(self) -> None:
        """endpoints.json for tools and tests; local.settings.json for `func start` users."""
        path = self.state_dir / "endpoints.json"
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(self.endpoints, indent=2))
        temp.replace(path)
        settings = {"IsEncrypted": False, "Values": self.app_settings}
        local_settings = self.state_dir / "local.settings.json"
        local_settings.touch(mode=0o600)
        local_settings.write_text(json.dumps(settings, indent=2))

    def stop(self) -> None:
        """Stop every part that started, in reverse order; never raises, so every part gets its turn."""
        # SIGTERM first: the host stops its receivers and lets in-flight calls finish.
        self.stop_host()
        for name in ("broker", "simulator", "azurite"):
            part = getattr(self, name)
            if part is None:
                continue
            try:
                part.stop()
            except Exception:
                logger.exception("stopping %s failed", name)
            setattr(self, name, None)
        (self.state_dir / "endpoints.json").unlink(missing_ok=True)
        self.host_key_file.unlink(missing_ok=True)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
