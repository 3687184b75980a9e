"""One bench phase per process: `python -m local.bench.phases collect|analyse CONFIG.json`.

Each phase prints one JSON line (its measurements, including its own peak RSS from getrusage), so the
runner gets per-phase memory without sampling. Collection drives the real collectors with the real SDK
clients against the simulated tenant; analysis reads the raw blobs back through the pipeline's own
`build_inputs` and runs `shared.analysis.analyse_scan` with a narrator on the simulator's AI endpoint.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import resource
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
from azure.identity import ClientSecretCredential

from local.bench.bounds import scaled
from local.memtable import MemoryTable
from shared.analysis import analyse_scan
from shared.analysis.llm import NarratorError
from shared.arm import advisor_client, cost_management_client, resource_graph_client
from shared.collectors import Collected, CollectRequest, advisor, cost, resource_graph
from shared.collectors.quota import LIMITS, QpuLedger
from shared.config import get_settings
from shared.domain import ScanStatus, TaskOutcome
from shared.errors import AccessDenied, NotCollectable, NotFound
from shared.messages import SOURCES, Source
from shared.pipeline.analyse import build_inputs
from shared.rawdata import RawEnvelope, encode

logger = logging.getLogger(__name__)

SCAN_ID = "bench"
MAX_DELIVERIES = 6  # what Service Bus would redeliver before dead-lettering


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB.

    VmHWM belongs to the process's own address space. ru_maxrss does not do here: subprocess starts the
    phase with vfork, so it reports the parent's (the simulator's) peak from before exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def raw_path(out: Path, subscription_id: str, source: str) -> Path:
    """Where the bench keeps one raw blob (the same bytes the pipeline writes to Blob storage)."""
    return out / "raw" / subscription_id.lower() / f"{source}.json.gz"


class _Collection:
    """The collect tasks of one scan, run by a pool of workers standing in for function instances."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg, self.out = cfg, Path(cfg["out_dir"])
        verify = cfg["ca"]
        self.credential = ClientSecretCredential(cfg["tenant_id"], cfg["client_id"], cfg["secret"],
                                                 authority=cfg["base_url"], disable_instance_discovery=True,
                                                 connection_verify=verify)
        kwargs = {"base_url": cfg["base_url"], "connection_verify": verify}
        self.graph = resource_graph_client(self.credential, **kwargs)
        self.costs = cost_management_client(self.credential, **kwargs)
        self.kwargs = kwargs
        # Caleta's own budget (LIMITS, below Azure's) on the simulator's time-scaled clock.
        self.ledger = QpuLedger(MemoryTable(), limits=scaled(LIMITS, cfg["time_scale"]))
        self.lock = threading.Lock()
        self.bytes_written = 0
        self.bytes_plain = 0
        self.gzip_blobs = 0
        self.redeliveries = 0
        self.outcomes: dict[str, dict[str, str]] = {}
        self.counts: dict[str, Any] = {}
        self.seconds: dict[str, float] = {}

    def _collect(self, sub: str, source: Source) -> Collected:
        request = CollectRequest(scan_id=SCAN_ID, subscription_id=sub, tenant_id=self.cfg["tenant_id"],
                                 credential=self.credential)
        if source == "resource-graph":
            return resource_graph.collect(request, client=self.graph)
        if source == "cost":
            return cost.collect(request, client=self.costs, budget=self.ledger,
                                history_days=get_settings().cost_history_days)
        return advisor.collect(request, client=advisor_client(self.credential, sub, **self.kwargs))

    def task(self, sub: str, source: Source) -> None:
        """Collect, write the blob, record the outcome; redeliver on anything transient, like Service Bus."""
        started = time.monotonic()
        outcome, collected = "failed", None
        for delivery in range(MAX_DELIVERIES):
            try:
                collected = self._collect(sub, source)
                outcome = "succeeded"
                break
            except (AccessDenied, NotCollectable) as exc:
                outcome = f"failed: {exc.reason}"
                break
            except Exception as exc:  # transient: the message goes back to the queue
                logger.warning("collect %s delivery %d: %s", source, delivery + 1, type(exc).__name__)
                with self.lock:
                    self.redeliveries += 1
        if collected is not None:
            envelope = RawEnvelope(source=source, scan_id=SCAN_ID, subscription_id=sub,
                                   collected_at=dt.datetime.now(dt.UTC), api_versions=collected.api_versions,
                                   row_count=collected.row_count, data=collected.data)
            blob = encode(envelope)
            path = raw_path(self.out, sub, source)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
            plain = len(gzip.decompress(blob)) if blob[:2] == b"\x1f\x8b" else len(blob)
            with self.lock:
                self.bytes_written += len(blob)
                self.bytes_plain += plain
                self.gzip_blobs += blob[:2] == b"\x1f\x8b"
                self.counts.setdefault(sub, {})[source] = _counts(source, collected.data)
        with self.lock:
            self.outcomes.setdefault(sub, {})[source] = outcome
            self.seconds[source] = self.seconds.get(source, 0.0) + time.monotonic() - started


def _counts(source: str, data: dict[str, Any]) -> Any:
    """What the lower bounds need: rows per Resource Graph table, rows per cost month window."""
    if source == "resource-graph":
        return [len(data["resources"]), len(data["resource_containers"])]
    if source == "cost":
        names = [c["name"] for c in data.get("columns") or []]
        if "UsageDate" not in names:
            return {}
        col = names.index("UsageDate")
        months: Counter[str] = Counter(str(row[col])[:6] for row in data.get("rows") or [])
        return dict(months)
    return len(data.get("recommendations") or [])


def run_collect(cfg: dict[str, Any]) -> dict[str, Any]:
    """Every (subscription, source) task through `workers` threads; timings, bytes, counts, outcomes."""
    job = _Collection(cfg)
    tasks = [(sub, source) for sub in cfg["subscriptions"] for source in SOURCES]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=int(cfg["workers"])) as pool:
        list(pool.map(lambda t: job.task(*t), tasks))
    wall = time.monotonic() - started
    return {"wall_s": round(wall, 2), "task_seconds": {k: round(v, 1) for k, v in job.seconds.items()},
            "bytes_written": job.bytes_written, "bytes_uncompressed": job.bytes_plain,
            "blobs": sum(1 for by in job.outcomes.values() for o in by.values() if o == "succeeded"),
            "gzip_blobs": job.gzip_blobs, "redeliveries": job.redeliveries, "outcomes": job.outcomes,
            "counts": job.counts, "peak_rss_mb": peak_rss_mb()}


class _FileBlobs:
    """The bench's raw blobs as the pipeline's BlobsLike (reads only)."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def get_raw(self, scan_id: str, subscription_id: str, source: Source) -> bytes:
        """The blob's bytes, or NotFound."""
        path = raw_path(self.out, subscription_id, source)
        if not path.exists():
            raise NotFound("raw blob")
        return path.read_bytes()

    def put_raw(self, scan_id: str, subscription_id: str, source: Source, data: bytes) -> str:
        """Not used in analysis."""
        raise NotImplementedError

    def put_report(self, scan_id: str, name: str, data: bytes, content_type: str) -> str:
        """Reports go to the bench's out directory."""
        path = self.out / "reports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)


class CountingNarrator:
    """The product's narrator contract over the simulator's AI endpoint, adding up the tokens it reports."""

    def __init__(self, base_url: str, api_key: str) -> None:
        # The simulator's CA reaches the client through SSL_CERT_FILE (the runner sets it for this process).
        self.client = openai.OpenAI(base_url=base_url.rstrip("/") + "/openai/v1/", api_key=api_key,
                                    max_retries=0, timeout=60.0)
        self.prompt_tokens = 0
        self.calls = 0

    def complete(self, system: str, user: str, schema: dict[str, object], max_tokens: int) -> str:
        """One chat completion with a JSON-schema answer; counts usage.prompt_tokens."""
        response = self.client.chat.completions.create(
            model="sim-model", messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "cost_review_narrative", "schema": schema, "strict": True}},
            max_tokens=max_tokens, temperature=0, store=False)
        self.calls += 1
        self.prompt_tokens += response.usage.prompt_tokens if response.usage else 0
        content = response.choices[0].message.content if response.choices else None
        if not content:
            raise NarratorError("empty answer")
        return content


def run_analyse(cfg: dict[str, Any]) -> dict[str, Any]:
    """Load the raw blobs through build_inputs, analyse, write the report; timings, RSS, tokens."""
    out = Path(cfg["out_dir"])
    outcomes: dict[str, dict[str, str]] = cfg["outcomes"]
    now = dt.datetime.now(dt.UTC)
    tasks = tuple(TaskOutcome(sub, source, "succeeded" if text == "succeeded" else "failed",
                              None if text == "succeeded" else text, now)
                  for sub, by_source in outcomes.items() for source, text in by_source.items())
    scan = ScanStatus(customer_id="bench", scan_id=SCAN_ID, status="analysing", reason=None, requested_by="bench",
                      subscription_ids=tuple(outcomes), created_at=now, updated_at=now, tasks=tasks)
    blobs = _FileBlobs(out)
    started = time.monotonic()
    inputs = build_inputs(scan, "Bench Estate Ltd", blobs)
    loaded = time.monotonic()
    load_rss = peak_rss_mb()
    narrator = CountingNarrator(cfg["base_url"], cfg["ai_api_key"])
    bundle = analyse_scan(inputs, narrator)
    done = time.monotonic()
    for name, data in (("report.json", bundle.report_json), ("report.html", bundle.report_html),
                       ("findings.csv", bundle.findings_csv)):
        blobs.put_report(SCAN_ID, name, data, "")
    return {"wall_s": round(done - started, 2), "load_s": round(loaded - started, 2),
            "analyse_s": round(done - loaded, 2), "peak_rss_after_load_mb": load_rss, "peak_rss_mb": peak_rss_mb(),
            "findings": bundle.findings_count, "monthly_savings": bundle.total_monthly_savings,
            "currency": bundle.currency, "narrative": bundle.narrative_source, "llm_calls": narrator.calls,
            "prompt_tokens": narrator.prompt_tokens, "report_bytes": len(bundle.report_json)}


def main(argv: list[str] | None = None) -> int:
    """Run one phase from a JSON config file; print its result as one JSON line."""
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    phase, cfg = args[0], json.loads(Path(args[1]).read_text())
    result = run_collect(cfg) if phase == "collect" else run_analyse(cfg)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
