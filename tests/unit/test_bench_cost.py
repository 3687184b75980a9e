"""Caleta's own cost per review: the arithmetic of each line, at given prices."""

from __future__ import annotations

import dataclasses

import pytest

from local.bench.caleta_cost import SECONDS_PER_MONTH, Prices, ReviewUsage, review_cost

USAGE = ReviewUsage(instance_seconds=[1000.0, 500.0], instance_memory_mb=2048, executions=200_000,
                    blob_writes=20_000, blob_reads=10_000, raw_bytes=2 * 10**9, raw_lifetime_days=3.0,
                    report_bytes=10**9, report_months=1.0, table_operations=100_000, qpu=200, cost_requests=1350,
                    tenant_qpu_per_hour=600, caleta_qpu_per_hour=500, prompt_tokens=1_000_000,
                    completion_tokens=100_000)
PRICES = Prices(functions_gb_s_usd=0.00002, functions_per_million_executions_usd=0.5, blob_gb_month_usd=0.02,
                blob_write_per_10k_usd=0.05, blob_read_per_10k_usd=0.004, table_per_10k_usd=0.001,
                standard_input_per_1m_usd=2.0, standard_output_per_1m_usd=10.0, ptu_hour_usd=2.0, ptu_count=50,
                ptu_input_tpm=2500, ptu_output_weight=4.0, usd_to_gbp=0.8)


def test_functions_bill_each_instances_busy_time_at_its_memory_and_every_execution() -> None:
    cost = review_cost(USAGE, PRICES)
    functions = cost["functions"]
    assert functions["gb_s"] == 3000.0  # (1000 + 500) s x 2 GB
    assert functions["usd"] == pytest.approx(3000 * 0.00002 + 0.2 * 0.5)


def test_storage_bills_raw_data_for_its_lifetime_reports_for_their_months_and_every_operation() -> None:
    storage = review_cost(USAGE, PRICES)["storage"]
    gb_month = 2 * 3 * 86400 / SECONDS_PER_MONTH + 1.0
    assert storage["gb_month"] == pytest.approx(gb_month, abs=1e-6)
    assert storage["usd"] == pytest.approx(gb_month * 0.02 + 2 * 0.05 + 1 * 0.004 + 10 * 0.001, abs=1e-6)


def test_cost_management_is_free_but_reports_the_hours_of_quota_it_used() -> None:
    quota = review_cost(USAGE, PRICES)["cost_management"]
    # Azure charged a QPU per month (200); Caleta's ledger took one per request (1,350).
    assert quota == {"qpu": 200, "usd": 0.0, "tenant_quota_hours": 0.33, "caleta_budget_hours": 2.7}


def test_tokens_are_priced_per_million_on_standard_and_as_a_share_of_the_ptu_hour_on_provisioned() -> None:
    model = review_cost(USAGE, PRICES)["model"]
    assert model["standard_usd"] == pytest.approx(1.0 * 2.0 + 0.1 * 10.0)
    weighted = 1_000_000 + 100_000 * 4  # output tokens weigh four input tokens
    assert model["provisioned_share_usd"] == pytest.approx(weighted / (50 * 2500 * 60) * 50 * 2.0, abs=1e-6)


def test_the_total_uses_the_chosen_deployment_type_and_converts_to_pounds() -> None:
    standard = review_cost(USAGE, PRICES)
    provisioned = review_cost(USAGE, dataclasses.replace(PRICES, model_deployment="provisioned"))
    base = standard["functions"]["usd"] + standard["storage"]["usd"]
    assert standard["total_usd"] == pytest.approx(base + standard["model"]["standard_usd"], abs=1e-5)
    assert provisioned["total_usd"] == pytest.approx(base + standard["model"]["provisioned_share_usd"], abs=1e-5)
    assert standard["total_gbp"] == pytest.approx(standard["total_usd"] * 0.8, abs=1e-5)


def test_every_price_has_a_source_or_says_it_is_an_assumption() -> None:
    assert set(review_cost(USAGE)["price_sources"]) == {f.name for f in dataclasses.fields(Prices)}
