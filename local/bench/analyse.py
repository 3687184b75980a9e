"""The analyse phase: raw blobs through the pipeline's fetch_raw and decode_inputs, the analysis, the report, its size.

The narrator is the product's contract over the simulator's AI endpoint, adding up the tokens it answers.
Report rendering is timed on its own by rendering the finished report model again (issue 16 structures the
report: `render_times` is the one place that knows the renderers).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai

from local.bench.collect import SCAN_ID, raw_path
from local.bench.procstats import peak_rss_mb
from shared.analysis import ScanInputs, analyse_scan
from shared.analysis.llm import NarratorError
from shared.analysis.narrative_model import FallbackReason
from shared.analysis.render import render_csv, render_html, render_json
from shared.analysis.report_model import Report
from shared.domain import ScanStatus, TaskOutcome
from shared.errors import NotFound
from shared.messages import Source
from shared.pipeline.analyse import decode_inputs, fetch_raw
from shared.pipeline.analysis_memory import estimate_mb


class FileBlobs:
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

    def __init__(self, base_url: str, api_key: str, deployment: str) -> None:
        # The simulator's CA reaches the client through SSL_CERT_FILE (the runner sets it for this process).
        self.client = openai.OpenAI(base_url=base_url.rstrip("/") + "/openai/v1/", api_key=api_key,
                                    max_retries=0, timeout=60.0)
        self.deployment = deployment
        self.prompt_tokens = self.completion_tokens = self.calls = 0

    def complete(self, system: str, user: str, schema: dict[str, object], max_tokens: int) -> str:
        """One chat completion with a JSON-schema answer; counts usage.prompt_tokens and completion_tokens."""
        response = self.client.chat.completions.create(
            model=self.deployment, messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "cost_review_narrative", "schema": schema, "strict": True}},
            # The product's parameters (shared/analysis/llm.py): max_completion_tokens, no temperature.
            max_completion_tokens=max_tokens, store=False)
        self.calls += 1
        if response.usage:
            self.prompt_tokens += response.usage.prompt_tokens
            self.completion_tokens += response.usage.completion_tokens
        content = response.choices[0].message.content if response.choices else None
        if not content:
            raise NarratorError(FallbackReason.EMPTY_ANSWER)
        return content


def render_times(report_json: bytes, inputs: ScanInputs) -> dict[str, float]:
    """Seconds to render report.json, report.html and findings.csv from the finished report model."""
    report = Report.model_validate_json(report_json)
    names: dict[str, str] = {}
    for sub in inputs.subscriptions:
        graph = sub.raw.get("resource-graph")
        rows = (graph.data.get("resources") or []) + (graph.data.get("resource_containers") or []) if graph else []
        names.update({str(r.get("id") or "").lower(): str(r.get("name") or "") for r in rows})
    renderers: dict[str, Callable[[], bytes]] = {
        "json": lambda: render_json(report), "html": lambda: render_html(report, names),
        "csv": lambda: render_csv(report)}
    out: dict[str, float] = {}
    for name, render in renderers.items():
        started = time.monotonic()
        render()
        out[name] = round(time.monotonic() - started, 3)
    out["total"] = round(sum(out.values()), 3)
    return out


def run_analyse(cfg: dict[str, Any]) -> dict[str, Any]:
    """Load the raw blobs as the analyse function does, analyse, write the report; timings, RSS, tokens, report
    size, and the memory the function would have estimated for it."""
    out = Path(cfg["out_dir"])
    outcomes: dict[str, dict[str, str]] = cfg["outcomes"]
    now = dt.datetime.now(dt.UTC)
    tasks = tuple(TaskOutcome(sub, source, "succeeded" if text == "succeeded" else "failed",
                              None if text == "succeeded" else text, now)
                  for sub, by_source in outcomes.items() for source, text in by_source.items())
    scan = ScanStatus(customer_id="bench", scan_id=SCAN_ID, status="analysing", reason=None, requested_by="bench",
                      subscription_ids=tuple(cfg["subscriptions"]), created_at=now, updated_at=now, tasks=tasks)
    blobs = FileBlobs(out)
    baseline = peak_rss_mb()  # the worker with the app imported, before any scan is loaded
    started = time.monotonic()
    fetched = fetch_raw(scan, blobs)
    gzip_bytes = fetched.gzip_bytes()  # what the analyse function estimates its memory from
    inputs = decode_inputs(scan, "Bench Estate Ltd", fetched)
    loaded = time.monotonic()
    load_rss = peak_rss_mb()
    narrator = CountingNarrator(cfg["base_url"], cfg["ai_api_key"], cfg["ai_deployment"])
    bundle = analyse_scan(inputs, narrator)
    done = time.monotonic()
    files = {"report.json": bundle.report_json, "report.html": bundle.report_html, "findings.csv": bundle.findings_csv}
    for name, data in files.items():
        blobs.put_report(SCAN_ID, name, data, "")
    return {"wall_s": round(done - started, 2), "load_s": round(loaded - started, 2),
            "analyse_s": round(done - loaded, 2), "rss_before_load_mb": baseline, "peak_rss_after_load_mb": load_rss,
            "peak_rss_mb": peak_rss_mb(), "raw_gzip_bytes": gzip_bytes,
            "estimated_mb": round(estimate_mb(gzip_bytes), 1),
            "findings": bundle.findings_count, "monthly_savings": bundle.total_monthly_savings,
            "currency": bundle.currency, "narrative": bundle.narrative_source, "llm_calls": narrator.calls,
            "prompt_tokens": narrator.prompt_tokens, "completion_tokens": narrator.completion_tokens,
            "report_bytes": len(bundle.report_json), "report_files": {k: len(v) for k, v in files.items()},
            "render_s": render_times(bundle.report_json, inputs)}
