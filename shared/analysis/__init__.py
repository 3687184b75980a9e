"""The analysis: raw scan data in, a cost review report (json, html, csv) out.

Deterministic rules find and price the waste from the customer's own bill; an LLM may choose the narrative's
statements among checked claims, from aliased aggregates only. Nothing here performs I/O except the narrator's
call to the AI endpoint.
The types live in `model`, the run in `engine`; the product's pipeline calls `engine.run_analysis` through
shared/services.py, and `analyse_scan` here is the same run with the configured prompt budget.
"""

from __future__ import annotations

from shared.analysis.engine import run_analysis
from shared.analysis.model import Narrator, ReportBundle, ScanInputs, SubscriptionInputs
from shared.config import get_settings

__all__ = ["Narrator", "ReportBundle", "ScanInputs", "SubscriptionInputs", "analyse_scan"]


def analyse_scan(inputs: ScanInputs, narrator: Narrator | None) -> ReportBundle:
    """Run the rules, price and de-duplicate the findings, compute analytics and render the report."""
    return run_analysis(inputs, narrator, max_prompt_tokens=get_settings().ai_max_prompt_tokens)
