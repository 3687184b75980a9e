"""The product's exception tree. Handlers raise these; only functions/ maps them to HTTP or the bus.

    CaletaError
      + InvalidInput(fields)   -> HTTP 400 naming each bad field; on the bus: dead-letter with the reason
      + Unauthorized           -> HTTP 401 (no or wrong API key)
      + NotFound               -> HTTP 404 (also for ids that belong to another customer)
      + Conflict               -> HTTP 409
      + ValidationFailed       -> HTTP 422 (the principal cannot read any subscription)
      + AccessDenied(reason)   -> permanent: the customer's principal was refused (AADSTS, 401/403 from ARM);
      |                           the task ends failed, no retry; the customer may be marked access_revoked
      + TransientError         -> raise; Service Bus redelivers up to maxDeliveryCount, then dead-letters
          + Throttled(retry_after)

Messages never carry secrets or customer data: they name fields and reasons only.
"""

from __future__ import annotations


class CaletaError(Exception):
    """Base of every error the product raises on purpose."""


class InvalidInput(CaletaError):
    """The request or message is malformed; `fields` maps each bad field to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid input: " + ", ".join(sorted(fields)))
        self.fields = fields


class Unauthorized(CaletaError):
    """No credential, or one that does not match."""


class NotFound(CaletaError):
    """The thing does not exist, or is not the caller's."""


class Conflict(CaletaError):
    """The request conflicts with the current state."""


class ValidationFailed(CaletaError):
    """The customer's principal could not read any of the subscriptions named."""


class AccessDenied(CaletaError):
    """The customer's tenant refused the principal: permanent until the customer acts."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientError(CaletaError):
    """A failure that may pass: retry by redelivery."""


class Throttled(TransientError):
    """The API asked us to wait `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
