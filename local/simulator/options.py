"""Tunable limits of the simulated tenant (quotas, page sizes, timings) and the AI deployment it serves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimOptions:
    """Limits and timings; defaults are Azure's documented values (sources in docs/estate-format.md)."""

    arg_quota: int = 15
    arg_window_s: float = 5.0
    # Cost Management QPU budgets per tenant: (QPU, window seconds) before time_scale.
    cm_qpu_limits: tuple[tuple[int, float], ...] = ((12, 10.0), (60, 60.0), (600, 3600.0))
    # Multiplies every Cost Management window so tests can shrink an hour to seconds.
    time_scale: float = 1.0
    cost_page_size: int = 5000
    # An empty Cost Management answer: 200 with no rows is what clients usually see; 204 is documented too.
    cm_empty_status: int = 200
    arg_max_top: int = 1000
    # Resource Graph refuses a page whose JSON is over this many bytes (400, detail ResponsePayloadTooLarge). Not in
    # Microsoft's docs: the limit is the one captured answers name (16777216 in 2024); None turns it off.
    arg_max_response_bytes: int | None = 16_777_216
    # Advisor answered 50 recommendations and a nextLink with $top=50 (Azure/azure-cli#33770).
    advisor_page_size: int = 50
    ai_slow_seconds: float = 5.0
    token_lifetime_s: int = 3600
    # Role propagation, each reader on its own delay (per assignment overridable in the estate):
    # ARM authorisation "can take up to 10 minutes" (RBAC troubleshooting doc); Resource Graph's
    # authorizationresources shows "95% of all changes ... under 30s" (Azure/azure-dev#540).
    rbac_propagation_s: float = 600.0
    arg_propagation_s: float = 30.0
    # The AI deployment: its name (the `model` the client must send), the model behind it, whether that is a
    # reasoning model (GPT-5 family, o-series), and whether keys work (the Bicep sets disableLocalAuth).
    ai_deployment: str = "gpt-4o"
    ai_model: str = "gpt-4o-2024-11-20"
    ai_reasoning: bool = False
    ai_local_auth: bool = False
    # The key an account with local auth enabled takes (api-key header or bearer).
    ai_api_key: str = "local-ai-key"
    # Reasoning tokens a reasoning model spends on each answer (they count against max_completion_tokens).
    ai_reasoning_tokens: int = 384
    # --- Quota realism for the bench (issue 17); every window below is multiplied by time_scale too. ---
    # Microsoft documents 1 QPU per month of data queried and not whether each nextLink page costs it again:
    # True charges every page (the conservative reading), False only a query's first page.
    cm_qpu_per_page: bool = True
    # ARM's token bucket for plain reads (GET/HEAD) per principal per subscription (and per tenant): bucket size
    # and refill per second; the global per-subscription bucket shared by all principals is `factor` times both.
    arm_read_bucket: int = 250
    arm_read_refill_per_s: float = 25.0
    arm_read_global_factor: int = 15
