"""One bench phase per process: `python -m local.bench.phases collect|analyse CONFIG.json`.

Each phase prints one JSON line (its measurements, including its own peak RSS), so the runner gets per-phase
memory without sampling: `collect` (local/bench/collect.py) drives the real collectors under the Functions
host's and Service Bus's clocks against the simulated tenant; `analyse` (local/bench/analyse.py) reads the raw
blobs back through the pipeline's own `fetch_raw` and `decode_inputs` and runs the analysis with a narrator on
the simulator.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run one phase from a JSON config file; print its result as one JSON line."""
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    phase, cfg = args[0], json.loads(Path(args[1]).read_text())
    if phase == "collect":
        from local.bench.collect import run_collect

        result = run_collect(cfg)
    else:
        from local.bench.analyse import run_analyse

        result = run_analyse(cfg)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
