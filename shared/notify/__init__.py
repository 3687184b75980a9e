"""Notifications to a customer's contact: Microsoft Graph in Azure, a file outbox locally.

NOTIFY_OUTBOX_URL picks it: `graph://<mailbox>` sends with Graph sendMail from Caleta's own mailbox and keeps
no copy; `file:///dir` writes one JSON file per e-mail (tests read them), and the purge deletes the files
about the customer. E-mails carry links and headline figures only (see shared.notify.emails), never cost rows
or resource names.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from azure.core.credentials import TokenCredential

from shared.notify.graph import GraphNotifier
from shared.notify.model import Email, Notifier
from shared.storage.retention import NoCustomerData, Purged, PurgeSubject

__all__ = ["Email", "FileOutbox", "NoNotifier", "Notifier", "notifier_from_url", "send_quietly"]
logger = logging.getLogger(__name__)
_SEQUENCE = itertools.count()


class FileOutbox:
    """The local outbox: one JSON file per e-mail, written atomically."""

    name = "outbox"
    declaration = Purged(holds="e-mails about the customer in the local outbox (links and headline figures)")

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, email: Email) -> None:
        """Write the e-mail as `<ns>-<sequence>-<random>.json` (the directory is made on the first one)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        # Nanoseconds then a process-wide counter: names sort in sending order, even within one tick.
        name = f"{time.time_ns():020d}-{next(_SEQUENCE):08d}-{secrets.token_hex(3)}.json"
        temp = self.directory / f".{name}.tmp"
        temp.write_text(json.dumps(asdict(email), indent=1))
        os.replace(temp, self.directory / name)
        logger.info("e-mail %s written to the local outbox", email.kind)

    def read_all(self) -> list[Email]:
        """Every e-mail in the outbox, oldest first (tests)."""
        return [Email(**json.loads(p.read_text())) for p in sorted(self.directory.glob("*.json"))]

    def _about(self, customer_id: str) -> list[Path]:
        found = []
        for path in sorted(self.directory.glob("*.json")):
            email = Email(**json.loads(path.read_text()))
            if email.customer_id == customer_id or customer_id in email.subject or customer_id in email.body:
                found.append(path)
        return found

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete every e-mail about the customer; how many went."""
        doomed = self._about(subject.customer_id)
        for path in doomed:
            path.unlink(missing_ok=True)
        return len(doomed)

    def count_customer(self, subject: PurgeSubject) -> int:
        """E-mails about the customer still in the outbox."""
        return len(self._about(subject.customer_id))


class NoNotifier:
    """No outbox configured: say so in the log and send nothing."""

    name = "notifier"
    declaration = NoCustomerData(reason="nothing is sent and nothing is kept")

    def send(self, email: Email) -> None:
        """Log that the e-mail was not sent (kind only)."""
        logger.warning("no NOTIFY_OUTBOX_URL: %s e-mail not sent", email.kind)


def notifier_from_url(url: str, credential: TokenCredential | None = None) -> Notifier:
    """The notifier a NOTIFY_OUTBOX_URL names (`credential` signs Graph calls; Caleta's own identity)."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileOutbox(Path(unquote(parts.path)))
    if parts.scheme == "graph":
        if credential is None:
            raise ValueError("a graph:// outbox needs Caleta's credential")
        return GraphNotifier(parts.netloc or parts.path.lstrip("/"), credential)
    if not url:
        return NoNotifier()
    raise ValueError("NOTIFY_OUTBOX_URL must be graph://<mailbox> or file:///dir")


def send_quietly(email: Email, sender: Notifier) -> bool:
    """Send, logging (not raising) a failure: an e-mail must never undo the action it reports."""
    try:
        sender.send(email)
        return True
    except Exception:
        logger.exception("e-mail %s could not be sent", email.kind)
        return False
