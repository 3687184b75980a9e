"""The bench's one JSON summary: measurements, deliveries, losses, lower bounds, projections, cost, targets."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass
from typing import Any

from local.bench import bounds
from local.bench.caleta_cost import ReviewUsage, review_cost
from local.bench.hostconfig import HostConfig
from local.bench.truth import row_total
from shared.collectors.graph_turns import GRAPH_LIMITS
from shared.collectors.quota import LIMITS, pace
from shared.config import get_settings
from shared.messages import SOURCES

# A run that loses a task or a row fails its targets whatever its speed (report_real_s and the collection
# ratio are only met by a complete run). qpu_vs_design_bound: QPU charged against the least the query design
# needs for the rows the estate holds (every page charged, the conservative reading). analysis_instance_mb: as many
# analyses as the worker's memory share admits (at most host.json maxConcurrentCalls), plus the Functions host,
# within the Flex instance's memory (infra/modules/functionapp.bicep instanceMemoryMB). collection_vs_budget_bound:
# the collection against the least time Caleta's own budgets allow (below Azure's limits by design, headroom for the
# customer's own tools); against Azure's limits (collection_vs_quota_bound, reported) a QPU-bound scan cannot do
# better than 60/50 = 1.2 x.
TARGETS = {"analysis_s": 60.0, "analysis_instance_mb": 2048.0, "collection_vs_budget_bound": 1.1,
           "arm_calls_vs_minimum": 1.1, "qpu_vs_design_bound": 1.1, "prompt_tokens": 8000, "failed_tasks": 0,
           "missing_rows": 0, "throttled_429": 0, "report_real_s": 900.0}
# The Functions host process beside the Python worker (assumption, not measured here: the .NET host and its
# extensions; see docs/performance.md).
HOST_PROCESS_MB = 300.0


@dataclass(frozen=True)
class Run:
    """Everything measured in one bench run, as the summary reads it."""

    command: dict[str, Any]
    subscriptions: list[str]
    collect: dict[str, Any]
    analyse: dict[str, Any]
    stats: dict[str, Any]
    lost: dict[str, dict[str, Any]]  # subscription -> source -> what the estate held for a task that failed
    today: dt.date
    config: HostConfig
    extra: dict[str, float]


def _minimum(run: Run, counts: dict[str, Any], page_size: int, advisor_page: int) -> dict[str, int]:
    """The fewest calls per API (and QPU in both charging readings) that can fetch what the estate holds."""
    subs = run.subscriptions
    graph = [tuple(counts.get(s, {}).get("resource-graph", [0, 0, 0, 0])) for s in subs]
    steps = [(int(v["rows"]), int(v["qpu"])) for s in subs for v in dict(counts.get(s, {}).get("cost") or {}).values()]
    advisor = sum(bounds.pages(int(counts.get(s, {}).get("advisor", 0)), advisor_page) for s in subs)
    configuration = sum(int(counts.get(s, {}).get("configuration", 0)) for s in subs)
    return {"resource_graph": bounds.min_arg_calls(graph),
            "cost_management": bounds.min_cost_calls([rows for rows, _ in steps], page_size), "advisor": advisor,
            "configuration": configuration,
            "qpu_per_page": bounds.design_qpu(steps, page_size, True),
            "qpu_per_month": bounds.design_qpu(steps, page_size, False)}


def _quota(minimum: dict[str, int], per_page: bool, time_scale: float) -> dict[str, float]:
    """Least seconds Azure's quotas (and Caleta's own budget) allow, unscaled and on the bench's clock."""
    arg = bounds.quota_seconds(minimum["resource_graph"], bounds.ARG_LIMITS)
    by_mode = {mode: bounds.quota_seconds(minimum[f"qpu_{mode}"], bounds.CM_LIMITS)
               for mode in ("per_page", "per_month")}
    cm = by_mode["per_page" if per_page else "per_month"]
    # Caleta's ledger books a request's QPU and settles it at what Azure charged, within its own LIMITS.
    own = bounds.quota_seconds(minimum[f"qpu_{'per_page' if per_page else 'per_month'}"], LIMITS, pace(LIMITS))
    # Resource Graph queries take turns in the principal's ledger likewise (graph_turns.GRAPH_LIMITS).
    own_graph = bounds.quota_seconds(minimum["resource_graph"], GRAPH_LIMITS, pace(GRAPH_LIMITS))
    return {"resource_graph_s": round(arg, 1), "cost_management_s": round(cm, 1),
            "cost_management_per_page_s": round(by_mode["per_page"], 1),
            "cost_management_per_month_s": round(by_mode["per_month"], 1),
            "collection_s": round(max(arg, cm), 1), "collection_scaled_s": round(max(arg, cm) * time_scale, 2),
            "caleta_budget_cost_s": round(own, 1), "caleta_budget_graph_s": round(own_graph, 1),
            "caleta_budget_scaled_s": round(max(own, own_graph) * time_scale, 2)}


def _within(value: float | None, target: float) -> bool | None:
    """Whether a ratio meets its target; None when there was no bound to compare with (nothing to wait for)."""
    return None if value is None else value <= target


def _projection(run: Run, floor_s: float) -> dict[str, Any]:
    """Real (Azure) seconds from the scan request to a finished report, against the floor the quotas allow."""
    scale, c, analysis_s = float(run.command["time_scale"]), run.collect, float(run.analyse["wall_s"])
    tasks_final_s = c["last_outcome_s"] / scale
    # A dead-lettered task stays pending: the watchdog fails it once the scan has made no progress for
    # SCAN_STUCK_AFTER_MINUTES, at its next tick (at most one timer period later).
    watchdog_s = run.config.stuck_after_s + run.config.watchdog_period_s if c["queue"]["dead_lettered"] else 0.0
    report_s = tasks_final_s + watchdog_s + analysis_s
    lower = floor_s + analysis_s
    return {"tasks_final_real_s": round(tasks_final_s, 1), "watchdog_wait_real_s": watchdog_s,
            "analysis_s": analysis_s, "report_real_s": round(report_s, 1), "report_real_min": round(report_s / 60, 1),
            "lower_bound_real_s": round(lower, 1), "vs_lower_bound": bounds.ratio(report_s, lower)}


def _cost(run: Run) -> dict[str, Any]:
    c, a, scale, cfg = run.collect, run.analyse, float(run.command["time_scale"]), run.config
    usage = ReviewUsage(
        instance_seconds=[s / scale for s in c["instance_busy_s"]] + [float(a["wall_s"])],
        instance_memory_mb=cfg.instance_memory_mb, executions=c["queue"]["deliveries"] + 3,  # + request, plan, analyse
        blob_writes=c["blob_writes"] + len(a["report_files"]), blob_reads=c["blobs"],
        raw_bytes=c["bytes_written"], raw_lifetime_days=cfg.raw_max_age_days + 1,  # the policy runs once a day
        report_bytes=sum(a["report_files"].values()), report_months=1.0,
        table_operations=c["ledger_table_operations"] + 6 * c["queue"]["deliveries"],
        qpu=int(run.stats.get("qpu_used") or 0),
        cost_requests=int(run.stats.get("qpu_used") or 0),  # the ledger settles each grant at what Azure charged
        tenant_qpu_per_hour=bounds.CM_LIMITS[-1][1],
        caleta_qpu_per_hour=LIMITS[-1][1], prompt_tokens=a["prompt_tokens"], completion_tokens=a["completion_tokens"])
    return review_cost(usage)


def summarise(run: Run) -> dict[str, Any]:
    """The one JSON summary."""
    cmd, c, a, stats = run.command, run.collect, run.analyse, run.stats
    counts = {s: {**c["counts"].get(s, {}), **run.lost.get(s, {})} for s in run.subscriptions}
    minimum = _minimum(run, counts, int(cmd["cost_page_size"]), int(cmd["advisor_page_size"]))
    quota = _quota(minimum, bool(cmd["qpu_per_page"]), float(cmd["time_scale"]))
    arm_calls = {k: int(v) for k, v in dict(stats.get("arm_calls") or {}).items()}
    calls_min = sum(minimum[k] for k in ("resource_graph", "cost_management", "advisor", "configuration"))
    qpu_min = minimum["qpu_per_page" if cmd["qpu_per_page"] else "qpu_per_month"]
    throttled = {k: int(v) for k, v in dict(stats.get("throttled") or {}).items()}
    lost_tasks = [(s, src) for s, by in run.lost.items() for src in by]
    missing = {src: sum(row_total(by[src]) for by in run.lost.values() if src in by) for src in SOURCES}
    expected = {src: sum(row_total(counts[s].get(src, 0)) for s in run.subscriptions) for src in SOURCES}
    complete = not lost_tasks and not any(missing.values())
    ratios = {
        "collection_vs_quota_bound": bounds.ratio(c["wall_s"], quota["collection_scaled_s"]),
        "collection_vs_budget_bound": bounds.ratio(c["wall_s"], quota["caleta_budget_scaled_s"]),
        "arm_calls_vs_minimum": bounds.ratio(sum(arm_calls.values()), calls_min),
        "resource_graph_calls_vs_minimum": bounds.ratio(arm_calls.get("resource_graph", 0), minimum["resource_graph"]),
        "cost_calls_vs_minimum": bounds.ratio(arm_calls.get("cost_management", 0), minimum["cost_management"]),
        "qpu_vs_minimum": bounds.ratio(int(stats.get("qpu_used") or 0), qpu_min),
    }
    memory = _instance_memory(run)
    projected = _projection(run, quota["collection_s"])
    met = {"analysis_s": float(a["wall_s"]) <= TARGETS["analysis_s"],
           "analysis_instance_mb": memory["total_mb"] <= min(TARGETS["analysis_instance_mb"],
                                                               memory["instance_memory_mb"]),
           "qpu_vs_design_bound": complete and _within(ratios["qpu_vs_minimum"], TARGETS["qpu_vs_design_bound"]),
           "collection_vs_budget_bound": complete and _within(ratios["collection_vs_budget_bound"],
                                                              TARGETS["collection_vs_budget_bound"]),
           "arm_calls_vs_minimum": _within(ratios["arm_calls_vs_minimum"], TARGETS["arm_calls_vs_minimum"]),
           "prompt_tokens": int(a["prompt_tokens"]) <= TARGETS["prompt_tokens"],
           "raw_data_compressed": c["gzip_blobs"] == c["blob_writes"] > 0,
           "failed_tasks": len(lost_tasks) <= TARGETS["failed_tasks"],
           "missing_rows": sum(missing.values()) <= TARGETS["missing_rows"],
           "throttled_429": sum(throttled.values()) <= TARGETS["throttled_429"],
           "report_real_s": complete and projected["report_real_s"] <= TARGETS["report_real_s"]}
    return {
        "command": cmd,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "phases": {"generate_s": run.extra["generate_s"], "simulator_load_s": run.extra["simulator_load_s"],
                   "collect": {k: c[k] for k in ("wall_s", "task_seconds", "peak_rss_mb", "redeliveries")}
                   | {"wall_unscaled_estimate_s": round(c["wall_s"] / float(cmd["time_scale"]), 1),
                      "final_real_s": {source: {k: round(v / float(cmd["time_scale"]), 1) for k, v in q.items()}
                                       for source, q in (c.get("final_s") or {}).items()}},
                   "analyse": {k: a[k] for k in ("wall_s", "load_s", "analyse_s", "rss_before_load_mb",
                                                 "peak_rss_after_load_mb", "peak_rss_mb")},
                   "total_s": run.extra["total_s"]},
        "clocks": _clocks(run.config, float(cmd["time_scale"])),
        "service_bus": c["queue"] | {"dead_lettered_tasks": c["dead_lettered"]},
        "arm_calls": arm_calls, "qpu_used": int(stats.get("qpu_used") or 0), "throttled_429": throttled,
        "bytes_written": {"raw_gzip": c["bytes_written"], "raw_uncompressed": c["bytes_uncompressed"],
                          "compression_ratio": bounds.ratio(c["bytes_uncompressed"], c["bytes_written"]),
                          "report_json": a["report_bytes"]},
        "rows": {"cost": sum(row_total(by.get("cost", {})) for by in c["counts"].values()),
                 "failed_tasks": len(lost_tasks), "failed_by_source": {s: sum(1 for _, x in lost_tasks if x == s)
                                                                       for s in SOURCES},
                 "expected": expected, "missing": missing, "missing_total": sum(missing.values())},
        "prompt_tokens": a["prompt_tokens"], "completion_tokens": a["completion_tokens"], "llm_calls": a["llm_calls"],
        "analysis": {k: a[k] for k in ("findings", "monthly_savings", "currency", "narrative")},
        "report": {"findings": a["findings"], "bytes": a["report_files"], "render_s": a["render_s"]},
        "projected": projected, "cost_per_review": _cost(run), "analysis_instance": memory,
        "lower_bounds": {"calls": {k: minimum[k] for k in ("resource_graph", "cost_management", "advisor",
                                                              "configuration")}
                         | {"total": calls_min}, "qpu": {k: minimum[k] for k in ("qpu_per_page", "qpu_per_month")},
                         "quota_time": quota},
        "ratios": ratios, "targets": TARGETS, "targets_met": met | {"all": all(v is not False for v in met.values())},
    }


def _instance_memory(run: Run) -> dict[str, float]:
    """What one Flex instance holds when the analyse queue runs as many analyses of this estate as the worker's
    memory share admits (at most maxConcurrentCalls): the Functions host, the Python worker's own baseline once,
    and each analysis's measured growth over that baseline."""
    a, cfg = run.analyse, run.config
    baseline = float(a.get("rss_before_load_mb") or 0.0)
    each = max(0.0, float(a["peak_rss_mb"]) - baseline)
    estimated = float(a.get("estimated_mb") or each)
    share = float(get_settings().analysis_memory_mb)
    admitted = max(1, min(cfg.concurrent_calls, int(share // estimated) if estimated > 0 else cfg.concurrent_calls))
    total = HOST_PROCESS_MB + baseline + admitted * each
    return {"host_process_mb": HOST_PROCESS_MB, "worker_baseline_mb": round(baseline, 1),
            "per_analysis_mb": round(each, 1), "estimated_mb": round(estimated, 1),
            "estimate_vs_measured": bounds.ratio(estimated, each) or 0.0, "share_mb": share,
            "concurrent_analyses": admitted, "max_concurrent_calls": cfg.concurrent_calls,
            "total_mb": round(total, 1), "instance_memory_mb": float(cfg.instance_memory_mb)}


def _clocks(config: HostConfig, scale: float) -> dict[str, dict[str, float]]:
    """Every product clock the bench ran on: real (as deployed) and scaled (as run)."""
    real = {"lock_s": config.lock_s, "lock_renewal_s": config.lock_renewal_s,
            "function_timeout_s": config.function_timeout_s, "cost_cap_s": config.cost_cap_s,
            "cost_inline_wait_s": config.cost_inline_wait_s, "cost_recheck_s": config.cost_recheck_s,
            "cost_wait_for_scan_s": config.cost_wait_for_scan_s, "ledger_max_wait_s": config.ledger_max_wait_s}
    return {"real": real | {"max_deliveries": config.max_deliveries, "concurrent_calls": config.concurrent_calls},
            "scaled": {k: round(v * scale, 3) for k, v in real.items()}}
