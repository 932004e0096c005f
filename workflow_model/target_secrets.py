"""Delivery targets' secrets at rest: Fernet tokens under a key derived from `SECRET_KEY`.

A target's secret (the HMAC key of an ``http`` target, ``user:password`` of a
``camunda7`` one) must be readable again to be used, so it is encrypted, not hashed.
The key is derived from the app's `SECRET_KEY` with HKDF-SHA256 (its own purpose label,
so the key that signs sessions never encrypts anything itself), and the secret is stored
as a Fernet token (AES-128-CBC and HMAC-SHA256, with a timestamp): the database, its
dumps and backups hold no secret in the clear.

Rotation: a `SecretBox` seals with the current `SECRET_KEY` and opens what the current
key or any of the old ones (``SODO_OLD_SECRET_KEYS``) sealed (`MultiFernet`).
`reseal` re-encrypts a token under the current key; ``sodo targets reencrypt`` does it
for every target, after which the old keys can be dropped.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

# `cryptography` is imported where a key is used, not here: the models, the migrations
# and `sodo --help` name this module without paying for (or needing) the library.

PURPOSE = b"sodo: delivery target secrets, v1"
"""HKDF's `info`: binds the derived key to this use of `SECRET_KEY`."""

# A Fernet token: version byte 0x80, so it starts with "gAAAAA", in URL-safe base64.
_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_\-]+={0,2}")


class SecretUnreadable(Exception):
    """A stored secret that no configured key opens (`SECRET_KEY` changed, old key not listed)."""


def derive_key(secret_key: str) -> bytes:
    """The Fernet key (URL-safe base64 of 32 bytes) derived from `secret_key`.

    >>> derive_key("k") == derive_key("k") != derive_key("other")
    True
    >>> len(base64.urlsafe_b64decode(derive_key("k")))
    32
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if not secret_key:
        raise ValueError("SECRET_KEY is empty: no key to encrypt secrets with")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


def looks_sealed(value: str) -> bool:
    """True when `value` has the shape of a Fernet token (what the secret column holds).

    >>> looks_sealed(SecretBox.from_keys("k").seal("s")), looks_sealed("user:password")
    (True, False)
    """
    return bool(_TOKEN.fullmatch(value))


class SecretBox:
    """Seals secrets with the current key; opens what the current or an old key sealed.

    >>> box = SecretBox.from_keys("new key", ["old key"])
    >>> old = SecretBox.from_keys("old key").seal("user:mật khẩu")
    >>> box.open(old)
    'user:mật khẩu'
    >>> SecretBox.from_keys("new key").open(box.reseal(old))
    'user:mật khẩu'
    """

    def __init__(self, keys: Iterable[bytes]) -> None:
        from cryptography.fernet import Fernet, MultiFernet

        fernets = [Fernet(key) for key in keys]
        if not fernets:
            raise ValueError("a SecretBox needs at least one key")
        self._current: Fernet = fernets[0]
        self._all: MultiFernet = MultiFernet(fernets)

    @classmethod
    def from_keys(cls, secret_key: str, old_secret_keys: Iterable[str] = ()) -> SecretBox:
        """The box of the app's `SECRET_KEY`, opening also what the old keys sealed."""
        return cls(derive_key(key) for key in [secret_key, *old_secret_keys] if key)

    def __repr__(self) -> str:
        # Never print a key, whoever logs this object.
        return "SecretBox(...)"

    def seal(self, plain: str) -> str:
        """`plain` encrypted under the current key ("" stays "": no secret)."""
        if not plain:
            return ""
        return self._current.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        """The secret `token` holds ("" for no secret); `SecretUnreadable` if no key opens it."""
        from cryptography.fernet import InvalidToken

        if not token:
            return ""
        try:
            return self._all.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as error:
            raise SecretUnreadable(
                "no configured key opens the stored secret: was SECRET_KEY changed "
                "without listing the previous one in SODO_OLD_SECRET_KEYS?"
            ) from error

    def reseal(self, token: str) -> str:
        """`token` re-encrypted under the current key (for key rotation)."""
        from cryptography.fernet import InvalidToken

        if not token:
            return ""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as error:
            raise SecretUnreadable("no configured key opens the stored secret") from error

    def is_current(self, token: str) -> bool:
        """True when the current key alone opens `token` (nothing left to rotate)."""
        from cryptography.fernet import InvalidToken

        if not token:
            return True
        try:
            self._current.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True
