"""The HTTPS server and the `Simulator` object tests, the stack and the benchmark drive."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from local.certs import CertPaths
from local.simulator import control, routes
from local.simulator.http import Request, Response
from local.simulator.msi import MSI_PATH
from local.simulator.options import SimOptions
from local.simulator.state import LoggedRequest, SimState

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the SDKs reuse connections
    server_version = "CaletaSim/1"
    timeout = 30  # an idle keep-alive connection frees its thread after this long

    def _serve(self) -> None:
        state: SimState = self.server.state  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
        response = routes.handle(state, req)
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.latency:
            time.sleep(response.latency)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if response.truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if response.truncate:
            # Promise the whole body, deliver half, hang up: what a dropped connection looks like to a client.
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log (the request log is the record)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's backlog of 5 resets bursts of connections that Azure accepts
    state: SimState

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-request (or fail the TLS handshake) are routine; keep stderr quiet."""
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class Simulator:
    """The simulated tenant: Entra ID, managed identity, ARM (Resource Graph, Cost Management, Advisor) and AI."""

    def __init__(self, estate_path: Path, certs: CertPaths, *, host: str = "127.0.0.1", port: int = 0,
                 options: SimOptions | None = None) -> None:
        self._state = SimState(estate_path, options or SimOptions())
        self._certs = certs
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Simulator:
        """Bind, wrap in TLS (1.2 or later) and serve on a background thread."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self._certs.cert), str(self._certs.key))
        server = _Server((self._host, self._port), _Handler)
        # The handshake happens in the handler thread, so one slow client cannot stall accept().
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        server.state = self._state
        self._server = server
        self._state.base_url = f"https://{self._host}:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="caleta-sim", daemon=True)
        self._thread.start()
        logger.info("simulator listening on %s", self._state.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """https://127.0.0.1:PORT: authority host, ARM base and AI base."""
        return self._state.base_url

    @property
    def msi_endpoint(self) -> str:
        """The URL for IDENTITY_ENDPOINT."""
        return self._state.base_url + MSI_PATH

    @property
    def msi_header(self) -> str:
        """The secret for IDENTITY_HEADER."""
        return self._state.msi_header

    @property
    def request_log(self) -> list[LoggedRequest]:
        """A copy of the requests answered so far."""
        with self._state.lock:
            return list(self._state.request_log)

    @property
    def refused_writes(self) -> int:
        """PUT/PATCH/DELETE and non-query POSTs refused with 403."""
        return self._state.refused_writes

    @property
    def state(self) -> SimState:
        """The live state (estate, counters); for tests that need more than the methods below."""
        return self._state

    def stats(self) -> dict[str, object]:
        """refused_writes, ARM calls per API, QPU used, 429s sent."""
        return self._state.stats()

    def inject(self, method: str, path_regex: str, status: int | None = None, headers: dict[str, str] | None = None,
               body: Any = None, times: int = 1, latency: float = 0.0, truncate: bool = False) -> None:
        """Answer the next `times` matching requests with a fault (status/headers/body, latency, truncation)."""
        self._state.faults.add(method, path_regex, status=status, headers=headers, body=body, times=times,
                               latency=latency, truncate=truncate)

    def revoke(self, tenant_id: str, client_id: str) -> None:
        """Disable a principal: no new token, and its existing tokens get 401."""
        control.revoke(self._state, tenant_id, client_id)

    def remove_role(self, tenant_id: str, principal_id: str, role: str, scope: str | None = None) -> int:
        """Remove matching role assignments; returns how many were removed."""
        return control.remove_role(self._state, tenant_id, principal_id, role, scope)

    def set_ai_mode(self, mode: str) -> None:
        """ok | invalid_json | wrong_number | invented_alias | injected_url | slow | 429."""
        control.set_ai_mode(self._state, mode)

    def consent(self, tenant_id: str | None = None, action: str = "status") -> list[dict[str, Any]]:
        """Caleta's app per tenant: "status", "reset" (back to the estate) or "remove" (enterprise app deleted)."""
        return control.consent(self._state, tenant_id, action)

    def expire_codes(self) -> int:
        """Make every outstanding authorization code expired (instead of waiting ten minutes)."""
        return self._state.oidc.codes.expire_all()

    def reset(self) -> None:
        """Clear faults, modes, quotas, codes, consent changes and the log; restore the estate."""
        self._state.reset()
