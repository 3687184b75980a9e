"""`python -m local.host --port P`: run function_app.app from the current directory until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from local.host.clock import calendar_services
from local.host.http import ADMIN_KEY_HEADER, EXIT_PORT_IN_USE
from local.host.index import load_app
from local.host.keyfile import write_key_file
from local.host.runtime import Host

logger = logging.getLogger("local.host")


def main(argv: list[str] | None = None) -> int:
    """Run the host; exit 0 after a clean shutdown."""
    parser = argparse.ArgumentParser(prog="python -m local.host", description=__doc__)
    parser.add_argument("--port", type=int, default=7071, help="HTTP port (0 picks a free one)")
    parser.add_argument("--app", default="function_app", help="module holding the FunctionApp `app`")
    parser.add_argument("--host-json", type=Path, default=Path("host.json"))
    parser.add_argument("--ready-file", type=Path, help="write {port, pid} here as JSON once serving")
    parser.add_argument("--key-file", type=Path, default=Path(".state/host.key"),
                        help=f"where this run's admin key ({ADMIN_KEY_HEADER}) is written, mode 0600")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds in-flight calls get at shutdown")
    parser.add_argument("--instances", type=int, default=1,
                        help="instances' worth of Service Bus calls per function (Flex scales out on a backlog)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOCAL_HOST_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # The app is imported from the working directory, as the host loads function_app.py from its script root.
    sys.path.insert(0, str(Path.cwd()))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with calendar_services():  # the simulated tenant's calendar, when the stack names one (local/host/clock.py)
        return _serve(args, stop)


def _serve(args: argparse.Namespace, stop: threading.Event) -> int:
    try:
        host = Host(load_app(args.app), port=args.port, host_json=args.host_json, instances=args.instances)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        logger.error("port %d is already in use", args.port)
        return EXIT_PORT_IN_USE
    host.start()
    # Before the ready file: whoever waits for it finds the key already there.
    write_key_file(args.key_file, host.admin_key)
    if args.ready_file:
        temp = args.ready_file.with_suffix(".tmp")
        temp.write_text(json.dumps({"port": host.port, "pid": os.getpid()}))
        temp.replace(args.ready_file)  # atomic: a reader never sees half a file
    print(f"local host serving on {host.base_url}; admin key in {args.key_file}", flush=True)
    while not stop.wait(0.5):
        pass
    host.stop(args.grace)
    args.key_file.unlink(missing_ok=True)  # the key dies with the run
    return 0


if __name__ == "__main__":
    sys.exit(main())
