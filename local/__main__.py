"""`python -m local up|demo|consent|bench|admin-token`: the local stack for people and for `make demo`."""

from __future__ import annotations

import argparse
import atexit
import logging
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

from local.stack import DEFAULT_ESTATE, Stack


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    # Turn SIGTERM into SystemExit so `with Stack` unwinds; ignore repeats so cleanup is not interrupted.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def cmd_up(args: argparse.Namespace) -> int:
    """Start everything, write endpoints.json, run until SIGINT/SIGTERM, stop everything."""
    stack = Stack(args.estate, args.state_dir, functions=not args.no_functions)
    atexit.register(stack.stop)
    stop = threading.Event()
    stack.start()
    print(f"local stack up; endpoints in {stack.state_dir / 'endpoints.json'}", flush=True)
    for key, value in stack.endpoints.items():
        if key not in ("servicebus_connection",):
            print(f"  {key}: {value}", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        stack.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the demo end to end (see local/demo.py)."""
    from local.demo import run_demo

    if args.state_dir is not None:
        return run_demo(args.estate, args.out, args.state_dir, timeout=args.timeout)
    with tempfile.TemporaryDirectory(prefix="caleta-demo-") as state:
        return run_demo(args.estate, args.out, Path(state), timeout=args.timeout)


def cmd_consent(args: argparse.Namespace) -> int:
    """Play the browser's sign-in round trip against a running stack (see local/consent.py)."""
    from local.consent import run

    return run(args.state_dir, args.tenant, args.user)


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmark (see local/bench/) and print its one JSON summary."""
    import json

    from local.bench.runner import BenchArgs, run_bench

    summary = run_bench(BenchArgs(seed=args.seed, subscriptions=args.subscriptions, resources=args.resources,
                                  days=args.days, time_scale=args.time_scale, workers=args.workers,
                                  cost_page_size=args.cost_page_size, qpu_per_page=args.qpu_per_page,
                                  keep=args.keep))
    print(json.dumps(summary, indent=2), flush=True)
    return 0


def cmd_admin_token(args: argparse.Namespace) -> int:
    """Print an admin token of the running stack's simulated tenant, shaped like `az account get-access-token`."""
    import json

    from local.admin_token import admin_audience, default_admin, get_access_token
    from local.estates.model import load_estate

    endpoints = json.loads((args.state_dir / "endpoints.json").read_text())
    caleta = load_estate(Path(endpoints["estate"])).caleta
    token = get_access_token(endpoints["authority_host"], caleta.tenant_id, admin_audience(caleta),
                             args.user or default_admin(caleta), Path(endpoints["ca_bundle"]))
    print(json.dumps({"accessToken": token, "tenant": caleta.tenant_id, "tokenType": "Bearer"}), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="run the local stack until interrupted")
    up.add_argument("--estate", type=Path, default=DEFAULT_ESTATE)
    up.add_argument("--state-dir", type=Path, default=Path(".state"))
    up.add_argument("--no-functions", action="store_true", help="leave the host out (for `func start`)")
    demo = commands.add_parser("demo", help="onboard every customer of the estate and fetch their reports")
    demo.add_argument("--estate", type=Path, default=DEFAULT_ESTATE)
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    demo.add_argument("--state-dir", type=Path, default=None, help="keep the stack's state here (default: temp)")
    demo.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for all scans")
    consent = commands.add_parser("consent", help="sign in as an estate user against a running `up` stack and "
                                                   "print what the federated onboarding request carries")
    consent.add_argument("--state-dir", type=Path, default=Path(".state"), help="the `up` stack's state dir")
    consent.add_argument("--tenant", required=True, help="the tenant id to prove")
    consent.add_argument("--user", default=None, help="the estate user's UPN (default: the tenant's first admin)")
    bench = commands.add_parser("bench", help="collect and analyse a large generated estate under Azure's quotas")
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--subscriptions", type=int, default=50)
    bench.add_argument("--resources", type=int, default=100_000)
    bench.add_argument("--days", type=int, default=90)
    bench.add_argument("--time-scale", type=float, default=1.0,
                       help="multiplies every clock: quota windows, lock, timeout, the collector's cap (CPU "
                            "time cannot be scaled: a value below 1.0 is quicker but overstates the CPU-bound "
                            "phases)")
    bench.add_argument("--workers", type=int, default=8,
                       help="concurrent collect invocations (host.json maxConcurrentCalls of them per instance)")
    bench.add_argument("--cost-page-size", type=int, default=5000, help="rows per Cost Management page")
    bench.add_argument("--qpu-per-page", action=argparse.BooleanOptionalAction, default=True,
                       help="Cost Management charges a QPU per result page (default) or only per month queried")
    bench.add_argument("--keep", type=Path, default=None, help="keep the estate, raw blobs and report here")
    token = commands.add_parser("admin-token", help="an admin API token from the running stack's simulated tenant "
                                                   "(like `az account get-access-token --resource <admin API>`)")
    token.add_argument("--state-dir", type=Path, default=Path(".state"))
    token.add_argument("--user", default=None, help="UPN of a Caleta user (default: the first Caleta.Admin)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    # The stack's own progress at INFO; libraries (proton, azure) only when something is wrong.
    logging.getLogger("local").setLevel(logging.INFO)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGINT, _raise_exit)
    if args.command == "up":
        return cmd_up(args)
    if args.command == "bench":
        return cmd_bench(args)
    if args.command == "consent":
        return cmd_consent(args)
    if args.command == "admin-token":
        return cmd_admin_token(args)
    return cmd_demo(args)


if __name__ == "__main__":
    sys.exit(main())
