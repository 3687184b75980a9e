"""Tunable limits of the simulated tenant (quotas, page sizes, timings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimOptions:
    """Limits and timings; defaults are Azure's documented values."""

    arg_quota: int = 15
    arg_window_s: float = 5.0
    # Cost Management QPU budgets per tenant: (QPU, window seconds) before time_scale.
    cm_qpu_limits: tuple[tuple[int, float], ...] = ((12, 10.0), (60, 60.0), (600, 3600.0))
    # Multiplies every Cost Management window so tests can shrink an hour to seconds.
    time_scale: float = 1.0
    cost_page_size: int = 5000
    arg_max_top: int = 1000
    advisor_page_size: int = 2
    ai_slow_seconds: float = 5.0
    token_lifetime_s: int = 3600
    # The AI endpoint also takes this key (api-key header or bearer), like an Azure OpenAI resource key.
    ai_api_key: str = "local-ai-key"
    # --- Quota realism for the bench (issue 17); every window below is multiplied by time_scale too. ---
    # Microsoft documents 1 QPU per month of data queried and not whether each nextLink page costs it again:
    # True charges every page (the conservative reading), False only a query's first page.
    cm_qpu_per_page: bool = True
    # ARM's token bucket for plain reads (GET/HEAD) per principal per subscription (and per tenant): bucket size
    # and refill per second; the global per-subscription bucket shared by all principals is `factor` times both.
    arm_read_bucket: int = 250
    arm_read_refill_per_s: float = 25.0
    arm_read_global_factor: int = 15
