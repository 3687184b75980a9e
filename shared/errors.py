"""The product's exception tree. Handlers raise these; only functions/ maps them to HTTP or the bus.

    CaletaError
      + InvalidInput(fields)      -> HTTP 400 naming each bad field; on the bus: dead-letter with the reason
      + Unauthorized              -> HTTP 401 (no or wrong API key, no admin sign-in)
      + NotFound                  -> HTTP 404 (also for ids that belong to another customer)
      |   + Forbidden             -> HTTP 404: signed in but not an admin (the admin API does not show it exists)
      + Conflict                  -> HTTP 409
      |   + IllegalTransition     -> HTTP 409: a customer or scan state move the domain does not allow
      + ValidationFailed          -> HTTP 422, with the typed `validation` when there is one
      |   + PrincipalUnusable     -> the principal can read none of the subscriptions named
      + AccessDenied(reason)      -> permanent: the customer's principal was refused (AADSTS, 401/403 from ARM);
      |                              the task ends failed, no retry; the customer may be marked access_revoked
      + NotCollectable(reason)    -> this source cannot be read for this subscription (404, unsupported offer);
      |                              the task ends failed, no retry, the customer unchanged
      + ArmWriteRefused           -> a request that could change the customer's Azure, stopped before it left
      + RateLimited(retry_after)  -> HTTP 429 with Retry-After: too many onboarding calls from one address, or
      |                              too many failed attempts for one tenant (shared/pipeline/throttle.py)
      + TransientError            -> raise; Service Bus redelivers up to maxDeliveryCount, then dead-letters;
          |                          HTTP 503 with Retry-After
          + Throttled(retry_after) -> the API asked us to wait
          + Misconfigured         -> Caleta's own setup is wrong (its federated credential: AADSTS70021,
          |                          700027, 700211-700213; an app registration without `wids`): HTTP 503 and an
          |                          ALERT log line, never a field error blaming the customer
          + IncompleteResults     -> a source could not be read to the end (Resource Graph truncated or broken
          |                          paging; a queue too long to browse), so nothing is concluded from it
          + Deferred(resume_after) -> progress is saved: the work continues later in a scheduled message

Messages never carry secrets or customer data: they name fields and reasons only.
"""

from __future__ import annotations

from shared.api.responses import Validation


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


class Forbidden(NotFound):
    """Signed in but not an admin: answered 404 so the admin API does not show it exists."""


class Conflict(CaletaError):
    """The request conflicts with the current state."""


class IllegalTransition(Conflict):
    """A state change the domain's transition table does not allow."""


class ValidationFailed(CaletaError):
    """The customer's principal could not be used; `validation` says what was found, when known."""

    def __init__(self, message: str, validation: Validation | None = None) -> None:
        super().__init__(message)
        self.validation = validation


class PrincipalUnusable(ValidationFailed):
    """The principal can read none of the subscriptions: answered 422 with the validation."""

    def __init__(self, validation: Validation) -> None:
        super().__init__("the principal cannot read any of the subscriptions", validation)
        self.validation: Validation = validation


class AccessDenied(CaletaError):
    """The customer's tenant refused the principal: permanent until the customer acts."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class NotCollectable(CaletaError):
    """This source cannot be read for this subscription, though access as a whole still works."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ArmWriteRefused(CaletaError):
    """A request that could change the customer's Azure was stopped before it left the process."""


class TransientError(CaletaError):
    """A failure that may pass: retry by redelivery."""


class Throttled(TransientError):
    """The API asked us to wait `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(CaletaError):
    """Too many calls: answered 429 with Retry-After (`retry_after` seconds, at least 1)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Misconfigured(TransientError):
    """Caleta's own configuration is wrong (an operator error): 503, and an alert in the log."""


class IncompleteResults(TransientError):
    """A source could not be read to the end (Resource Graph paging, a queue too long to browse)."""


class Deferred(TransientError):
    """Work saved part-way: continue in `resume_after` seconds (a scheduled continuation, not a redelivery)."""

    def __init__(self, message: str, resume_after: float) -> None:
        super().__init__(message)
        self.resume_after = resume_after
