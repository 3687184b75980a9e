"""Response models of the review history routes (issue 15): the OpenAPI document is built from them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Review(BaseModel):
    """One published review of the customer, from the summary kept in its scan row."""

    scan_id: str
    status: Literal["complete", "partial"]
    created_at: str = Field(description="when the review was requested (ISO 8601, UTC)")
    generated_at: str | None = Field(description="the review's date: when its data was collected")
    currency: str | None
    spend_30d: float | None = Field(description="the last 30 days of spend on the bill")
    savings_monthly: float | None = Field(description="savings found (counted, a month)")
    realised_monthly: float | None = Field(
        description="savings of findings resolved since the previous review that the settled bill confirms")
    findings: int | None
    new: int | None = Field(description="findings new since the previous review (None: a first review)")
    persisting: int | None
    resolved: int | None
    previous_scan_id: str | None
    reports: list[str]


class ReviewList(BaseModel):
    """GET /api/customers/{id}/reviews: newest first, and how long reviews are kept."""

    reviews: list[Review]
    retention_months: int


class ReviewDeleted(BaseModel):
    """200 from DELETE /api/customers/{id}/scans/{scan_id}."""

    scan_id: str
    deleted: bool
    blobs_deleted: int
    rows_deleted: int
