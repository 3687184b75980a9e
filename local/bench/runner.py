"""The bench: generate an estate, serve it with Azure's quotas (time-scaled), collect, analyse, summarise."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.bench import bounds
from local.certs import make_certs
from local.estates.generator import identities, write_estate
from local.simulator import SimOptions, Simulator
from shared.collectors.cost import month_windows
from shared.collectors.quota import LIMITS

logger = logging.getLogger(__name__)

TARGETS = {"analysis_s": 60.0, "analysis_peak_rss_mb": 1536.0, "collection_vs_quota_bound": 1.25,
           "arm_calls_vs_minimum": 1.1, "prompt_tokens": 8000}


@dataclass(frozen=True)
class BenchArgs:
    """What to generate and how hard to squeeze the quota windows."""

    seed: int = 1
    subscriptions: int = 50
    resources: int = 100_000
    days: int = 90
    time_scale: float = 0.05
    workers: int = 8
    cost_page_size: int = 5000  # SimOptions and Azure's default page size
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


def _minimum_calls(counts: dict[str, Any], subs: list[str], today: dt.date, days: int,
                   options: SimOptions) -> dict[str, int]:
    """The fewest calls per API that can fetch what was collected."""
    months = [start.strftime("%Y%m") for start, _ in month_windows(today, days)]
    graph = [tuple(counts.get(s, {}).get("resource-graph", [0, 0])) for s in subs]
    cost_rows = [int(counts.get(s, {}).get("cost", {}).get(m, 0)) for s in subs for m in months]
    advisor = sum(bounds.pages(int(counts.get(s, {}).get("advisor", 0)), options.advisor_page_size) for s in subs)
    return {"resource_graph": bounds.min_arg_calls(graph),  # type: ignore[arg-type]
            "cost_management": bounds.min_cost_calls(cost_rows, options.cost_page_size), "advisor": advisor}


def _quota_bounds(minimum: dict[str, int], time_scale: float) -> dict[str, float]:
    """Least seconds the quotas allow for the minimum calls, unscaled (Azure) and on the bench's scaled clock."""
    arg = bounds.quota_seconds(minimum["resource_graph"], bounds.ARG_LIMITS)
    cm = bounds.quota_seconds(minimum["cost_management"], bounds.CM_LIMITS)
    # Caleta's own ledger budgets below Azure's limits (headroom): the floor that budget alone imposes.
    own = bounds.quota_seconds(minimum["cost_management"], tuple((w, c) for w, c in LIMITS))
    return {"resource_graph_s": round(arg, 1), "cost_management_s": round(cm, 1),
            "collection_s": round(max(arg, cm), 1), "collection_scaled_s": round(max(arg, cm) * time_scale, 2),
            "caleta_budget_cost_s": round(own, 1)}


def _within(value: float | None, target: float) -> bool | None:
    """Whether a ratio meets its target; None when there was no bound to compare with (nothing to wait for)."""
    return None if value is None else value <= target


def run_bench(args: BenchArgs) -> dict[str, Any]:
    """Run every phase and return the summary."""
    with tempfile.TemporaryDirectory(prefix="caleta-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        return _run(args, work)


def _run(args: BenchArgs, work: Path) -> dict[str, Any]:
    started = time.monotonic()
    estate = work / "estate.json"
    with estate.open("w") as out:
        write_estate(out, args.seed, args.subscriptions, args.resources, args.days)
    generate_s = time.monotonic() - started
    certs = make_certs(work / "certs")
    options = SimOptions(time_scale=args.time_scale, arg_window_s=bounds.ARG_LIMITS[0][0] * args.time_scale,
                         cost_page_size=args.cost_page_size)
    ids = identities(args.seed)
    load_started = time.monotonic()
    sim = Simulator(estate, certs, options=options).start()
    try:
        sim_load_s = time.monotonic() - load_started
        tenant = sim.state.estate.tenant(ids["tenant_id"])
        assert tenant is not None, "the generated estate has its customer tenant"
        subs = [s.subscription_id for s in tenant.subscriptions]
        env = {**os.environ, "ARM_ENDPOINT": sim.base_url, "COST_HISTORY_DAYS": str(args.days),
               "SSL_CERT_FILE": str(certs.bundle), "REQUESTS_CA_BUNDLE": str(certs.bundle)}
        common = {"base_url": sim.base_url, "ca": str(certs.bundle), "out_dir": str(work / "out")}
        collect = _phase("collect", {**common, "tenant_id": ids["tenant_id"],
                                     "client_id": ids["reader"]["client_id"],
                                     "secret": ids["reader"]["secrets"][0]["value"], "subscriptions": subs,
                                     "time_scale": args.time_scale, "workers": args.workers},
                         work, env, args.phase_timeout_s)
        stats = sim.stats()
        analyse = _phase("analyse", {**common, "outcomes": collect["outcomes"], "ai_api_key": options.ai_api_key},
                         work, env, args.phase_timeout_s)
        return summarise(args, collect, analyse, stats, sim.state.today, options,
                         {"generate_s": round(generate_s, 2), "simulator_load_s": round(sim_load_s, 2),
                          "total_s": round(time.monotonic() - started, 2)})
    finally:
        sim.stop()


def summarise(args: BenchArgs, collect: dict[str, Any], analyse: dict[str, Any], stats: dict[str, Any],
              today: dt.date, options: SimOptions, extra: dict[str, float]) -> dict[str, Any]:
    """The one JSON summary: measurements, lower bounds, ratios and targets."""
    subs = list(collect["outcomes"])
    minimum = _minimum_calls(collect["counts"], subs, today, args.days, options)
    quota = _quota_bounds(minimum, args.time_scale)
    arm_calls = {k: int(v) for k, v in dict(stats.get("arm_calls") or {}).items()}
    total_calls, total_min = sum(arm_calls.values()), sum(minimum.values())
    failed = sum(1 for by in collect["outcomes"].values() for o in by.values() if o != "succeeded")
    ratios = {
        "collection_vs_quota_bound": bounds.ratio(collect["wall_s"], quota["collection_scaled_s"]),
        "arm_calls_vs_minimum": bounds.ratio(total_calls, total_min),
        "resource_graph_calls_vs_minimum": bounds.ratio(arm_calls.get("resource_graph", 0), minimum["resource_graph"]),
        "cost_calls_vs_minimum": bounds.ratio(arm_calls.get("cost_management", 0), minimum["cost_management"]),
        "qpu_vs_minimum": bounds.ratio(int(stats.get("qpu_used") or 0), minimum["cost_management"]),
    }
    analysis_s = float(analyse["wall_s"])
    met = {"analysis_s": analysis_s <= TARGETS["analysis_s"],
           "analysis_peak_rss_mb": float(analyse["peak_rss_mb"]) <= TARGETS["analysis_peak_rss_mb"],
           "collection_vs_quota_bound": _within(ratios["collection_vs_quota_bound"],
                                                TARGETS["collection_vs_quota_bound"]),
           "arm_calls_vs_minimum": _within(ratios["arm_calls_vs_minimum"], TARGETS["arm_calls_vs_minimum"]),
           "prompt_tokens": int(analyse["prompt_tokens"]) <= TARGETS["prompt_tokens"],
           "raw_data_compressed": collect["gzip_blobs"] == collect["blobs"] > 0}
    raw_rows = sum(sum(c.get("cost", {}).values()) for c in collect["counts"].values())
    return {
        "command": {"seed": args.seed, "subscriptions": args.subscriptions, "resources": args.resources,
                    "days": args.days, "time_scale": args.time_scale, "workers": args.workers,
                    "cost_page_size": args.cost_page_size},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "phases": {"generate_s": extra["generate_s"], "simulator_load_s": extra["simulator_load_s"],
                   "collect": {k: collect[k] for k in ("wall_s", "task_seconds", "peak_rss_mb", "redeliveries")}
                   | {"wall_unscaled_estimate_s": round(collect["wall_s"] / args.time_scale, 1)},
                   "analyse": {k: analyse[k] for k in ("wall_s", "load_s", "analyse_s", "peak_rss_after_load_mb",
                                                        "peak_rss_mb")},
                   "total_s": extra["total_s"]},
        "arm_calls": arm_calls, "qpu_used": int(stats.get("qpu_used") or 0),
        "throttled_429": {k: int(v) for k, v in dict(stats.get("throttled") or {}).items()},
        "bytes_written": {"raw_gzip": collect["bytes_written"], "raw_uncompressed": collect["bytes_uncompressed"],
                          "compression_ratio": bounds.ratio(collect["bytes_uncompressed"], collect["bytes_written"]),
                          "report_json": analyse["report_bytes"]},
        "rows": {"cost": raw_rows, "failed_tasks": failed},
        "prompt_tokens": analyse["prompt_tokens"], "llm_calls": analyse["llm_calls"],
        "analysis": {k: analyse[k] for k in ("findings", "monthly_savings", "currency", "narrative")},
        "lower_bounds": {"calls": minimum | {"total": total_min}, "quota_time": quota},
        "ratios": ratios, "targets": TARGETS, "targets_met": met,
    }
