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
