"""How much memory an analysis will take, and the share of the instance that concurrent analyses may hold.

The analyse queue runs host.json's maxConcurrentCalls (2) analyses at once per instance, in one Python worker. Two
analyses of the default bench estate fit a 2,048 MB Flex instance (2 x 681 MB + the worker's 98 + the host's ~300),
but a tenant read every day (200 subscriptions x 500 resources: 6.5 M cost rows) takes 1,183 MB, and two of those
would not (docs/performance.md, 2026-12-07). So each analysis estimates its peak from its compressed raw data before
decoding any of it, and waits until that fits beside the analyses already running in this worker; one alone
always runs (the largest measured, 200,000 resources, peaks at 1,017 MB).

The estimate is fitted to the bench's analyses (peak above the worker against gzip bytes per source, 25,000 to
200,000 resources): about 165 MB per MB of compressed inventory (JSON rows become dicts of shared strings) and 6.8 per
MB of compressed cost rows (held by column). The factors below round those up.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from shared.config import get_settings
from shared.errors import TransientError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# Peak MB above the worker per MB of gzip raw data, by source (inventory-like JSON for the other two sources).
MB_PER_GZIP_MB = {"resource-graph": 170.0, "cost": 7.5, "advisor": 170.0, "cost-config": 170.0}
BASE_MB = 10.0  # the report, the model's prompt and the analysis's own structures on an empty estate
# An analysis takes well under a minute; past this the wait gives the message back rather than hold it for ever.
MAX_WAIT_S = 300.0


def estimate_mb(gzip_bytes: Mapping[str, int]) -> float:
    """The peak memory (MB above the worker) of an analysis of raw data of these compressed sizes per source."""
    return BASE_MB + sum(MB_PER_GZIP_MB.get(source, MB_PER_GZIP_MB["resource-graph"]) * size / MB
                         for source, size in gzip_bytes.items())


class MemoryShare:
    """The memory the analyses of one worker may hold together; an analysis waits for room, one alone always runs."""

    def __init__(self, budget_mb: float) -> None:
        self.budget_mb = budget_mb
        self._held: list[float] = []
        self._room = threading.Condition()

    def fits(self, need_mb: float) -> bool:
        """Whether an analysis of `need_mb` may start now beside those running."""
        return not self._held or sum(self._held) + need_mb <= self.budget_mb

    @contextmanager
    def hold(self, need_mb: float, max_wait_s: float = MAX_WAIT_S) -> Iterator[None]:
        """Run the block once `need_mb` fits (TransientError past `max_wait_s`: the message is delivered again)."""
        with self._room:
            if not self._room.wait_for(lambda: self.fits(need_mb), timeout=max_wait_s):
                raise TransientError("the instance's memory is taken by other analyses")
            alone = not self._held
            self._held.append(need_mb)
        if alone and need_mb > self.budget_mb:
            logger.info("analysis estimated at %.0f MB runs alone (the share is %.0f MB)", need_mb, self.budget_mb)
        try:
            yield
        finally:
            with self._room:
                self._held.remove(need_mb)
                self._room.notify_all()


@functools.lru_cache(maxsize=1)
def worker_share() -> MemoryShare:
    """This worker's share for analyses (settings.analysis_memory_mb)."""
    return MemoryShare(float(get_settings().analysis_memory_mb))
