"""HMAC-SHA256 signatures of request bodies (``X-Sodo-Signature``), both ways.

The delivery outbox signs what it pushes to an ``http`` target, and the API checks what
a source system with a signing secret sends: one scheme, defined here.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Sodo-Signature"


def signature(body: bytes, secret: str) -> str:
    """The ``X-Sodo-Signature`` of `body`: ``sha256=`` and the hex HMAC-SHA256 with `secret`.

    >>> signature(b"body", "secret")
    'sha256=dc46983557fea127b43af721467eb9b3fde2338fe3e14f51952aa8478c13d355'
    """
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """True when `header` is the signature of `body` with `secret` (constant-time check).

    >>> verify_signature(b"body", "secret", signature(b"body", "secret"))
    True
    >>> verify_signature(b"body", "secret", signature(b"other", "secret"))
    False
    """
    return hmac.compare_digest(signature(body, secret), header or "")
