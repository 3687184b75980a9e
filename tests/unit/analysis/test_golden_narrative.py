"""Golden test: what the model is shown and the deterministic narrative of the demo estate, byte for byte."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.unit.analysis.builders import analyse
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs

GOLDEN = Path(__file__).with_name("golden_narrative.json")


class RecordingNarrator:
    """Keeps the prompt and schema it is given, then fails like a model that timed out."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def complete(self, system: str, user: str, schema: dict[str, object], max_tokens: int) -> str:
        self.calls.append({"system": system, "user": user, "schema": schema, "max_tokens": max_tokens})
        raise TimeoutError("recorded")


def narrative_and_prompt() -> dict[str, Any]:
    """Per demo tenant: the narrative without a model, and the one request a model would get."""
    out = {}
    for tenant in load_demo().tenants:
        inputs = scan_inputs(tenant)
        narrator = RecordingNarrator()
        analyse(inputs, narrator)
        narrative = json.loads(analyse(inputs).report_json)["narrative"]
        out[tenant.display_name] = {"narrative": narrative, "request": narrator.calls}
    return out


def test_prompt_and_deterministic_narrative_match_golden_when_demo_estate_analysed() -> None:
    actual = narrative_and_prompt()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))
