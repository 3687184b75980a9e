"""What one review costs Caleta: Functions time, storage, Cost Management quota (free, but hours of it) and tokens.

Prices are parameters with their source (or "assumption" and the date it was set); list prices in USD. The
machine has no internet: nothing here was read from the live pricing pages, so check the Azure pricing
calculator for UK South before quoting any of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

PRICES_AS_OF = "2026-12-06"
SECONDS_PER_MONTH = 730 * 3600  # Azure bills a month as 730 hours

PRICE_SOURCES = {
    "functions_gb_s_usd": "Flex Consumption on demand execution time, $0.000026/GB-s (modal.com 'Azure Functions "
                          "pricing', 2025-05-22, East US, quoting the Azure pricing page); UK South not confirmed: "
                          f"assumption as of {PRICES_AS_OF}",
    "functions_per_million_executions_usd": "Flex Consumption on demand, $0.40 per million executions (same source)",
    "blob_gb_month_usd": f"Blob Hot LRS, assumption as of {PRICES_AS_OF}",
    "blob_write_per_10k_usd": f"Blob Hot write operations, assumption as of {PRICES_AS_OF}",
    "blob_read_per_10k_usd": f"Blob Hot read operations, assumption as of {PRICES_AS_OF}",
    "table_per_10k_usd": f"Table storage transactions, assumption as of {PRICES_AS_OF}",
    "standard_input_per_1m_usd": "gpt-4o regional Standard input: global list $2.50/1M (deploybase.ai, 2026-02) "
                                 f"+10% regional premium, assumption as of {PRICES_AS_OF}",
    "standard_output_per_1m_usd": "gpt-4o regional Standard output: global list $10/1M + 10%, assumption",
    "ptu_hour_usd": "Provisioned Managed, hourly, $2 per PTU-hour ('Azure OpenAI Essentials', 2026, secondary); "
                    "verify on the Azure OpenAI pricing page",
    "ptu_count": "gpt-4o regional provisioned minimum deployment 50 PTU (Microsoft Learn, provisioned throughput "
                 "sizing, MicrosoftDocs/azure-ai-docs)",
    "ptu_input_tpm": "gpt-4o input tokens per minute per PTU 2,500 (same page)",
    "ptu_output_weight": "an output token counts as 4 input tokens for gpt-4o/gpt-4.1 (same page, output-to-input "
                         "ratio)",
    "usd_to_gbp": f"assumption as of {PRICES_AS_OF}",
    "model_deployment": "which token price the total uses: 'standard' (regional Standard, per token) or "
                        "'provisioned' (the review's share of a fully used Provisioned Managed deployment's hour)",
    "table_ops_per_delivery": "shared/pipeline/collect.py: scan, task and customer reads, the outcome's read and "
                              "If-Match update, the settle read",
}


@dataclass(frozen=True)
class Prices:
    """Unit prices (USD) and the few sizes they need; see PRICE_SOURCES."""

    functions_gb_s_usd: float = 0.000026
    functions_per_million_executions_usd: float = 0.40
    blob_gb_month_usd: float = 0.021
    blob_write_per_10k_usd: float = 0.065
    blob_read_per_10k_usd: float = 0.005
    table_per_10k_usd: float = 0.00036
    standard_input_per_1m_usd: float = 2.75
    standard_output_per_1m_usd: float = 11.0
    ptu_hour_usd: float = 2.0
    ptu_count: int = 50
    ptu_input_tpm: int = 2500
    ptu_output_weight: float = 4.0
    usd_to_gbp: float = 0.79
    table_ops_per_delivery: int = 6
    model_deployment: Literal["standard", "provisioned"] = "standard"


@dataclass(frozen=True)
class ReviewUsage:
    """What one review used, in real (Azure) seconds and counts."""

    instance_seconds: list[float]  # per Flex instance (and the analysis): time with an invocation running
    instance_memory_mb: int
    executions: int
    blob_writes: int
    blob_reads: int
    raw_bytes: int
    raw_lifetime_days: float
    report_bytes: int
    report_months: float
    table_operations: int
    qpu: int  # what Cost Management charged the tenant
    cost_requests: int  # what Caleta's ledger charged its own budget: a QPU per request, whatever Azure charges
    tenant_qpu_per_hour: int
    caleta_qpu_per_hour: int
    prompt_tokens: int
    completion_tokens: int


def _usd(value: float) -> float:
    return round(value, 6)


def review_cost(usage: ReviewUsage, prices: Prices = Prices()) -> dict[str, Any]:
    """Every line of the review's cost; the total prices tokens as `prices.model_deployment` (both are shown)."""
    gb_s = sum(usage.instance_seconds) * usage.instance_memory_mb / 1024
    functions = gb_s * prices.functions_gb_s_usd + usage.executions / 1e6 * prices.functions_per_million_executions_usd
    gb_month = (usage.raw_bytes / 1e9 * usage.raw_lifetime_days * 86400 / SECONDS_PER_MONTH
                + usage.report_bytes / 1e9 * usage.report_months)
    storage = (gb_month * prices.blob_gb_month_usd + usage.blob_writes / 1e4 * prices.blob_write_per_10k_usd
               + usage.blob_reads / 1e4 * prices.blob_read_per_10k_usd
               + usage.table_operations / 1e4 * prices.table_per_10k_usd)
    standard = (usage.prompt_tokens / 1e6 * prices.standard_input_per_1m_usd
                + usage.completion_tokens / 1e6 * prices.standard_output_per_1m_usd)
    # A fully used deployment: the review's share of an hour is its weighted tokens over the hour's capacity.
    weighted = usage.prompt_tokens + usage.completion_tokens * prices.ptu_output_weight
    capacity_per_hour = prices.ptu_count * prices.ptu_input_tpm * 60
    provisioned = weighted / capacity_per_hour * prices.ptu_count * prices.ptu_hour_usd
    total = functions + storage + (standard if prices.model_deployment == "standard" else provisioned)
    return {
        "functions": {"gb_s": round(gb_s, 1), "instance_spans": len(usage.instance_seconds),
                      "executions": usage.executions, "usd": _usd(functions)},
        "storage": {"gb_month": round(gb_month, 6), "blob_writes": usage.blob_writes, "blob_reads": usage.blob_reads,
                    "table_operations": usage.table_operations, "usd": _usd(storage)},
        "cost_management": {"qpu": usage.qpu, "usd": 0.0,
                            "tenant_quota_hours": round(usage.qpu / usage.tenant_qpu_per_hour, 2),
                            "caleta_budget_hours": round(usage.cost_requests / usage.caleta_qpu_per_hour, 2)},
        "model": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                  "standard_usd": _usd(standard), "provisioned_share_usd": _usd(provisioned)},
        "total_usd": _usd(total), "total_gbp": _usd(total * prices.usd_to_gbp),
        "prices": asdict(prices), "price_sources": PRICE_SOURCES,
    }
