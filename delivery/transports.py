"""Transports: hand an export's bytes to another system, and say how it went.

Pure of any database: each transport takes the bytes with what describes them
(`Payload`) and the target's settings (`TargetSettings`), makes one attempt, and returns
an `Outcome` (delivered, worth retrying, or failed for good) with the status code, the
first 2 KB of the answer, the error and the duration. The delivery worker
(``sodo deliver``) decides from it what happens to the delivery.

Three kinds of target:

- ``http``: a POST of the bytes with the format's media type and the headers
  ``Idempotency-Key: <snapshot SHA-256>:<format>`` (the same on every retry),
  ``X-Sodo-Signature: sha256=<HMAC-SHA256 of the body keyed with the secret, hex>``
  (left out without a secret), ``X-Sodo-Procedure`` (the procedure code, percent-encoded
  outside ASCII letters, digits and ``.-_``), ``X-Sodo-Case`` (the case key, when there
  is one) and ``X-Sodo-Version`` (the version number).
- ``camunda7``: a multipart POST to ``<base>/deployment/create`` with
  ``deployment-name``, ``deployment-source=sodo``, ``enable-duplicate-filtering=true``
  and the BPMN file; a secret ``user:password`` is sent as basic authentication.
- ``directory``: the file written into a folder under its export name
  (``<code>-v<N>.<ext>``), atomically: a temporary file in the same folder, flushed to
  disk, then renamed over the final name, so a reader never sees half a file.

2xx is delivered. A timeout, a refused connection, 5xx, 408 and 429 are worth another
attempt, as is a folder that cannot be written; any other answer (4xx, a redirect) fails
at once, since sending the same bytes again would get the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

from exporters import FORMATS

KINDS = ("http", "camunda7", "directory")
BODY_LIMIT = 2048
"""How much of a receiver's answer is kept: the first 2 KB."""
USER_AGENT = "sodo-delivery/1"


@dataclass(frozen=True)
class Payload:
    """The bytes of one version's export, with what the receiver is told about them."""

    content: bytes
    media_type: str
    file_name: str
    idempotency_key: str
    procedure_code: str
    version_number: int
    case_key: str = ""


@dataclass(frozen=True)
class TargetSettings:
    """Where and how to deliver: the kind, the URL or folder, the secret, the timeout."""

    kind: str
    address: str
    secret: str = ""
    timeout: float = 30.0

    def __repr__(self) -> str:
        # Never print the secret, whoever logs this object.
        return f"TargetSettings(kind={self.kind!r}, address={self.address!r})"


@dataclass(frozen=True)
class Outcome:
    """What came of one attempt.

    `ok`: delivered. Otherwise `retryable` says whether another attempt may succeed.
    `status_code` is the HTTP status (None when no answer came), `body` the start of
    the answer (at most 2 KB), `error` what went wrong in words, `duration` seconds.
    """

    ok: bool
    retryable: bool = False
    status_code: int | None = None
    body: str = ""
    error: str = ""
    duration: float = 0.0


def signature(body: bytes, secret: str) -> str:
    """The ``X-Sodo-Signature`` of `body`: ``sha256=`` and the hex HMAC-SHA256 with `secret`.

    >>> signature(b"body", "secret")
    'sha256=dc46983557fea127b43af721467eb9b3fde2338fe3e14f51952aa8478c13d355'
    """
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """True when `header` is the signature of `body` with `secret` (constant-time check).

    What a receiver does; here for the receivers written in Python, and for the tests.
    """
    return hmac.compare_digest(signature(body, secret), header or "")


def ascii_header(value: str) -> str:
    """`value` as a header may carry it: percent-encoded outside ``A-Z a-z 0-9 . - _``.

    >>> ascii_header("1.009642.000.00.00.H05")
    '1.009642.000.00.00.H05'
    >>> ascii_header("Thủ tục 1")
    'Th%E1%BB%A7%20t%E1%BB%A5c%201'
    """
    return quote(value, safe=".-_")


def target_problems(kind: str, format_name: str, address: str) -> list[str]:
    """What is wrong with a target's settings, as codes; empty when it can be used.

    Codes: ``unknown-kind``, ``unknown-format``, ``bad-url`` (not http:// or https://
    with a host), ``relative-path`` (a folder must be absolute).

    >>> target_problems("http", "json", "https://example.org/hook")
    []
    >>> target_problems("http", "pdf", "ftp://example.org")
    ['unknown-format', 'bad-url']
    >>> target_problems("directory", "json", "exports")
    ['relative-path']
    """
    problems = []
    if kind not in KINDS:
        problems.append("unknown-kind")
    if kind != "camunda7" and format_name not in FORMATS:
        problems.append("unknown-format")
    return problems + address_problems(kind, address)


def address_problems(kind: str, address: str) -> list[str]:
    """What is wrong with a target's URL or folder: ``bad-url`` or ``relative-path``.

    >>> address_problems("camunda7", "http://camunda:8080/engine-rest")
    []
    >>> address_problems("http", "javascript:alert(1)")
    ['bad-url']
    """
    if kind == "directory":
        return [] if os.path.isabs(address or "") else ["relative-path"]
    if kind not in KINDS:
        return []
    parts = urlsplit(address or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ["bad-url"]
    return []


def is_retryable_status(code: int) -> bool:
    """True for an answer worth another attempt: 5xx, 408 (timeout), 429 (too many)."""
    return code >= 500 or code in (408, 429)


def _read_excerpt(response: requests.Response) -> str:
    kept = b""
    for chunk in response.iter_content(BODY_LIMIT):
        kept += chunk
        if len(kept) >= BODY_LIMIT:
            break
    return kept[:BODY_LIMIT].decode("utf-8", errors="replace")


def _answer(response: requests.Response, started: float) -> Outcome:
    with response:
        body = _read_excerpt(response)
    code = response.status_code
    duration = time.monotonic() - started
    if 200 <= code < 300:
        return Outcome(True, status_code=code, body=body, duration=duration)
    return Outcome(
        False,
        retryable=is_retryable_status(code),
        status_code=code,
        body=body,
        error=f"HTTP {code} {response.reason or ''}".strip(),
        duration=duration,
    )


def _post(started: float, call: Callable[[], requests.Response]) -> Outcome:
    try:
        response = call()
    except requests.Timeout as error:
        return Outcome(False, True, error=f"timeout: {error}", duration=time.monotonic() - started)
    except requests.ConnectionError as error:
        return Outcome(
            False, True, error=f"connection failed: {error}", duration=time.monotonic() - started
        )
    except requests.RequestException as error:
        return Outcome(False, False, error=f"request refused: {error}", duration=0.0)
    return _answer(response, started)


def _common_headers(payload: Payload) -> dict[str, str]:
    headers = {
        "User-Agent": USER_AGENT,
        "Idempotency-Key": payload.idempotency_key,
        "X-Sodo-Procedure": ascii_header(payload.procedure_code),
        "X-Sodo-Version": str(payload.version_number),
    }
    if payload.case_key:
        headers["X-Sodo-Case"] = ascii_header(payload.case_key)
    return headers


def send_http(payload: Payload, target: TargetSettings) -> Outcome:
    """POST the bytes to the target's URL, signed with its secret."""
    headers = {**_common_headers(payload), "Content-Type": payload.media_type}
    if target.secret:
        headers["X-Sodo-Signature"] = signature(payload.content, target.secret)
    started = time.monotonic()
    return _post(
        started,
        lambda: requests.post(
            target.address,
            data=payload.content,
            headers=headers,
            timeout=(target.timeout, target.timeout),
            # A redirect would turn the POST into a GET that "succeeds": never follow one.
            allow_redirects=False,
            stream=True,
        ),
    )


def deployment_name(payload: Payload) -> str:
    """The Camunda deployment's name: the file name without its extension."""
    return payload.file_name.rsplit(".", 1)[0]


def send_camunda7(payload: Payload, target: TargetSettings) -> Outcome:
    """Deploy the BPMN file through Camunda 7's REST API (``POST /deployment/create``)."""
    url = target.address.rstrip("/") + "/deployment/create"
    fields = {
        "deployment-name": deployment_name(payload),
        "deployment-source": "sodo",
        "enable-duplicate-filtering": "true",
    }
    files = {payload.file_name: (payload.file_name, payload.content, payload.media_type)}
    auth = None
    if ":" in target.secret:
        user, password = target.secret.split(":", 1)
        # UTF-8, since requests would encode text as Latin-1 and fail on Vietnamese.
        auth = (user.encode("utf-8"), password.encode("utf-8"))
    started = time.monotonic()
    return _post(
        started,
        lambda: requests.post(
            url,
            data=fields,
            files=files,
            headers=_common_headers(payload),
            auth=auth,
            timeout=(target.timeout, target.timeout),
            allow_redirects=False,
            stream=True,
        ),
    )


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk too.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(folder: Path, name: str, content: bytes) -> Path:
    """Write `content` as `folder/name` atomically; return the path.

    A temporary file in the same folder (``.<name>.<random>.tmp``) is written, flushed
    to disk and renamed over `name` (`os.replace`): a reader sees the old file or the
    new one, never part of one. The temporary file is removed if anything fails.
    """
    if "/" in name or name in ("", ".", ".."):
        raise ValueError(f"not a file name: {name!r}")
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        final = folder / name
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return final


def send_directory(payload: Payload, target: TargetSettings) -> Outcome:
    """Write the file into the target's folder, atomically."""
    started = time.monotonic()
    try:
        write_atomically(Path(target.address), payload.file_name, payload.content)
    except OSError as error:
        reason = error.strerror or str(error)
        return Outcome(
            False, True, error=f"cannot write: {reason}", duration=time.monotonic() - started
        )
    return Outcome(True, duration=time.monotonic() - started)


TRANSPORTS: dict[str, Callable[[Payload, TargetSettings], Outcome]] = {
    "http": send_http,
    "camunda7": send_camunda7,
    "directory": send_directory,
}


def send(payload: Payload, target: TargetSettings) -> Outcome:
    """Make one attempt to deliver `payload` to `target`, by the target's kind."""
    problems = [] if target.kind in KINDS else ["unknown-kind"]
    problems += address_problems(target.kind, target.address)
    if problems:
        return Outcome(False, error="target misconfigured: " + ", ".join(problems))
    return TRANSPORTS[target.kind](payload, target)
