"""The lookup check value printed on a dossier's receipt: kept only as a keyed hash.

Why HMAC-SHA256 under a key derived from `SECRET_KEY`, not a slow password hash: the
check value is short (a few digits or letters on a receipt), so no hash function, slow
or not, keeps it from someone who holds both the stored hash and the key; what protects
it is the key, which is not in the database, its dumps or its backups. Without the key
a stolen table gives nothing to guess against. A slow hash (scrypt, Argon2) would cost
tens of milliseconds per `received` event and per lookup, against the ingest rate
(2,000 events a second) and the lookup's 50 ms, for no gain once the key is safe; the
online guessing it would slow is stopped by the lookup page's rate limit instead. The
dossier's source and code are in the hashed message, so equal check values of two
dossiers hash differently (a per-dossier salt), and the key is derived with HKDF under
its own purpose label, so `SECRET_KEY` itself never hashes anything. Matching compares
with `hmac.compare_digest`, against every configured key, so its time does not depend
on where a wrong value differs, nor on which key matched.

After a `SECRET_KEY` rotation, list the old key (``SODO_OLD_SECRET_KEYS``) so that
hashes stored under it still match.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

PURPOSE = b"sodo: dossier lookup check values, v1"
"""HKDF's `info`: binds the derived key to this use of `SECRET_KEY`."""

SCHEME = "hmac-sha256$"
"""The prefix of a stored check hash, so another scheme can follow without confusion."""


def _derive(secret_key: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if not secret_key:
        raise ValueError("SECRET_KEY is empty: no key to hash check values with")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE)
    return hkdf.derive(secret_key.encode("utf-8"))


@dataclass(frozen=True)
class CheckKeys:
    """The keys that hash check values: the current one first, then older ones.

    >>> keys = CheckKeys.from_secrets("k")
    >>> stored = keys.digest("egov", "H12-0001", "482913")
    >>> keys.matches(stored, "egov", "H12-0001", "482913")
    True
    >>> keys.matches(stored, "egov", "H12-0001", "482914")
    False
    """

    keys: tuple[bytes, ...]

    @classmethod
    def from_secrets(cls, secret_key: str, old_secret_keys: Sequence[str] = ()) -> CheckKeys:
        """The keys derived from the app's `SECRET_KEY` and its former values."""
        return cls(tuple(_derive(key) for key in (secret_key, *old_secret_keys)))

    def digest(self, source: str, code: str, value: str, *, key: bytes | None = None) -> str:
        """The stored form of `value` for dossier `code` of `source`, under the current key."""
        message = "\x00".join((source, code, value)).encode("utf-8")
        mac = hmac.new(key if key is not None else self.keys[0], message, hashlib.sha256)
        return SCHEME + mac.hexdigest()

    def matches(self, stored: str, source: str, code: str, value: str) -> bool:
        """True when `value` is the check value `stored` was made from, in constant time."""
        found = False
        for key in self.keys:
            # Every key is tried, so the time does not tell which one matched.
            found |= hmac.compare_digest(
                self.digest(source, code, value, key=key).encode(), stored.encode()
            )
        return found and bool(stored)
