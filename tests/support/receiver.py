"""A receiver: a real HTTP server on 127.0.0.1 that records what it gets, and targets."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from delivery.transports import TargetLimits
from workflow_model.models import DeliveryTarget, TargetKind
from workflow_model.target_secrets import SecretBox

TEST_SECRET_KEY = "test-secret-key"
"""The SECRET_KEY of the tests' live server and `sodo deliver` processes."""
TEST_BOX = SecretBox.from_keys(TEST_SECRET_KEY)
"""What seals and opens targets' secrets under `TEST_SECRET_KEY`."""
LOCAL = TargetLimits.parse("127.0.0.1")
"""The receivers of these tests listen on 127.0.0.1, which targets may reach only when allowed."""


@dataclass
class Received:
    """One request as the receiver got it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, str]
    files: dict[str, tuple[str, bytes]]
    status: int


Answer = Callable[[int, Request, bytes], "int | tuple[int, bytes]"]


@dataclass
class Receiver:
    """A WSGI app on 127.0.0.1: records each request, answers with `answer(n, request, body)`.

    `delay` seconds pass before each answer (a slow receiver).
    """

    answer: Answer = lambda n, request, body: 200
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data(cache=True)
        form = {key: request.form[key] for key in request.form}
        files = {key: (f.filename or "", f.read()) for key, f in request.files.items()}
        with self.lock:
            number = len(self.requests)
        answered = self.answer(number, request, body)
        status, content = answered if isinstance(answered, tuple) else (answered, b"ok")
        with self.lock:
            self.requests.append(
                Received(
                    request.method,
                    request.path,
                    dict(request.headers),
                    body,
                    form,
                    files,
                    status,
                )
            )
        if self.delay:
            time.sleep(self.delay)
        return Response(content, status)(environ, start_response)

    def keys(self, status: int | None = None) -> list[str]:
        """The Idempotency-Key of each request, in order (only those answered `status`)."""
        with self.lock:
            return [
                r.headers.get("Idempotency-Key", "")
                for r in self.requests
                if status is None or r.status == status
            ]


class Servers:
    """Starts receivers on free (or given) ports and stops them all after the test."""

    def __init__(self) -> None:
        self.running: list[tuple[Any, threading.Thread]] = []

    def start(self, receiver: Receiver, port: int = 0) -> Receiver:
        server = make_server("127.0.0.1", port, receiver, threaded=True)
        thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        self.running.append((server, thread))
        receiver.url = f"http://127.0.0.1:{server.server_port}"
        return receiver

    def stop(self) -> None:
        for server, thread in self.running:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


@pytest.fixture
def servers() -> Iterator[Servers]:
    """Receivers started by the test, stopped after it."""
    running = Servers()
    yield running
    running.stop()


def add_target(
    session: Session,
    name: str,
    address: str,
    kind: TargetKind = TargetKind.HTTP,
    *,
    fmt: str = "json",
    enabled: bool = True,
    secret: str = "",
    box: SecretBox = TEST_BOX,
) -> DeliveryTarget:
    """Store an enabled (unless told) delivery target, its secret sealed by `box`; commit."""
    target = DeliveryTarget(name=name, kind=kind, format=fmt, address=address, enabled=enabled)
    if secret:
        target.set_secret(secret, box)
    session.add(target)
    session.commit()
    return target
