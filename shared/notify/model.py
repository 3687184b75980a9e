"""What a notification is and who sends it: the types every notifier and every caller share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.storage.retention import Declaration


@dataclass(frozen=True)
class Email:
    """One plain-text e-mail: who, what kind (for tests and logs), subject and body.

    `customer_id` says which customer the e-mail is about; it is never sent, and lets the local outbox
    find the e-mails the purge must delete.
    """

    to: str
    kind: str
    subject: str
    body: str
    customer_id: str | None = None


class Notifier(Protocol):
    """Sends e-mails; raises on failure (callers decide whether that matters). Declares what it keeps."""

    @property
    def name(self) -> str:
        """The notifier's name in purge counts."""
        ...

    @property
    def declaration(self) -> Declaration:
        """Whether sent e-mails are kept anywhere Caleta controls (shared/storage/retention.py)."""
        ...

    def send(self, email: Email) -> None:
        """Deliver one e-mail."""
        ...
