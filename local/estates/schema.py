"""Write local/estates/schema.json from the models: `python -m local.estates.schema`."""

from __future__ import annotations

import json
from pathlib import Path

from local.estates.model import estate_json_schema

SCHEMA_PATH = Path(__file__).with_name("schema.json")


def render_schema() -> str:
    """The schema file's exact text (stable key order, trailing newline)."""
    return json.dumps(estate_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
