"""The analysis: raw scan data in, a cost review report (json, html, csv) out.

Deterministic rules find and price the waste from the customer's own bill; an LLM may write the narrative
from aliased aggregates only. Nothing here performs I/O except the narrator's call to the AI endpoint.
The types live in `model`, the run in `engine`; this package only re-exports them.
"""

from __future__ import annotations

from shared.analysis.engine import run_analysis as analyse_scan
from shared.analysis.model import Narrator, ReportBundle, ScanInputs, SubscriptionInputs

__all__ = ["Narrator", "ReportBundle", "ScanInputs", "SubscriptionInputs", "analyse_scan"]
