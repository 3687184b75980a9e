"""What can go wrong when Caleta talks to Entra ID or checks a token Entra signed.

No exception here carries token content, a code, a state or Entra's error description: only the name of the
failed check, the OAuth error word and the AADSTS number (clients match numbers, never text:
reference-error-codes.md).
"""

from __future__ import annotations

import re

from shared.errors import CaletaError, TransientError

_ERROR_WORD = re.compile(r"[a-z_]{1,64}")


def error_word(value: object) -> str:
    """An OAuth `error` value if it has the vocabulary's shape (lower-case words), else "unrecognised"."""
    return value if isinstance(value, str) and _ERROR_WORD.fullmatch(value) else "unrecognised"


class TokenRejected(CaletaError):
    """A token failed one check; `check` names it (alg, kid, signature, iss, aud, tid, nonce, exp, ...)."""

    def __init__(self, check: str) -> None:
        super().__init__(f"token rejected: {check}")
        self.check = check


class EntraRefused(CaletaError):
    """Entra's token endpoint answered with an error: the OAuth error word and the AADSTS number, if any."""

    def __init__(self, error: str, aadsts: int | None, status: int) -> None:
        code = f" AADSTS{aadsts}" if aadsts is not None else ""
        super().__init__(f"Entra refused the request: {error}{code} (HTTP {status})")
        self.error = error
        self.aadsts = aadsts
        self.status = status


class EntraUnavailable(TransientError):
    """Entra could not be reached, or answered something that is not its documented shape; try again later."""
