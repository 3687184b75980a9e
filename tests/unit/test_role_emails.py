"""The two role e-mails: links and counts only, what to check, and how to ask again."""

from __future__ import annotations

from shared.notify import emails

CID = "0123456789abcdef0123456789abcdef"


def test_ready_email_links_the_first_scan_when_it_started() -> None:
    mail = emails.roles_ready("it@example.com", CID, "scan1", readable=2, awaiting=1)
    assert (mail.kind, mail.customer_id) == ("roles_ready", CID)
    assert f"http://localhost:7071/api/account#customer={CID}&scan=scan1" in mail.body
    assert "1 other subscription(s)" in mail.body


def test_ready_email_says_how_to_start_a_scan_when_none_could_be_requested() -> None:
    mail = emails.roles_ready("it@example.com", CID, None, readable=1, awaiting=0)
    assert "next scheduled scan" in mail.body and "other" not in mail.body
    assert f"http://localhost:7071/api/account#customer={CID}" in mail.body  # where "Review now" is


def test_still_missing_email_lists_twenty_and_counts_the_rest_when_many_are_unreadable() -> None:
    subs = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(25)]
    mail = emails.roles_still_missing("it@example.com", CID, subs, waited_minutes=60, every_minutes=5)
    assert subs[19] in mail.body and subs[20] not in mail.body and "and 5 more" in mail.body
    assert "management group" in mail.body and f"POST /api/customers/{CID}/validate" in mail.body
    assert f"http://localhost:7071/api/account#customer={CID}" in mail.body
