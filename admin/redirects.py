"""Where a page may send the browser back to: paths on this site, never another site.

The login form's `next`, the language switch's Referer, and the `next` field of the
version actions and of the delivery retry all go through `local_path`, so none of them
can become an open redirect.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Browsers drop tabs and newlines anywhere in a URL and read a backslash as a slash, so
# "/\t/evil.example" and "/\\evil.example" both lead to another site.
_FORBIDDEN = frozenset("\\") | frozenset(chr(code) for code in (*range(32), 127))


def local_path(target: str | None) -> str | None:
    r"""Return `target` when it is a path on this site, else None.

    Refused: other sites (``//host``, ``https://host``), other schemes (``javascript:``),
    backslashes and control characters (tab, newline) anywhere.

    >>> local_path("/versions/3?tab=journal"), local_path("//evil.example/x")
    ('/versions/3?tab=journal', None)
    >>> local_path("/\t/evil.example"), local_path("/\\evil.example"), local_path(" /x")
    (None, None, None)
    """
    if not target or any(char in _FORBIDDEN for char in target):
        return None
    if target.strip() != target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def local_referrer(referrer: str | None, host_url: str) -> str | None:
    """Return the path (and query) of `referrer` when it is a page of this site, else None.

    `host_url` is this site's root, as ``request.host_url`` gives it.

    >>> local_referrer("http://sodo.local/versions/3?x=1", "http://sodo.local/")
    '/versions/3?x=1'
    >>> local_referrer("http://sodo.local//evil.example/x", "http://sodo.local/") is None
    True
    >>> local_referrer("https://evil.example/", "http://sodo.local/") is None
    True
    """
    if not referrer:
        return None
    parts, site = urlsplit(referrer), urlsplit(host_url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return local_path(path)
