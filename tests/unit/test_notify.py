"""Notifications: the file outbox, Graph sendMail's request, and what an e-mail may carry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from shared.errors import TransientError
from shared.notify import Email, FileOutbox, NoNotifier, notifier_from_url
from shared.notify import emails as templates
from shared.notify.graph import GraphNotifier

CID = "c" * 32


class Response:
    def __init__(self, status: int) -> None:
        self.status_code = status


class FakeGraph:
    def __init__(self, status: int = 202) -> None:
        self.requests: list[Any] = []
        self.status = status

    def send_request(self, request: Any) -> Response:
        self.requests.append(request)
        return Response(self.status)


def test_file_outbox_writes_one_json_file_per_email_when_sent(tmp_path: Path) -> None:
    outbox = notifier_from_url((tmp_path / "out").as_uri())
    outbox.send(Email("a@x.example", "review_ready", "s", "b"))
    outbox.send(Email("a@x.example", "access_revoked", "s", "b"))
    files = sorted((tmp_path / "out").glob("*.json"))
    assert len(files) == 2 and json.loads(files[0].read_text())["kind"] == "review_ready"
    assert isinstance(outbox, FileOutbox) and [e.kind for e in outbox.read_all()] == ["review_ready",
                                                                                      "access_revoked"]


def test_graph_notifier_posts_send_mail_from_caletas_mailbox_when_sent() -> None:
    graph = FakeGraph()
    GraphNotifier("reviews@caleta.io", credential=None, client=graph).send(  # type: ignore[arg-type]
        Email("it@acme.example", "review_ready", "Ready", "Body"))
    request = graph.requests[0]
    assert request.method == "POST"
    assert request.url == "https://graph.microsoft.com/v1.0/users/reviews%40caleta.io/sendMail"
    body = json.loads(request.content)
    assert body["message"]["toRecipients"] == [{"emailAddress": {"address": "it@acme.example"}}]
    assert body["saveToSentItems"] is False


def test_graph_notifier_raises_transient_when_graph_throttles() -> None:
    with pytest.raises(TransientError):
        GraphNotifier("m@caleta.io", credential=None, client=FakeGraph(429)).send(  # type: ignore[arg-type]
            Email("a@b.example", "k", "s", "b"))


def test_no_notifier_when_url_is_empty() -> None:
    assert isinstance(notifier_from_url(""), NoNotifier)


def test_unknown_scheme_refused_when_configured() -> None:
    with pytest.raises(ValueError):
        notifier_from_url("smtp://mail.example")


def test_review_email_carries_headline_figures_and_link_only_when_built() -> None:
    email = templates.review_ready("it@acme.example", CID, "scan1", 7, 1234.5, "GBP", "complete")
    assert "Findings: 7" in email.body and "1,234.50 GBP" in email.body
    assert f"/api/account#customer={CID}&scan=scan1" in email.body
    assert "api_key" not in email.body and "report.html" not in email.body  # no key, no link that needs a header
    assert len(email.body.splitlines()) < 10


def test_certificate_and_offboarding_emails_link_the_certificate_when_built() -> None:
    when = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    for email in (templates.offboarding_confirmed("a@b.example", "r" * 32, when, customer_id=CID),
                  templates.certificate_issued("a@b.example", "r" * 32, when)):
        assert f"/api/account#certificate={'r' * 32}" in email.body
    issued = templates.certificate_issued("a@b.example", "r" * 32, when)
    assert f"/api/deletion-certificates/{'r' * 32}" in issued.body  # the JSON too, once it exists
