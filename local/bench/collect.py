"""The collect phase: every (subscription, source) task as a collect-tasks message, run as the Functions host would.

Real collectors, real SDK clients, the simulated tenant over HTTPS. Every product clock runs on the bench's time
scale: Service Bus lock, renewal and maxDeliveryCount, functionTimeout, the cost collector's cap per delivery, its
in-process wait and its waits for the scan, the QPU ledger and the principal's Resource Graph turns (Caleta's
budgets and Azure's limits, on the same scaled clock as the simulator's quotas). A cost delivery that defers sends
its continuation as a scheduled message (a new message, as collect_task does). A task is final when its collector
returns (succeeded) or refuses for good (AccessDenied/NotCollectable); a message that dead-letters leaves its task
pending: the scan then waits for the watchdog.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from azure.identity import ClientSecretCredential

from local.bench.bounds import scaled
from local.bench.counting import CountingTable
from local.bench.host import FunctionsHost, instance_seconds
from local.bench.hostconfig import HostConfig, load
from local.bench.procstats import peak_rss_mb
from local.bench.progress import BenchScan
from local.bench.servicebus import Delivery, DeliveryClock, DeliveryRules, QueueModel
from shared.arm import advisor_client, cost_management_client, resource_graph_client
from shared.collectors import Collected, CollectRequest, advisor, cost, cost_config, resource_graph
from shared.collectors.cost_state import Superseded
from shared.collectors.graph_turns import GRAPH_AZURE_LIMITS, GRAPH_LIMITS, GraphTurnsFor
from shared.collectors.quota import AZURE_LIMITS, LIMITS, QpuLedger
from shared.config import get_settings
from shared.errors import AccessDenied, Deferred, NotCollectable
from shared.messages import SOURCES, Source
from shared.rawdata import RawEnvelope, encode
from shared.storage.quota import principal_row

SCAN_ID = "bench"
Task = tuple[str, Source, int]  # (subscription, source, hop): a cost task's continuations have hops 1, 2, ...


def raw_path(out: Path, subscription_id: str, source: str) -> Path:
    """Where the bench keeps one raw blob (the same bytes the pipeline writes to Blob storage)."""
    return out / "raw" / subscription_id.lower() / f"{source}.json.gz"


class Collection:
    """The collect trigger of one scan: collector, raw blob, task outcome; duplicates do nothing."""

    def __init__(self, cfg: dict[str, Any], config: HostConfig, clock: DeliveryClock) -> None:
        self.cfg, self.out, self.clock = cfg, Path(cfg["out_dir"]), clock
        scale = float(cfg["time_scale"])
        self.cost_cap_s = config.cost_cap_s * scale
        self.cost_clocks = {"inline_wait": config.cost_inline_wait_s * scale, "recheck": config.cost_recheck_s * scale,
                            "wait_for_scan": config.cost_wait_for_scan_s * scale}
        self.credential = ClientSecretCredential(cfg["tenant_id"], cfg["client_id"], cfg["secret"],
                                                 authority=cfg["base_url"], disable_instance_discovery=True,
                                                 connection_verify=cfg["ca"])
        self.kwargs = {"base_url": cfg["base_url"], "connection_verify": cfg["ca"]}
        self.graph = resource_graph_client(self.credential, **self.kwargs)
        self.costs = cost_management_client(self.credential, **self.kwargs)
        self.table = CountingTable()
        # Caleta's own budget (LIMITS, below Azure's) and its longest wait, on the simulator's scaled clock.
        self.ledger = QpuLedger(self.table, clock=clock.now, sleep=clock.sleep,
                                max_wait=config.ledger_max_wait_s * scale, limits=scaled(LIMITS, scale),
                                hard_limits=scaled(AZURE_LIMITS, scale))
        # The principal's Resource Graph turns, likewise (the simulator's quota window is scaled the same).
        self.graph_turns = GraphTurnsFor(self.table, clock=clock.now, sleep=clock.sleep,
                                         limits=scaled(GRAPH_LIMITS, scale),
                                         hard_limits=scaled(GRAPH_AZURE_LIMITS, scale))
        self.lock = threading.Lock()
        self.bytes_written = self.bytes_plain = self.gzip_blobs = self.blob_writes = 0
        self.outcomes: dict[str, dict[str, str]] = {}
        self.recorded_at: dict[tuple[str, str], float] = {}
        self.counts: dict[str, Any] = {}
        self.graphs: dict[str, dict[str, Any]] = {}
        self.scan = BenchScan(list(cfg["subscriptions"]), self._inventory, lambda sub: self._final(sub, "cost"))
        self.send: Callable[[Task, float], None] = lambda task, delay: None  # the host's, once it exists

    def _final(self, sub: str, source: str) -> bool:
        with self.lock:
            return source in self.outcomes.get(sub, {})

    def _inventory(self, sub: str) -> tuple[str, dict[str, Any] | None]:
        with self.lock:
            outcome = self.outcomes.get(sub, {}).get("resource-graph")
            return ("pending" if outcome is None else "succeeded" if outcome == "succeeded" else "failed",
                    self.graphs.get(sub))

    def _collect(self, sub: str, source: Source) -> Collected:
        request = CollectRequest(scan_id=SCAN_ID, subscription_id=sub, tenant_id=self.cfg["tenant_id"],
                                 credential=self.credential, day=dt.date.fromisoformat(self.cfg["today"]),
                                 scan_subscriptions=len(self.cfg["subscriptions"]),
                                 principal=principal_row(self.cfg["tenant_id"], self.cfg["client_id"]))
        if source == "resource-graph":
            return resource_graph.collect(request, client=self.graph, sleep=self.clock.sleep,
                                          turns_for=self.graph_turns)
        if source == "cost":
            return cost.collect(request, client=self.costs, budget=self.ledger, sleep=self.clock.sleep,
                                clock=self.clock.now, max_seconds=self.cost_cap_s, progress=self.scan.tasks[sub],
                                history_days=get_settings().cost_history_days, arm_endpoint=self.cfg["base_url"],
                                inline_wait=self.cost_clocks["inline_wait"], recheck=self.cost_clocks["recheck"],
                                wait_for_scan=self.cost_clocks["wait_for_scan"])
        if source == "cost-config":
            return cost_config.collect(request, client=self.costs, sleep=self.clock.sleep)
        return advisor.collect(request, client=advisor_client(self.credential, sub, **self.kwargs),
                               sleep=self.clock.sleep)

    def _record(self, task: Task, outcome: str) -> None:
        self.clock.now()  # a cancellation point: past functionTimeout the host has killed us before this write
        with self.lock:
            self.outcomes.setdefault(task[0], {})[task[1]] = outcome
            self.recorded_at[(task[0], task[1])] = self.clock.raw()

    def _continue_later(self, task: Task, seconds: float) -> str:
        """collect_task's _continue_later: send the next hop, scheduled, then record it in the cursor."""
        sub, source, hop = task
        progress = self.scan.tasks[sub]
        cursor = progress.load() or {}
        following = max(hop, int(cursor.get("hop", 0))) + 1
        self.send((sub, source, following), max(0.0, seconds))
        with contextlib.suppress(Superseded):  # another delivery saved meanwhile; both continuations meet there
            progress.save({**cursor, "hop": following})
        return "deferred"

    def trigger(self, delivery: Delivery[Task]) -> str:
        """collect_task's shape: a final task is a duplicate; refusals are final; a deferral is a continuation;
        anything else raises."""
        sub, source, hop = delivery.body
        with self.lock:
            if source in self.outcomes.get(sub, {}):
                return "duplicate"
        if source == "cost" and hop < int((self.scan.tasks[sub].load() or {}).get("hop", 0)):
            return "duplicate"  # a later continuation exists
        try:
            collected = self._collect(sub, source)
        except Deferred as exc:
            return self._continue_later(delivery.body, exc.resume_after)
        except Superseded:
            return "duplicate"
        except (AccessDenied, NotCollectable) as exc:
            self._record(delivery.body, f"failed: {exc.reason}")
            return "failed"
        envelope = RawEnvelope(source=source, scan_id=SCAN_ID, subscription_id=sub,
                               collected_at=dt.datetime.now(dt.UTC), api_versions=collected.api_versions,
                               row_count=collected.row_count, data=collected.data)
        blob = encode(envelope)
        self.clock.now()
        path = raw_path(self.out, sub, source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        plain = len(gzip.decompress(blob)) if blob[:2] == b"\x1f\x8b" else len(blob)
        with self.lock:
            self.bytes_written += len(blob)
            self.bytes_plain += plain
            self.gzip_blobs += blob[:2] == b"\x1f\x8b"
            self.blob_writes += 1
            counts = self.counts.setdefault(sub, {})
            counts[source] = _counts(source, collected.data)
            counts["configuration"] = counts.get("configuration", 0) + _configuration_reads(source, collected.data)
            if source == "resource-graph":
                self.graphs[sub] = collected.data
        self._record(delivery.body, "succeeded")
        return "succeeded"


def _configuration_reads(source: str, data: dict[str, Any]) -> int:
    """The fewest ARM configuration GETs a task can make: one per candidate storage account (resource-graph), one
    per list (cost-config: budgets, scheduled actions, two reservation lookbacks), Advisor's configurations."""
    return {"resource-graph": int((data.get("reads") or {}).get("policy_candidates", 0)), "cost-config": 4,
            "advisor": 1}.get(source, 0)


def _counts(source: str, data: dict[str, Any]) -> Any:
    """What the lower bounds need: rows per Resource Graph table, rows and QPU per cost query (step), items read."""
    if source == "resource-graph":
        return [len(data.get(k) or []) for k in ("resources", "resource_containers", "recovery_services",
                                                 "policy_assignments")]
    if source == "cost-config":
        return sum(len(data.get(k) or []) for k in ("budgets", "scheduled_actions", "reservation_recommendations"))
    if source == "cost":
        return {name: {"rows": int(step["rows"]), "qpu": int(step.get("qpu", 1))}
                for name, step in (data.get("steps") or {}).items()}
    return len(data.get("recommendations") or [])


def final_quantiles(recorded_at: dict[tuple[str, str], float], started: float) -> dict[str, dict[str, float]]:
    """When the tasks of each source became final (scaled seconds from the start): median, 90th percentile, last."""
    by_source: dict[str, list[float]] = {}
    for (_, source), at in recorded_at.items():
        by_source.setdefault(source, []).append(at - started)
    out = {}
    for source, times in sorted(by_source.items()):
        times.sort()
        out[source] = {"p50": round(times[len(times) // 2], 2), "p90": round(times[int(len(times) * 0.9)], 2),
                       "last": round(times[-1], 2)}
    return out


def run_collect(cfg: dict[str, Any]) -> dict[str, Any]:
    """Every task through the host stand-in; timings, deliveries, bytes, counts, outcomes."""
    config, scale = load(), float(cfg["time_scale"])
    clock = DeliveryClock()
    job = Collection(cfg, config, clock)
    queue: QueueModel[Task] = QueueModel(DeliveryRules.scaled(config, scale), clock.raw)
    for sub in cfg["subscriptions"]:
        for source in SOURCES:
            queue.send((sub, source, 0))
    started = clock.raw()
    host = FunctionsHost(queue, job.trigger, clock, workers=int(cfg["workers"]))
    job.send = host.send
    invocations = host.run()
    wall = clock.raw() - started
    per_source: dict[str, Counter[str]] = {}
    seconds: dict[str, float] = {}
    for inv in invocations:
        per_source.setdefault(inv.delivery.body[1], Counter())[inv.outcome] += 1
        source = inv.delivery.body[1]
        seconds[source] = seconds.get(source, 0.0) + inv.ended_at - inv.delivery.started_at
    counts = queue.counts
    return {"wall_s": round(wall, 2), "task_seconds": {k: round(v, 1) for k, v in seconds.items()},
            "bytes_written": job.bytes_written, "bytes_uncompressed": job.bytes_plain, "blob_writes": job.blob_writes,
            "blobs": sum(1 for by in job.outcomes.values() for o in by.values() if o == "succeeded"),
            "gzip_blobs": job.gzip_blobs, "redeliveries": counts.redeliveries, "outcomes": job.outcomes,
            "counts": job.counts,
            "queue": {"messages": counts.sent, "deliveries": counts.deliveries,
                      "redeliveries": counts.redeliveries, "completed": counts.completed,
                      "abandoned": counts.abandoned, "lock_lost": counts.lock_lost,
                      "dead_lettered": counts.dead_lettered,
                      "timed_out": sum(c["timed_out"] for c in per_source.values()),
                      "by_source": {k: dict(v) for k, v in per_source.items()}},
            "dead_lettered": [list(body)[:2] for body in counts.dead_lettered_bodies],  # type: ignore[call-overload]
            "last_outcome_s": round(max(job.recorded_at.values(), default=started) - started, 3),
            "final_s": final_quantiles(job.recorded_at, started),
            "instance_busy_s": [round(s, 3) for s in instance_seconds(invocations, config.concurrent_calls)],
            "ledger_table_operations": job.table.operations, "peak_rss_mb": peak_rss_mb()}
