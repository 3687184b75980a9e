"""Extra simulators for tests that need options or an estate the session simulator does not have."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local.certs import CertPaths
from local.simulator import SimOptions, Simulator
from tests.integration.sim_fixtures import SMALL_ESTATE


@contextmanager
def running(certs: CertPaths, options: SimOptions, estate: Path = SMALL_ESTATE) -> Iterator[Simulator]:
    """A simulator serving `estate` with `options`, stopped afterwards."""
    simulator = Simulator(estate, certs, options=options).start()
    try:
        yield simulator
    finally:
        simulator.stop()


def small_estate() -> dict[str, Any]:
    """A fresh copy of the small estate document, to change before writing it for a variant simulator."""
    data: dict[str, Any] = json.loads(SMALL_ESTATE.read_text(encoding="utf-8"))
    return data


def write_estate(document: dict[str, Any], folder: Path) -> Path:
    """Write an estate document into `folder` and return its path."""
    path = folder / "estate.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path
