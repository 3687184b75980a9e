"""Run the simulated tenant alone: `python -m local.simulator --estate FILE --certs DIR [--port N]`.

Prints one JSON line (base_url, msi_endpoint, msi_header, ca_bundle) and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local.certs import make_certs
from local.simulator.options import SimOptions
from local.simulator.server import Simulator


def main(argv: list[str] | None = None) -> int:
    """Start, announce, wait for a stop signal, stop."""
    parser = argparse.ArgumentParser(prog="python -m local.simulator", description=__doc__)
    parser.add_argument("--estate", type=Path, required=True)
    parser.add_argument("--certs", type=Path, required=True, help="directory for (or with) the CA and leaf")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--time-scale", type=float, default=1.0, help="shrinks Cost Management quota windows")
    parser.add_argument("--ai-deployment", default="gpt-4o", help="the AI deployment's name (others get 404)")
    parser.add_argument("--ai-reasoning", action="store_true", help="the deployment is a reasoning model (GPT-5)")
    parser.add_argument("--ai-local-auth", action="store_true", help="accept the AI key (the Bicep disables it)")
    args = parser.parse_args(argv)
    certs = make_certs(args.certs)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    sim = Simulator(args.estate, certs, host=args.host, port=args.port,
                    options=SimOptions(time_scale=args.time_scale, ai_deployment=args.ai_deployment,
                                       ai_reasoning=args.ai_reasoning, ai_local_auth=args.ai_local_auth)).start()
    try:
        print(json.dumps({"base_url": sim.base_url, "msi_endpoint": sim.msi_endpoint,
                          "msi_header": sim.msi_header, "ca_bundle": str(certs.bundle)}), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
