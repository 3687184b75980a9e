"""The host's HTTP front: the app's routes as func.HttpRequest/HttpResponse, plus the admin API."""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import azure.functions as func

from local.host.index import FunctionSpec

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 100 * 1024 * 1024  # the Functions host refuses request bodies over 100 MB
EXIT_PORT_IN_USE = 3  # `python -m local.host` exits with this when its port is taken (the caller may pick another)
_ADMIN_INVOKE = "/admin/functions/"
# Every /admin/ route of the Functions host needs the master key in this header ("When making requests to any
# endpoint under /admin/, you must supply your app's master key in the x-functions-key header",
# learn.microsoft.com/azure/azure-functions/functions-manually-run-non-http; AuthenticationLevelHandler.cs and
# HostController.cs in Azure/azure-functions-host). Core Tools skips the check locally; this host does not,
# because the admin API runs any timer or queue function with any input. The host also accepts the key as
# `?code=`; this one does not, so the key never appears in a request line or its log.
ADMIN_KEY_HEADER = "x-functions-key"

# invoke(name, input) -> None when accepted; raises KeyError for an unknown function, ValueError for HTTP ones.
AdminInvoke = Callable[[str, Any], None]


def new_admin_key() -> str:
    """A fresh admin (master) key: 32 random bytes, URL-safe base64."""
    return secrets.token_urlsafe(32)


class HostHTTPServer(ThreadingHTTPServer):
    """A threading server that knows the app's HTTP functions and the admin invoker."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: a burst of connections (30 scan-now requests at once) got resets
    # while the accept loop was behind. Kestrel, behind Azure's front end, accepts far more; so does the host here.
    request_queue_size = 128

    def __init__(self, port: int, functions: Sequence[FunctionSpec], admin_invoke: AdminInvoke, admin_key: str,
                 on_call: Callable[[], Any] | None = None) -> None:
        if not admin_key:
            raise ValueError("the admin key must not be empty")
        super().__init__(("127.0.0.1", port), _Handler)
        self.http_functions = sorted((f for f in functions if f.kind == "http" and f.route),
                                     key=lambda f: f.route.sort_key if f.route else (0, 0, 0))
        self.function_names = {f.name for f in functions}
        self.admin_invoke = admin_invoke
        self.admin_key = admin_key
        # Tracks in-flight calls so shutdown can wait for them (a context manager factory).
        self.on_call = on_call
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve in a background thread."""
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="host-http", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop accepting requests and close the socket."""
        self.shutdown()
        self.server_close()


# Cloudflare's client-address header (cloudflare.com HTTP request headers: "CF-Connecting-IP provides the client
# IP address connecting to Cloudflare"). The origin in Azure admits only the Cloudflare tunnel, so the header is
# Cloudflare's own; this host stands in for Cloudflare and sets it from the TCP peer, overwriting whatever the
# client sent, so onboarding's rate limits (shared/pipeline/throttle.py) run the same code path on one machine.
CLIENT_ADDRESS_HEADER = "CF-Connecting-IP"


def _headers(headers: Any, peer: str) -> dict[str, str]:
    keep = {k: ", ".join(headers.get_all(k) or []) for k in set(headers.keys())}
    keep = {k: v for k, v in keep.items() if k.lower() != CLIENT_ADDRESS_HEADER.lower()}
    keep[CLIENT_ADDRESS_HEADER] = peer
    return keep


class _Handler(BaseHTTPRequestHandler):
    server: HostHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("http %s", format % args)

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path)
        try:
            body = self._read_body()
        except ValueError as exc:
            self._send_json(413 if "large" in str(exc) else 400, {"error": str(exc)})
            return
        if path.startswith("/admin/"):
            self._admin(path, body)
            return
        method_mismatch = False
        for spec in self.server.http_functions:
            assert spec.route is not None
            route_params = spec.route.match(path)
            if route_params is None:
                continue
            if self.command not in spec.methods:
                method_mismatch = True
                continue
            self._call(spec, route_params, split.query, body)
            return
        if method_mismatch:
            self._send_json(405, {"error": "method not allowed"})
        else:
            self._send_json(404, {"error": "not found"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(out)
            out += self.rfile.read(size)
            self.rfile.readline()
            if len(out) > MAX_BODY_BYTES:
                raise ValueError("request body too large")

    def _call(self, spec: FunctionSpec, route_params: dict[str, str], query: str, body: bytes) -> None:
        host, port = self.server.server_address[:2]
        request = func.HttpRequest(
            method=self.command,
            url=f"http://{self.headers.get('Host') or f'{host!s}:{port}'}{self.path}",
            headers=_headers(self.headers, str(self.client_address[0])),
            params=dict(parse_qsl(query, keep_blank_values=True)),
            route_params=route_params,
            body=body,
        )
        try:
            if self.server.on_call is not None:
                with self.server.on_call():
                    result = spec.call(request)
            else:
                result = spec.call(request)
        except Exception:
            # The traceback stays in the host's log; the caller sees only that it failed.
            logger.exception("function %s raised", spec.name)
            self._send_json(500, {"error": "internal server error"})
            return
        self._send_result(result)

    def _send_result(self, result: Any) -> None:
        if result is None:
            self._send(204, {}, b"")
        elif isinstance(result, str):
            self._send(200, {"Content-Type": "text/plain; charset=utf-8"}, result.encode())
        elif isinstance(result, func.HttpResponse):
            headers = dict(result.headers.items())
            if not any(k.lower() == "content-type" for k in headers):
                mimetype = result.mimetype
                headers["Content-Type"] = f"{mimetype}; charset={result.charset}" if mimetype.startswith(
                    "text/") else mimetype
            self._send(result.status_code, headers, result.get_body() or b"")
        else:
            logger.error("HTTP function returned %s, not an HttpResponse", type(result).__name__)
            self._send_json(500, {"error": "internal server error"})

    def _admin_key_matches(self) -> bool:
        presented = self.headers.get(ADMIN_KEY_HEADER) or ""
        return hmac.compare_digest(presented.encode(), self.server.admin_key.encode())

    def _admin(self, path: str, body: bytes) -> None:
        if not self._admin_key_matches():
            self._send_json(401, {"error": f"the admin API needs the host's key in the {ADMIN_KEY_HEADER} header"})
            return
        if path == "/admin/host/status" and self.command == "GET":
            self._send_json(200, {"state": "Running"})
            return
        if path == "/admin/functions" and self.command == "GET":
            self._send_json(200, sorted(self.server.function_names))
            return
        if not (path.startswith(_ADMIN_INVOKE) and self.command == "POST"):
            self._send_json(404, {"error": "not found"})
            return
        name = path[len(_ADMIN_INVOKE):].strip("/")
        try:
            payload = json.loads(body) if body.strip() else {}
            if not isinstance(payload, dict):
                raise ValueError("body must be a JSON object")
        except ValueError as exc:
            self._send_json(400, {"error": f"invalid body: {exc}"})
            return
        try:
            self.server.admin_invoke(name, payload.get("input"))
        except KeyError:
            self._send_json(404, {"error": f"no function {name}"})
            return
        except ValueError as exc:
            self._send_json(400, {"error": str(exc)})
            return
        self._send(202, {}, b"")

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode())

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
