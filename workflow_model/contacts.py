"""Checks of the contacts a citizen uses: Vietnamese phone numbers and email addresses.

The validators' `invalid-phone` and `invalid-email` rules and the officer forms use
these same functions, so a form never accepts what a validator refuses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

_SEPARATORS = re.compile(r"[ .\-]")
_MOBILE = re.compile(r"0\d{9}")
_LANDLINE = re.compile(r"02\d{9}")


@lru_cache(maxsize=4096)
def is_valid_phone(phone: str) -> bool:
    """True for a Vietnamese number: 10 digits from 0 (mobile) or 11 from 02 (landline).

    ``+84`` may replace the leading 0; spaces, dots and hyphens may separate digits.

    >>> [is_valid_phone(p) for p in ("0912 345 678", "+84 222 3810 111", "0222.3810.111", "12345")]
    [True, True, True, False]
    """
    digits = _SEPARATORS.sub("", phone.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return bool(_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits))


@lru_cache(maxsize=4096)
def email_problem(email: str) -> str | None:
    """Return why `email` is not a valid address, or None when it is (no DNS look-up).

    >>> email_problem("an.nv@example.gov.vn") is None
    True
    """
    if not email.strip():
        return "empty"
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None
