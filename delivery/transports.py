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

Where a target may point is bounded (`TargetLimits`), so that a target cannot turn the
worker against the server's own neighbourhood (SSRF):

- a URL's host must be a public address, unless ``SODO_DELIVERY_ALLOW`` names it (a host
  name, an address or a network in CIDR notation). Loopback, private, link-local (the
  cloud metadata service at 169.254.169.254), shared, reserved and multicast addresses
  are refused. The check runs on the form (`address_problems`, resolving the name) and
  again on the address each connection actually reaches (`GuardedAdapter`), so a name
  that resolves elsewhere between the two (DNS rebinding) is still refused;
- a folder must lie inside ``SODO_DELIVERY_ROOT`` once every ``..`` and symbolic link
  is resolved, checked on the form and again before each write.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from exporters import FORMATS
from workflow_model.signing import HEADER as SIGNATURE_HEADER
from workflow_model.signing import signature

KINDS = ("http", "camunda7", "directory")
BODY_LIMIT = 1024
"""How much of a receiver's answer is read: the first 1 KB."""
USER_AGENT = "sodo-delivery/1"

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TargetLimits:
    """Where targets may point: which non-public hosts, and under which folder.

    `hosts` are host names allowed whatever they resolve to, `networks` the addresses
    allowed beside the public ones (``SODO_DELIVERY_ALLOW``); `directory_root` the
    folder every directory target must lie in (``SODO_DELIVERY_ROOT``; none: no
    directory target may be used).
    """

    hosts: frozenset[str] = frozenset()
    networks: tuple[IpNetwork, ...] = ()
    directory_root: str = ""

    @classmethod
    def parse(cls, allow: str | Iterable[str] = "", directory_root: str = "") -> TargetLimits:
        """Limits from the settings: `allow` lists hosts, addresses and CIDRs (commas or spaces).

        >>> limits = TargetLimits.parse("127.0.0.1, 10.0.0.0/8 camunda.local")
        >>> limits.allows("camunda.local", "10.1.2.3"), limits.allows("x.example", "127.0.0.2")
        (True, False)
        """
        items = allow.replace(",", " ").split() if isinstance(allow, str) else list(allow)
        hosts: set[str] = set()
        networks: list[IpNetwork] = []
        for item in (entry.strip() for entry in items):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks), directory_root)

    def allows(self, host: str, address: str) -> bool:
        """True when `host`, reached at `address`, may receive deliveries."""
        if host.lower().rstrip(".") in self.hosts:
            return True
        ip = _plain_ip(address)
        if ip is None:
            return False
        if any(ip.version == net.version and ip in net for net in self.networks):
            return True
        return is_public(ip)


def _plain_ip(address: str) -> IpAddress | None:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return None
    # ::ffff:127.0.0.1 is 127.0.0.1.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public(ip: IpAddress) -> bool:
    """True for an address on the public internet (not loopback, private, link-local…).

    >>> [is_public(ipaddress.ip_address(a)) for a in ("93.184.216.34", "169.254.169.254")]
    [True, False]
    """
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


class BlockedAddress(Exception):
    """A connection that would reach an address the limits refuse."""


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
    """Where and how to deliver: the kind, the URL or folder, the secret, the timeout.

    `limits` bound where it may point; the default allows public URLs only, and no folder.
    """

    kind: str
    address: str
    secret: str = ""
    timeout: float = 30.0
    limits: TargetLimits = field(default_factory=TargetLimits)

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


def ascii_header(value: str) -> str:
    """`value` as a header may carry it: percent-encoded outside ``A-Z a-z 0-9 . - _``.

    >>> ascii_header("1.009642.000.00.00.H05")
    '1.009642.000.00.00.H05'
    >>> ascii_header("Thủ tục 1")
    'Th%E1%BB%A7%20t%E1%BB%A5c%201'
    """
    return quote(value, safe=".-_")


def target_problems(
    kind: str, format_name: str, address: str, limits: TargetLimits | None = None
) -> list[str]:
    """What is wrong with a target's settings, as codes; empty when it can be used.

    Codes: ``unknown-kind``, ``unknown-format``, and those of `address_problems`.

    >>> open_limits = TargetLimits.parse("0.0.0.0/0", "/")
    >>> target_problems("http", "json", "https://93.184.216.34/hook")
    []
    >>> target_problems("http", "pdf", "ftp://example.org")
    ['unknown-format', 'bad-url']
    >>> target_problems("directory", "json", "exports", open_limits)
    ['relative-path']
    """
    problems = []
    if kind not in KINDS:
        problems.append("unknown-kind")
    if kind != "camunda7" and format_name not in FORMATS:
        problems.append("unknown-format")
    return problems + address_problems(kind, address, limits)


def address_problems(kind: str, address: str, limits: TargetLimits | None = None) -> list[str]:
    """What is wrong with a target's URL or folder, as codes; empty when it can be used.

    ``bad-url`` (not http:// or https:// with a host), ``blocked-host`` (a host that is
    not public, or resolves to such an address, and that `limits` do not allow),
    ``relative-path`` (a folder must be absolute), ``no-directory-root`` (no root is
    configured), ``outside-root`` (the folder, its links resolved, leaves the root).
    A host name that does not resolve now is not refused here: it is checked again on
    every connection.

    >>> camunda = TargetLimits.parse("camunda")
    >>> address_problems("camunda7", "http://camunda:8080/engine-rest", camunda)
    []
    >>> address_problems("http", "javascript:alert(1)")
    ['bad-url']
    >>> address_problems("http", "http://169.254.169.254/latest/meta-data/")
    ['blocked-host']
    """
    limits = limits or TargetLimits()
    if kind == "directory":
        return folder_problems(address, limits)
    if kind not in KINDS:
        return []
    parts = urlsplit(address or "")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is no number, or out of range
        return ["bad-url"]
    if parts.scheme not in ("http", "https") or not host:
        return ["bad-url"]
    default_port = 443 if parts.scheme == "https" else 80
    if any(not limits.allows(host, found) for found in resolve(host, port or default_port)):
        return ["blocked-host"]
    return []


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` stands for: itself when it is one, else what DNS says (or none)."""
    if _plain_ip(host) is not None:
        return [host]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in found})


def inside_root(folder: str, limits: TargetLimits) -> Path | None:
    """`folder` with every link and ``..`` resolved, if that lies in the root; else None."""
    if not limits.directory_root or not os.path.isabs(folder or ""):
        return None
    root = Path(os.path.realpath(limits.directory_root))
    real = Path(os.path.realpath(folder))
    return real if real == root or root in real.parents else None


def folder_problems(folder: str, limits: TargetLimits) -> list[str]:
    """What is wrong with a directory target's folder: see `address_problems`."""
    if not os.path.isabs(folder or ""):
        return ["relative-path"]
    if not limits.directory_root:
        return ["no-directory-root"]
    return [] if inside_root(folder, limits) is not None else ["outside-root"]


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


def _reason(response: requests.Response) -> str:
    # The receiver writes the reason phrase too: kept as one short line of text.
    words = "".join(ch if ch.isprintable() else " " for ch in response.reason or "").split()
    return " ".join(words)[:80]


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
        error=f"HTTP {code} {_reason(response)}".strip(),
        duration=duration,
    )


def _guarded(limits: TargetLimits, connection: type[Any]) -> type[Any]:
    """`connection` (urllib3's) that refuses a socket whose peer the limits refuse."""

    def _new_conn(self: Any) -> socket.socket:
        sock = connection._new_conn(self)
        peer = str(sock.getpeername()[0])
        if not limits.allows(self.host, peer):
            sock.close()
            raise BlockedAddress(f"{self.host} is at {peer}, which is not allowed")
        return sock

    return type(f"Guarded{connection.__name__}", (connection,), {"_new_conn": _new_conn})


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections check the address they really reach.

    The host name is resolved once more when connecting, and that answer may differ from
    the one the form checked (DNS rebinding): the peer of the connected socket is what
    is checked, before anything is sent.
    """

    def __init__(self, limits: TargetLimits) -> None:
        self.limits = limits
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """urllib3's pool manager, with pools of guarded connections."""
        super().init_poolmanager(*args, **kwargs)
        pools = {
            "http": type(
                "GuardedHTTPPool",
                (HTTPConnectionPool,),
                {"ConnectionCls": _guarded(self.limits, HTTPConnection)},
            ),
            "https": type(
                "GuardedHTTPSPool",
                (HTTPSConnectionPool,),
                {"ConnectionCls": _guarded(self.limits, HTTPSConnection)},
            ),
        }
        self.poolmanager.pool_classes_by_scheme = pools


def _session(limits: TargetLimits) -> requests.Session:
    session = requests.Session()
    adapter = GuardedAdapter(limits)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _post(started: float, call: Callable[[], requests.Response]) -> Outcome:
    try:
        response = call()
    except BlockedAddress as error:
        return Outcome(False, error=f"address not allowed: {error}", duration=0.0)
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
        headers[SIGNATURE_HEADER] = signature(payload.content, target.secret)
    started = time.monotonic()
    with _session(target.limits) as http:
        return _post(
            started,
            lambda: http.post(
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
    with _session(target.limits) as http:
        return _post(
            started,
            lambda: http.post(
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
    # Checked again now: a link in the path may have been changed since the target was saved.
    folder = inside_root(target.address, target.limits)
    if folder is None:
        problems = folder_problems(target.address, target.limits)
        return Outcome(False, error="target misconfigured: " + ", ".join(problems))
    try:
        write_atomically(folder, payload.file_name, payload.content)
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
    problems += address_problems(target.kind, target.address, target.limits)
    if problems:
        return Outcome(False, error="target misconfigured: " + ", ".join(problems))
    return TRANSPORTS[target.kind](payload, target)
