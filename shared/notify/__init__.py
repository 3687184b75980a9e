"""Notifications to a customer's contact: one Notifier, Microsoft Graph in Azure, a file outbox locally.

NOTIFY_OUTBOX_URL picks it: `graph://<mailbox>` sends with Graph sendMail from Caleta's own mailbox;
`file:///dir` writes one JSON file per e-mail (tests read them). E-mails carry links and headline figures
only (see shared.notify.emails), never cost rows or resource names.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)
_SEQUENCE = itertools.count()


@dataclass(frozen=True)
class Email:
    """One plain-text e-mail: who, what kind (for tests and logs), subject and body."""

    to: str
    kind: str
    subject: str
    body: str


class Notifier(Protocol):
    """Sends e-mails; raises on failure (callers decide whether that matters)."""

    def send(self, email: Email) -> None:
        """Deliver one e-mail."""


class FileOutbox:
    """The local outbox: one JSON file per e-mail, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def send(self, email: Email) -> None:
        """Write the e-mail as `<ms>-<random>.json`."""
        # Nanoseconds then a process-wide counter: names sort in sending order, even within one tick.
        name = f"{time.time_ns():020d}-{next(_SEQUENCE):08d}-{secrets.token_hex(3)}.json"
        temp = self.directory / f".{name}.tmp"
        temp.write_text(json.dumps(asdict(email), indent=1))
        os.replace(temp, self.directory / name)
        logger.info("e-mail %s written to the local outbox", email.kind)

    def read_all(self) -> list[Email]:
        """Every e-mail in the outbox, oldest first (tests)."""
        return [Email(**json.loads(p.read_text())) for p in sorted(self.directory.glob("*.json"))]


class NoNotifier:
    """No outbox configured: say so in the log and send nothing."""

    def send(self, email: Email) -> None:
        """Log that the e-mail was not sent (kind only)."""
        logger.warning("no NOTIFY_OUTBOX_URL: %s e-mail not sent", email.kind)


def notifier_from_url(url: str) -> Notifier:
    """The notifier a NOTIFY_OUTBOX_URL names."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileOutbox(Path(unquote(parts.path)))
    if parts.scheme == "graph":
        from shared.identity import caleta_credential
        from shared.notify.graph import GraphNotifier

        mailbox = parts.netloc or parts.path.lstrip("/")
        return GraphNotifier(mailbox, caleta_credential())
    if not url:
        return NoNotifier()
    raise ValueError("NOTIFY_OUTBOX_URL must be graph://<mailbox> or file:///dir")


def notifier() -> Notifier:
    """The configured notifier."""
    from shared.config import get_settings

    return notifier_from_url(get_settings().notify_outbox_url)


def send_quietly(email: Email, sender: Notifier | None = None) -> bool:
    """Send, logging (not raising) a failure: an e-mail must never undo the action it reports."""
    try:
        (sender or notifier()).send(email)
        return True
    except Exception:
        logger.exception("e-mail %s could not be sent", email.kind)
        return False
