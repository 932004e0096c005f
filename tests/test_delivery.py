"""Delivery of approved versions: the outbox, the worker and the transports.

Every receiver is a real HTTP server on 127.0.0.1 (a small WSGI app served by werkzeug
in a thread) that records each request and answers as the test tells it; the database
tests run on SQLite and PostgreSQL. Time moves forward through the worker's clock
instead of sleeping, so backoffs of minutes take no time.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from conftest import FLOWS_DIR
from sqlalchemy.orm import Session, sessionmaker
from support.receiver import LOCAL, TEST_BOX, Answer, Receiver, Servers, add_target
from werkzeug.wrappers import Request

from delivery import transports
from delivery.exporting import export_version
from delivery.transports import Payload, TargetSettings
from delivery.worker import Worker
from validators import validate
from workflow_model import delivery as outbox
from workflow_model.accounts import create_user
from workflow_model.conversion import create_draft_from_document
from workflow_model.document import load_document
from workflow_model.lifecycle import LifecycleRefused, approve, submit
from workflow_model.models import (
    AttemptOutcome,
    AuditEvent,
    Delivery,
    DeliveryAttempt,
    DeliveryOrigin,
    DeliveryStatus,
    FlowVersion,
    Role,
    TargetKind,
    VersionStatus,
    utcnow,
)
from workflow_model.signing import signature, verify_signature

CAOBANG = FLOWS_DIR / "caobang-1_004944-1.json"
SECRET = "khóa-bí-mật-9f2c7d1e"  # a test secret, looked for in every output


def free_port() -> int:
    """A port nothing listens on (a connection to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def in_root(root: Path) -> transports.TargetLimits:
    """Limits whose delivery folder is `root`."""
    return transports.TargetLimits.parse("", str(root))


def sequence(*statuses: int) -> Answer:
    """Answer with `statuses` in turn, then with the last one."""
    return lambda n, request, body: statuses[min(n, len(statuses) - 1)]


# --- the domain's side: people, targets, approved versions --------------------------------


@dataclass
class People:
    author: Any
    approver: Any
    exporter: Any


@pytest.fixture
def people(session: Session) -> People:
    found = People(
        create_user(session, "tac.gia", "mật khẩu dài 1", [Role.ADMIN]),
        create_user(session, "phe.duyet", "mật khẩu dài 2", [Role.APPROVER]),
        create_user(session, "cntt", "mật khẩu dài 3", [Role.EXPORTER]),
    )
    session.commit()
    return found


def submitted(session: Session, people: People, path: Path = CAOBANG) -> FlowVersion:
    version = create_draft_from_document(session, load_document(path.read_bytes()), people.author)
    submit(session, version, people.author, validate=validate)
    return version


def approved(session: Session, people: People, path: Path = CAOBANG) -> FlowVersion:
    version = submitted(session, people, path)
    approve(
        session,
        version,
        people.approver,
        "Đồng ý.",
        reviewed_sha256=version.submitted_sha256,
        validate=validate,
    )
    return version


def deliveries(session: Session) -> list[Delivery]:
    session.expire_all()
    return list(session.execute(sa.select(Delivery).order_by(Delivery.id)).scalars())


def attempts_of(session: Session, delivery_id: int) -> list[DeliveryAttempt]:
    session.expire_all()
    return list(
        session.execute(
            sa.select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.id)
        ).scalars()
    )


class Clock:
    """The worker's time, moved forward by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def worker(session: Session, clock: Callable[[], datetime] = utcnow, **settings: Any) -> Worker:
    """A worker on the test's database, with short timeouts and no backoff by default."""
    policy = outbox.RetryPolicy(
        max_attempts=settings.pop("max_attempts", 5),
        backoff_base=settings.pop("backoff", 0.0),
        backoff_max=settings.pop("backoff_max", 3600.0),
    )
    return Worker(
        sessionmaker(bind=session.get_bind(), expire_on_commit=False),
        policy,
        timeout=settings.pop("timeout", 2.0),
        lease=settings.pop("lease", 30.0),
        clock=clock,
        secrets=settings.pop("secrets", TEST_BOX),
        limits=settings.pop("limits", LOCAL),
        **settings,
    )


# --- the outbox: approval queues deliveries, in the same transaction --------------------


def test_approval_queues_one_delivery_per_enabled_target(session: Session, people) -> None:
    add_target(session, "một cửa", "https://motcua.example.vn/hook", secret=SECRET)
    add_target(session, "thư mục", "/srv/exports", TargetKind.DIRECTORY, fmt="json")
    add_target(session, "camunda", "http://camunda:8080/engine-rest", TargetKind.CAMUNDA7)
    add_target(session, "tắt", "https://off.example.vn", enabled=False)
    version = approved(session, people)
    rows = deliveries(session)
    assert sorted((d.target.name, d.format) for d in rows) == [
        ("camunda", "bpmn"),  # a Camunda 7 target always receives BPMN
        ("một cửa", "json"),
        ("thư mục", "json"),
    ]
    for row in rows:
        assert row.version_id == version.id
        assert row.status is DeliveryStatus.PENDING
        assert row.origin is DeliveryOrigin.APPROVAL
        assert row.attempts == 0 and row.next_attempt_at == version.approved_at
        assert row.idempotency_key == f"{version.snapshot_sha256}:{row.format}"
        assert row.created_by_id == people.approver.id


def test_a_failing_approval_queues_nothing(session: Session, people, monkeypatch) -> None:
    add_target(session, "một cửa", "https://motcua.example.vn/hook")
    version = submitted(session, people)
    # Refused: nothing is queued.
    with pytest.raises(LifecycleRefused):
        approve(
            session,
            version,
            people.author,
            reviewed_sha256=version.submitted_sha256,
            validate=validate,
        )
    session.rollback()
    assert deliveries(session) == []

    # Failing after the deliveries were added: they go with the approval.
    real_enqueue = outbox.enqueue

    def enqueue_then_crash(*args: Any, **kwargs: Any) -> list[Delivery]:
        added = real_enqueue(*args, **kwargs)
        assert len(added) == 1
        args[0].flush()
        assert args[0].execute(sa.select(sa.func.count()).select_from(Delivery)).scalar() == 1
        raise RuntimeError("the server died before the commit")

    monkeypatch.setattr(outbox, "enqueue", enqueue_then_crash)
    with pytest.raises(RuntimeError):
        approve(
            session,
            version,
            people.approver,
            reviewed_sha256=version.submitted_sha256,
            validate=validate,
        )
    session.rollback()
    assert deliveries(session) == []
    session.refresh(version)
    assert version.status is VersionStatus.SUBMITTED and version.snapshot is None

    monkeypatch.setattr(outbox, "enqueue", real_enqueue)
    approve(
        session,
        version,
        people.approver,
        reviewed_sha256=version.submitted_sha256,
        validate=validate,
    )
    assert len(deliveries(session)) == 1


def test_without_an_enabled_target_approval_queues_nothing(session: Session, people) -> None:
    add_target(session, "tắt", "https://off.example.vn", enabled=False)
    approved(session, people)
    assert deliveries(session) == []


# --- the worker against real receivers ---------------------------------------------------


def test_two_errors_then_success_is_one_delivery_with_three_attempts(
    session: Session, people, servers: Servers
) -> None:
    receiver = servers.start(Receiver(sequence(500, 503, 200)))
    add_target(session, "một cửa", receiver.url + "/hook", secret=SECRET)
    version = approved(session, people)
    done = worker(session).deliver_due()
    assert done == Counter({"pending": 2, "delivered": 1})
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.DELIVERED and row.delivered_at is not None
    assert row.attempts == 3 and row.last_status_code == 200 and row.claimed_by is None
    logged = attempts_of(session, row.id)
    assert [(a.outcome, a.status_code) for a in logged] == [
        (AttemptOutcome.RETRY, 500),
        (AttemptOutcome.RETRY, 503),
        (AttemptOutcome.DELIVERED, 200),
    ]
    assert all(a.duration_ms is not None and a.duration_ms >= 0 for a in logged)
    assert logged[0].error.startswith("HTTP 500")
    # The same key every time, so the receiver can tell a retry from a new version.
    assert receiver.keys() == [f"{version.snapshot_sha256}:json"] * 3
    expected = export_version(session, version, "json")
    for got in receiver.requests:
        assert got.method == "POST" and got.path == "/hook"
        assert got.body == expected.content
        assert got.headers["Content-Type"] == "application/json"
        assert got.headers["X-Sodo-Procedure"] == "1.004944"
        assert got.headers["X-Sodo-Version"] == str(version.number)
        assert verify_signature(got.body, SECRET, got.headers["X-Sodo-Signature"])
    # Nothing is left to do.
    assert worker(session).deliver_due() == Counter()
    assert len(receiver.requests) == 3


def test_a_receiver_that_is_down_delays_the_delivery_and_loses_nothing(
    session: Session, people, servers: Servers
) -> None:
    port = free_port()
    add_target(session, "một cửa", f"http://127.0.0.1:{port}/hook")
    approved(session, people)
    clock = Clock()
    sender = worker(session, clock, backoff=10.0, max_attempts=10)
    due_times, waits = [], []
    for _ in range(4):
        assert sender.deliver_due() == Counter({"pending": 1})
        (row,) = deliveries(session)
        assert row.status is DeliveryStatus.PENDING and row.claimed_by is None
        assert "connection failed" in row.last_error and row.last_status_code is None
        due_times.append(row.next_attempt_at)
        waits.append((row.next_attempt_at - clock.now).total_seconds())
        # Not due yet: nothing is tried.
        assert sender.deliver_due() == Counter()
        clock.advance(waits[-1] + 0.001)
    assert due_times == sorted(due_times) and len(set(due_times)) == 4
    # Exponential backoff with jitter: 10·2ⁿ⁻¹ seconds, times 0.5 to 1.
    for n, wait in enumerate(waits, start=1):
        assert 10 * 2 ** (n - 1) * 0.5 <= wait <= 10 * 2 ** (n - 1)
    assert waits == sorted(waits)
    # The receiver comes back.
    receiver = servers.start(Receiver(), port)
    assert sender.deliver_due() == Counter({"delivered": 1})
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.DELIVERED and row.attempts == 5
    assert len(receiver.requests) == 1
    outcomes = [a.outcome for a in attempts_of(session, row.id)]
    assert outcomes == [AttemptOutcome.RETRY] * 4 + [AttemptOutcome.DELIVERED]


def test_a_client_error_fails_at_once_keeping_the_answer(
    session: Session, people, servers: Servers
) -> None:
    answer = b"invalid procedure code: " + "ồ".encode() * 2000
    receiver = servers.start(Receiver(lambda n, request, body: (400, answer)))
    add_target(session, "một cửa", receiver.url + "/hook")
    approved(session, people)
    assert worker(session, max_attempts=8).deliver_due() == Counter({"failed": 1})
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.FAILED and row.last_status_code == 400
    assert row.response_body.startswith("invalid procedure code: ồồ")
    assert len(row.response_body) <= outbox.ANSWER_LIMIT  # a short excerpt, not the page
    assert row.last_error.startswith("HTTP 400")
    assert [a.outcome for a in attempts_of(session, row.id)] == [AttemptOutcome.FAILED]
    # No retry storm: later passes send nothing.
    assert worker(session).deliver_due() == Counter()
    assert len(receiver.requests) == 1


def test_retry_now_gives_a_failed_delivery_a_new_round(
    session: Session, people, servers: Servers
) -> None:
    receiver = servers.start(Receiver(sequence(422, 200)))
    add_target(session, "một cửa", receiver.url + "/hook")
    approved(session, people)
    worker(session).deliver_due()
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.FAILED
    retried = outbox.retry_now(session, [row.id], people.exporter)
    assert [d.id for d in retried] == [row.id]
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 0
    assert worker(session).deliver_due() == Counter({"delivered": 1})
    assert len(attempts_of(session, row.id)) == 2
    journal = session.execute(
        sa.select(AuditEvent.action, AuditEvent.user_id).where(AuditEvent.entity_type == "delivery")
    ).all()
    assert [tuple(e) for e in journal] == [("retry-delivery", people.exporter.id)]
    # Retrying what did not fail changes nothing.
    assert outbox.retry_now(session, [row.id], people.exporter) == []


def test_attempts_run_out_then_the_delivery_fails(
    session: Session, people, servers: Servers
) -> None:
    receiver = servers.start(Receiver(sequence(503)))
    add_target(session, "một cửa", receiver.url + "/hook")
    approved(session, people)
    assert worker(session, max_attempts=3).deliver_due() == Counter({"pending": 2, "failed": 1})
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.FAILED and row.attempts == 3
    assert len(receiver.requests) == 3


def test_a_slow_receiver_times_out_and_is_retried(
    session: Session, people, servers: Servers
) -> None:
    receiver = servers.start(Receiver(delay=1.0))
    add_target(session, "một cửa", receiver.url + "/hook")
    approved(session, people)
    clock = Clock()
    assert worker(session, clock, timeout=0.3, backoff=5).deliver_due() == Counter({"pending": 1})
    (row,) = deliveries(session)
    assert row.last_error.startswith("timeout") and row.next_attempt_at > clock.now


def test_push_again_queues_an_approved_version_for_every_enabled_target(
    session: Session, people
) -> None:
    version = approved(session, people)
    assert deliveries(session) == []
    assert outbox.push_again(session, version, people.exporter) == []
    add_target(session, "một cửa", "https://motcua.example.vn/hook")
    add_target(session, "tắt", "https://off.example.vn", enabled=False)
    added = outbox.push_again(session, version, people.exporter)
    assert [(d.target.name, d.origin) for d in added] == [("một cửa", DeliveryOrigin.MANUAL)]
    events = session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "push-again")
    ).scalars()
    assert [(e.entity_id, e.user_id) for e in events] == [(str(version.id), people.exporter.id)]
    draft = submitted(session, people, FLOWS_DIR / "hatinh-1_013871-1.json")
    with pytest.raises(outbox.ChangeRefused) as refused:
        outbox.push_again(session, draft, people.exporter)
    assert refused.value.code == "not-approved"


def test_a_disabled_target_keeps_its_deliveries_waiting(
    session: Session, people, servers: Servers
) -> None:
    receiver = servers.start(Receiver())
    target = add_target(session, "một cửa", receiver.url + "/hook")
    approved(session, people)
    target.enabled = False
    session.commit()
    assert worker(session).deliver_due() == Counter()
    target.enabled = True
    session.commit()
    assert worker(session).deliver_due() == Counter({"delivered": 1})


def test_an_export_that_fails_fails_the_delivery_without_sending(
    session: Session, people, servers: Servers, monkeypatch
) -> None:
    receiver = servers.start(Receiver())
    add_target(session, "một cửa", receiver.url + "/hook")
    approved(session, people)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("bpmn")

    monkeypatch.setattr("delivery.worker.export_version", broken)
    assert worker(session).deliver_due() == Counter({"failed": 1})
    (row,) = deliveries(session)
    assert row.last_error.startswith("export failed") and receiver.requests == []


def test_an_expired_lease_makes_a_claim_available_again(session: Session, people) -> None:
    add_target(session, "một cửa", "https://motcua.example.vn/hook")
    approved(session, people)
    clock = Clock()
    policy = outbox.RetryPolicy(max_attempts=2)
    first = outbox.claim_next(session, "a", lease=60, policy=policy, now=clock())
    assert first is not None
    # Held: no other worker gets it.
    assert outbox.claim_next(session, "b", lease=60, policy=policy, now=clock()) is None
    clock.advance(61)
    second = outbox.claim_next(session, "b", lease=60, policy=policy, now=clock())
    assert second is not None and second.delivery_id == first.delivery_id
    logged = attempts_of(session, first.delivery_id)
    assert [a.error.startswith("interrupted") for a in logged] == [True, False]
    # The first worker comes back late: its attempt is logged, the claim stays with "b".
    late = transports.Outcome(True, status_code=200)
    outbox.finish_attempt(session, first, late, policy=policy, now=clock())
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.PENDING and row.claimed_by == "b"
    # Attempts that never end run out too: the delivery fails instead of looping.
    clock.advance(61)
    assert outbox.claim_next(session, "c", lease=60, policy=policy, now=clock()) is None
    (row,) = deliveries(session)
    assert row.status is DeliveryStatus.FAILED and "did not end" in row.last_error


def test_a_directory_target_gets_the_file_under_its_export_name(
    session: Session, people, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    add_target(session, "thư mục", str(folder), TargetKind.DIRECTORY)
    version = approved(session, people)
    assert worker(session, limits=in_root(tmp_path)).deliver_due() == Counter({"delivered": 1})
    assert sorted(os.listdir(folder)) == ["1.004944-v1.json"]
    assert (folder / "1.004944-v1.json").read_bytes() == export_version(
        session, version, "json"
    ).content


def test_a_camunda7_target_gets_the_versions_bpmn_deployed(
    session: Session, people, servers: Servers
) -> None:
    receiver = servers.start(Receiver(lambda n, request, body: (200, b'{"id":"d1"}')))
    add_target(session, "camunda", receiver.url + "/engine-rest", TargetKind.CAMUNDA7)
    version = approved(session, people)
    assert worker(session).deliver_due() == Counter({"delivered": 1})
    (got,) = receiver.requests
    assert got.path == "/engine-rest/deployment/create"
    assert got.form["deployment-name"] == "1.004944-v1"
    assert got.form["enable-duplicate-filtering"] == "true"
    bpmn = export_version(session, version, "bpmn")
    assert got.files == {bpmn.name: (bpmn.name, bpmn.content)}
    assert got.headers["Idempotency-Key"] == f"{version.snapshot_sha256}:bpmn"


def test_the_secret_is_never_logged_journaled_or_exported(
    session: Session, people, servers: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver = servers.start(Receiver(sequence(500, 200)))
    target = add_target(session, "một cửa", receiver.url + "/hook", secret=SECRET)
    version = approved(session, people)
    worker(session).deliver_due()
    assert "một cửa" in caplog.text and "will retry" in caplog.text
    assert SECRET not in caplog.text
    assert repr(SECRET)[1:-1] not in caplog.text
    from workflow_model import editing

    before = editing.entity_state(target)
    target.set_secret(SECRET + "-2", TEST_BOX)
    editing.save(session, people.exporter, target, before)
    journal = session.execute(sa.select(AuditEvent.before, AuditEvent.after)).all()
    assert SECRET not in json.dumps([tuple(row) for row in journal], ensure_ascii=False)
    assert "secret" not in editing.entity_state(target)
    for fmt in ("json",):
        assert SECRET.encode() not in export_version(session, version, fmt).content
    assert SECRET not in repr(TargetSettings("http", "https://x.example", SECRET))
    # What the receiver got is signed with the secret, and does not carry it.
    assert all(SECRET.encode() not in r.body for r in receiver.requests)
    assert all(SECRET not in json.dumps(r.headers) for r in receiver.requests)


# --- the transports on their own ---------------------------------------------------------


def payload(content: bytes = b'{"ok":true}', **changes: Any) -> Payload:
    values = {
        "content": content,
        "media_type": "application/json",
        "file_name": "1.009642.000.00.00.H05-v2.json",
        "idempotency_key": "ab" * 32 + ":json",
        "procedure_code": "1.009642.000.00.00.H05",
        "version_number": 2,
    }
    values.update(changes)
    return Payload(**values)


def hmac_checker(secret: str) -> Answer:
    """A receiver's check: 200 for a body signed with `secret`, 401 otherwise."""

    def check(n: int, request: Request, body: bytes) -> tuple[int, bytes]:
        if verify_signature(body, secret, request.headers.get("X-Sodo-Signature", "")):
            return 200, b"accepted"
        return 401, b"bad signature"

    return check


def test_a_receiver_checking_the_signature_accepts_ours_and_rejects_a_tampered_body(
    servers: Servers,
) -> None:
    receiver = servers.start(Receiver(hmac_checker(SECRET)))
    target = TargetSettings("http", receiver.url + "/hook", SECRET, timeout=2, limits=LOCAL)
    ours = transports.send(payload(), target)
    assert ours.ok and ours.status_code == 200 and ours.body == "accepted"
    # The same signature on a changed body, as a tampering proxy would send it.
    tampered = requests.post(
        target.address,
        data=b'{"ok":false}',
        headers={"X-Sodo-Signature": signature(b'{"ok":true}', SECRET)},
        timeout=2,
    )
    assert tampered.status_code == 401
    # Signed with another secret: refused too, and not worth retrying.
    other = transports.send(payload(), TargetSettings("http", target.address, "khác", 2, LOCAL))
    assert not other.ok and not other.retryable and other.status_code == 401
    assert [r.status for r in receiver.requests] == [200, 401, 401]


def test_http_headers_are_ascii_and_carry_the_case(servers: Servers) -> None:
    receiver = servers.start(Receiver())
    target = TargetSettings("http", receiver.url + "/hook", "", timeout=2, limits=LOCAL)
    outcome = transports.send(payload(procedure_code="Thủ tục 1", case_key="cá nhân"), target)
    assert outcome.ok
    headers = receiver.requests[0].headers
    assert headers["X-Sodo-Procedure"] == "Th%E1%BB%A7%20t%E1%BB%A5c%201"
    assert headers["X-Sodo-Case"] == "c%C3%A1%20nh%C3%A2n"
    assert "X-Sodo-Signature" not in headers  # no secret, no signature


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(500, True), (502, True), (408, True), (429, True), (404, False), (409, False)],
)
def test_which_answers_are_worth_retrying(servers: Servers, status: int, retryable: bool) -> None:
    receiver = servers.start(Receiver(sequence(status)))
    outcome = transports.send(payload(), TargetSettings("http", receiver.url, "", 2, LOCAL))
    assert not outcome.ok and outcome.retryable is retryable and outcome.status_code == status


def test_a_redirect_is_not_followed_and_fails(servers: Servers) -> None:
    def redirect(n: int, request: Request, body: bytes) -> int:
        return 302

    receiver = servers.start(Receiver(redirect))
    outcome = transports.send(payload(), TargetSettings("http", receiver.url, "", 2, LOCAL))
    assert not outcome.ok and not outcome.retryable and outcome.status_code == 302
    assert len(receiver.requests) == 1 and receiver.requests[0].method == "POST"


def test_a_misconfigured_target_is_not_contacted() -> None:
    outcome = transports.send(payload(), TargetSettings("http", "ftp://example.org", "", 2))
    assert not outcome.ok and not outcome.retryable and "bad-url" in outcome.error
    assert transports.target_problems("camunda7", "anything", "https://c.example/rest") == []
    assert transports.target_problems("sftp", "json", "https://x.example") == ["unknown-kind"]


def test_camunda7_gets_a_multipart_deployment(servers: Servers) -> None:
    receiver = servers.start(Receiver(lambda n, request, body: (200, b'{"id":"d1"}')))
    bpmn = b'<?xml version="1.0"?><definitions id="x"/>'
    sent = payload(bpmn, media_type="application/xml", file_name="1.009642.000.00.00.H05-v2.bpmn")
    target = TargetSettings("camunda7", receiver.url + "/engine-rest/", "demo:mật khẩu", 2, LOCAL)
    outcome = transports.send(sent, target)
    assert outcome.ok and outcome.body == '{"id":"d1"}'
    (got,) = receiver.requests
    assert got.path == "/engine-rest/deployment/create"
    assert got.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert got.form == {
        "deployment-name": "1.009642.000.00.00.H05-v2",
        "deployment-source": "sodo",
        "enable-duplicate-filtering": "true",
    }
    assert got.files == {"1.009642.000.00.00.H05-v2.bpmn": ("1.009642.000.00.00.H05-v2.bpmn", bpmn)}
    scheme, credentials = got.headers["Authorization"].split()
    assert scheme == "Basic" and base64.b64decode(credentials).decode() == "demo:mật khẩu"
    assert got.headers["Idempotency-Key"] == sent.idempotency_key


def test_the_directory_write_is_atomic(tmp_path: Path, monkeypatch) -> None:
    big, other = b"a" * 3_000_000, b"b" * 2_000_000
    transports.write_atomically(tmp_path, "flow-v1.json", big)
    seen: set[int] = set()
    stop = threading.Event()

    def read_continuously() -> None:
        while not stop.is_set():
            seen.add(len((tmp_path / "flow-v1.json").read_bytes()))

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for content in (other, big) * 5:
            transports.write_atomically(tmp_path, "flow-v1.json", content)
    finally:
        stop.set()
        reader.join()
    # A reader only ever sees a whole file, the old one or the new one.
    assert seen <= {len(big), len(other)}
    assert os.listdir(tmp_path) == ["flow-v1.json"]  # no temporary file left
    assert (tmp_path / "flow-v1.json").read_bytes() == big

    def crash(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    outcome = transports.send(
        payload(file_name="flow-v1.json"),
        TargetSettings("directory", str(tmp_path), limits=in_root(tmp_path)),
    )
    assert not outcome.ok and outcome.retryable and "No space left" in outcome.error
    assert os.listdir(tmp_path) == ["flow-v1.json"]
    assert (tmp_path / "flow-v1.json").read_bytes() == big


def test_a_missing_folder_is_worth_retrying(tmp_path: Path) -> None:
    outcome = transports.send(
        payload(),
        TargetSettings("directory", str(tmp_path / "not-mounted-yet"), limits=in_root(tmp_path)),
    )
    assert not outcome.ok and outcome.retryable and outcome.error.startswith("cannot write")
