"""Microsoft Graph sendMail from Caleta's own mailbox (application permission limited to that mailbox)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from azure.core import PipelineClient
from azure.core.credentials import TokenCredential
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.core.rest import HttpRequest

from shared.errors import TransientError
from shared.notify.model import Email
from shared.storage.retention import NoCustomerData

logger = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GRAPH_BASE = "https://graph.microsoft.com/v1.0"


def send_mail_body(email: Email) -> dict[str, Any]:
    """The sendMail request body: plain text, one recipient, not kept in Sent Items."""
    return {"message": {"subject": email.subject, "body": {"contentType": "Text", "content": email.body},
                        "toRecipients": [{"emailAddress": {"address": email.to}}]},
            "saveToSentItems": False}


class GraphNotifier:
    """Sends through POST /users/{mailbox}/sendMail with Caleta's identity (never the customer's tenant)."""

    name = "notifier"
    declaration = NoCustomerData(reason="Graph sendMail with saveToSentItems=false keeps no copy in Caleta's "
                                        "mailbox; the e-mail lives only in the customer's own mailbox")

    def __init__(self, mailbox: str, credential: TokenCredential, *, base_url: str = GRAPH_BASE,
                 client: Any = None) -> None:
        self.mailbox = mailbox
        self._base = base_url.rstrip("/")
        self._client = client if client is not None else PipelineClient(
            self._base, policies=[RetryPolicy(total=3), BearerTokenCredentialPolicy(credential, GRAPH_SCOPE)])

    def send(self, email: Email) -> None:
        """Send one e-mail; Graph answers 202 Accepted. TransientError for 429/5xx, RuntimeError otherwise."""
        url = f"{self._base}/users/{quote(self.mailbox)}/sendMail"
        response = self._client.send_request(HttpRequest("POST", url, json=send_mail_body(email)))
        if response.status_code == 202:
            logger.info("e-mail %s sent through Graph", email.kind)
            return
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"Graph sendMail answered {response.status_code}")
        raise RuntimeError(f"Graph sendMail refused the e-mail ({response.status_code})")
