"""Who is asking: the credential a request carries, and whether the dialect's server accepts it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from ._dialects import Dialect
from ._http import Request

__all__ = ["Credentials", "request_key"]

TokenCheck = Callable[[str], bool]


def _bearer(request: Request) -> str:
    scheme, _, value = (request.header("authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def request_key(request: Request) -> str:
    """Return the credential a request carries (``api-key`` header, else the bearer value)."""
    return (request.header("api-key") or "").strip() or _bearer(request)


@dataclass(frozen=True)
class Credentials:
    """What the emulated server accepts.

    Attributes:
        api_keys: Accepted API keys, or ``None`` for any non-empty key (or, on servers whose
            key is optional, no key at all).
        bearer_tokens: Azure only: accepted Microsoft Entra ID tokens (a collection, or a
            function that says whether a token is valid), or ``None`` for any non-empty token
            (any of ``api_keys`` when those are given). A bearer equal to one of ``api_keys``
            is accepted too.
    """

    api_keys: Collection[str] | None = None
    bearer_tokens: Collection[str] | TokenCheck | None = None

    def _key_ok(self, key: str) -> bool:
        return bool(key) and (self.api_keys is None or key in self.api_keys)

    def _token_ok(self, token: str) -> bool:
        if not token:
            return False
        if self.bearer_tokens is None:
            return self.api_keys is None or token in self.api_keys
        # A bearer may also carry the key itself, when the keys are known.
        if self.api_keys is not None and token in self.api_keys:
            return True
        if callable(self.bearer_tokens):
            return self.bearer_tokens(token)
        return token in self.bearer_tokens

    def accept(self, dialect: Dialect, request: Request) -> bool:
        """Whether the dialect's server lets this request through."""
        if dialect.auth == "azure":
            key = (request.header("api-key") or "").strip()
            return self._key_ok(key) if key else self._token_ok(_bearer(request))
        if dialect.auth == "optional-bearer" and self.api_keys is None:
            return True
        return self._key_ok(_bearer(request))
