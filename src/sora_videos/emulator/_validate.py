"""Checks of ``POST /videos`` fields on servers looser than the publisher's (any size, any
length, other reference fields)."""

from __future__ import annotations

import math
import re

from ._dialects import Dialect
from ._errors import ApiError
from ._forms import Form, Upload

__all__ = ["any_seconds", "any_size", "check_references"]

_SIZE = re.compile(r"^\d+x\d+$")
MAX_FLOAT_SECONDS = 60.0  # TensorRT-LLM's bound on ``seconds``


def any_size(form: Form, dialect: Dialect) -> str:
    """Return ``size``: any ``WxH`` (default ``720x1280``).

    Raises:
        ApiError: The dialect's validation status, naming ``size``.
    """
    value = form.get("size") or "720x1280"
    if not isinstance(value, str) or not _SIZE.match(value):
        message = f"Invalid 'size': {value!r}. Expected WIDTHxHEIGHT, e.g. 1280x720."
        raise ApiError(dialect.validation_status, message, param="size")
    return value


def any_seconds(form: Form, dialect: Dialect) -> float:
    """Return ``seconds``: any positive whole number, or number on servers that take fractions.

    Raises:
        ApiError: The dialect's validation status, naming ``seconds``.
    """
    value = form.get("seconds", 4)
    try:
        seconds = float(value) if isinstance(value, (int, float, str)) else math.nan
    except ValueError:
        seconds = math.nan
    whole = seconds.is_integer() if math.isfinite(seconds) else False
    too_long = dialect.float_seconds and seconds > MAX_FLOAT_SECONDS
    if (
        not (seconds > 0 and math.isfinite(seconds))
        or too_long
        or not (whole or dialect.float_seconds)
    ):
        kind = "a positive number" if dialect.float_seconds else "a positive whole number"
        raise ApiError(
            dialect.validation_status,
            f"Invalid 'seconds': {value!r}. Expected {kind}.",
            param="seconds",
        )
    return seconds


def check_references(form: Form, dialect: Dialect, *, multipart: bool) -> None:
    """Check the reference image fields the dialect's server knows.

    Raises:
        ApiError: When a multipart create needs a file and has none (SGLang), or when two
            reference fields are given at once (vLLM-Omni).
    """
    given = [name for name in dialect.reference_fields if form.get(name) is not None]
    upload = isinstance(form.get("input_reference"), Upload)
    if multipart and dialect.require_upload_in_multipart and not upload:
        raise ApiError(400, "input_reference file is required", param="input_reference")
    if len(given) > 1 and dialect.exclusive_references:
        message = "Provide either input_reference or image_reference, not both."
        raise ApiError(400, message, param="input_reference")
