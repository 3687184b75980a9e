"""The bench: generate an estate, serve it with Azure's quotas, collect and analyse on a scaled clock, summarise.

Every clock that matters in Azure runs `time_scale` times faster: the simulator's quota windows (Resource
Graph, Cost Management, ARM's read buckets) and the product's own (Service Bus lock and renewal,
functionTimeout, the cost collector's cap per delivery, the QPU ledger). Tasks that dead-letter are failed
tasks; what the estate held for them is counted as missing rows.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from local.bench import bounds, hostconfig
from local.bench.summary import Run, summarise
from local.bench.truth import expected_counts
from local.certs import make_certs
from local.estates.generator import identities, write_estate
from local.simulator import SimOptions, Simulator
from shared.messages import SOURCES

logger = logging.getLogger(__name__)

DEAD_LETTERED = "failed: the message dead-lettered; the watchdog ended the task"


@dataclass(frozen=True)
class BenchArgs:
    """What to generate, how hard to squeeze the clocks, and how Cost Management charges QPU."""

    seed: int = 1
    subscriptions: int = 50
    resources: int = 100_000
    days: int = 90
    # Every clock is multiplied by this; CPU time is not. The workers are threads of one process, so below 1.0 a CPU
    # second of an invocation counts as more than a second of Azure time (the default run projected 52.6 min at
    # 0.05, 11.0 at 0.25, and took 9.8 in real time: docs/performance.md). The default is real time, the truth.
    time_scale: float = 1.0
    workers: int = 8
    cost_page_size: int = 5000  # SimOptions and Azure's default page size
    qpu_per_page: bool = True  # the conservative reading: every nextLink page costs a QPU again
    phase_timeout_s: float = 1200.0
    keep: Path | None = None


def _phase(name: str, cfg: dict[str, Any], work: Path, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run one phase in its own process (its own peak RSS) and parse its one JSON line."""
    path = work / f"{name}.json"
    path.write_text(json.dumps(cfg))
    done = subprocess.run([sys.executable, "-m", "local.bench.phases", name, str(path)], env=env, timeout=timeout,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench phase {name} failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_bench(args: BenchArgs) -> dict[str, Any]:
    """Run every phase and return the summary."""
    with tempfile.TemporaryDirectory(prefix="caleta-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        return _run(args, work)


def _options(args: BenchArgs) -> SimOptions:
    return SimOptions(time_scale=args.time_scale, arg_window_s=bounds.ARG_LIMITS[0][0] * args.time_scale,
                      cost_page_size=args.cost_page_size, cm_qpu_per_page=args.qpu_per_page,
                      # The bench measures tokens, not authentication: its narrator uses the deployment's key,
                      # which a real deployment refuses (local auth off) and the product never sends.
                      ai_local_auth=True)


def _run(args: BenchArgs, work: Path) -> dict[str, Any]:
    started = time.monotonic()
    estate = work / "estate.json"
    with estate.open("w") as out:
        write_estate(out, args.seed, args.subscriptions, args.resources, args.days)
    generate_s = time.monotonic() - started
    certs = make_certs(work / "certs")
    options, ids = _options(args), identities(args.seed)
    load_started = time.monotonic()
    sim = Simulator(estate, certs, options=options).start()
    try:
        sim_load_s = time.monotonic() - load_started
        tenant = sim.state.estate.tenant(ids["tenant_id"])
        assert tenant is not None, "the generated estate has its customer tenant"
        subs = [s.subscription_id for s in tenant.subscriptions]
        env = {**os.environ, "ARM_ENDPOINT": sim.base_url, "COST_HISTORY_DAYS": str(args.days),
               "SSL_CERT_FILE": str(certs.bundle), "REQUESTS_CA_BUNDLE": str(certs.bundle)}
        common = {"base_url": sim.base_url, "ca": str(certs.bundle), "out_dir": str(work / "out"),
                  "subscriptions": subs, "today": sim.state.today.isoformat()}
        collect = _phase("collect", {**common, "tenant_id": ids["tenant_id"], "client_id": ids["reader"]["client_id"],
                                     "secret": ids["reader"]["secrets"][0]["value"], "time_scale": args.time_scale,
                                     "workers": args.workers}, work, env, args.phase_timeout_s)
        stats = sim.stats()
        lost = _lost(sim, subs, collect["outcomes"], args.days)
        outcomes = {s: {src: collect["outcomes"].get(s, {}).get(src, DEAD_LETTERED) for src in SOURCES}
                    for s in subs}
        analyse = _phase("analyse", {**common, "outcomes": outcomes, "ai_api_key": options.ai_api_key,
                                     "ai_deployment": options.ai_deployment},
                         work, env, args.phase_timeout_s)
        command = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(args).items()}
        command["advisor_page_size"] = options.advisor_page_size
        run = Run(command=command, subscriptions=subs, collect=collect, analyse=analyse, stats=stats, lost=lost,
                  today=sim.state.today, config=hostconfig.load(),
                  extra={"generate_s": round(generate_s, 2), "simulator_load_s": round(sim_load_s, 2),
                         "total_s": round(time.monotonic() - started, 2)})
        return summarise(run)
    finally:
        sim.stop()


def _lost(sim: Simulator, subs: list[str], outcomes: dict[str, dict[str, str]], days: int) -> dict[str, Any]:
    """For every task that did not succeed, what the estate held for it (the rows that never arrived)."""
    lost: dict[str, Any] = {}
    for sub in subs:
        for source in SOURCES:
            if outcomes.get(sub, {}).get(source) != "succeeded":
                lost.setdefault(sub, {})[source] = expected_counts(sim.state, sub, source, days)
    return lost
