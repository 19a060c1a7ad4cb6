"""``GET /videos`` paging: the query validated (the store cuts the page)."""

from __future__ import annotations

from collections.abc import Mapping

from ._errors import ApiError

__all__ = ["list_query"]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def list_query(
    query: Mapping[str, str], default_limit: int | None = DEFAULT_LIMIT
) -> tuple[str | None, int, str]:
    """Return ``(after, limit, order)`` from a list request's query.

    ``default_limit=None`` lists everything when the query gives no ``limit`` (as the
    self-hosted servers do).

    Raises:
        ApiError: 400 naming ``limit`` or ``order`` when they are out of range.
    """
    if "limit" not in query and default_limit is None:
        default_limit = 1 << 30
    raw = query.get("limit", str(default_limit))
    if not raw.isdigit() or (int(raw) > MAX_LIMIT and "limit" in query):
        message = f"Invalid 'limit': {raw!r}. Expected an integer from 0 to {MAX_LIMIT}."
        raise ApiError(400, message, param="limit", code="invalid_value")
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        message = f"Invalid 'order': {order!r}. Supported values are: 'asc', 'desc'."
        raise ApiError(400, message, param="order", code="invalid_value")
    return query.get("after") or None, int(raw), order
