"""Delivery targets' hardening in the domain and the worker, on SQLite and PostgreSQL.

A secret is stored encrypted and belongs to the receiver it was given for; a target
reaches public addresses only, unless allowed, checked again on the address a connection
really reaches; a folder target stays inside the delivery folder; keys rotate.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR, Database
from sqlalchemy.orm import Session, sessionmaker
from support.cli import folder_env, run_sodo
from support.receiver import LOCAL, TEST_BOX, Receiver, Servers, add_target
from support.signoff import approved_flow, author_and_approver
from werkzeug.wrappers import Request

from delivery import transports
from delivery.transports import Payload, TargetLimits, TargetSettings
from delivery.worker import Worker
from workflow_model import delivery as outbox
from workflow_model.db import make_session_factory
from workflow_model.migrate import downgrade, upgrade
from workflow_model.models import Delivery, DeliveryStatus, DeliveryTarget, TargetKind
from workflow_model.signing import verify_signature
from workflow_model.target_secrets import SecretBox, SecretUnreadable

SECRET = "khóa-bí-mật-3c8e1f"  # a test secret
CAOBANG = FLOWS_DIR / "caobang-1_004944-1.json"


def approve_one(session: Session) -> None:
    approved_flow(session, CAOBANG, *author_and_approver(session))


def worker(session: Session, **settings: Any) -> Worker:
    return Worker(
        sessionmaker(bind=session.get_bind(), expire_on_commit=False),
        outbox.RetryPolicy(max_attempts=3, backoff_base=0),
        timeout=2,
        lease=30,
        **settings,
    )


def only_delivery(session: Session) -> Delivery:
    session.expire_all()
    (row,) = session.execute(sa.select(Delivery)).scalars()
    return row


def signed_with(secret: str) -> Any:
    def check(n: int, request: Request, body: bytes) -> tuple[int, bytes]:
        if verify_signature(body, secret, request.headers.get("X-Sodo-Signature", "")):
            return 200, b"accepted"
        return 401, b"bad signature"

    return check


def payload() -> Payload:
    return Payload(b'{"ok":true}', "application/json", "x-v1.json", "ab:json", "X.1", 1)


# --- secrets at rest -------------------------------------------------------------------


def test_the_secret_is_stored_encrypted_and_the_worker_signs_with_it(
    session: Session, servers: Servers
) -> None:
    receiver = servers.start(Receiver(signed_with(SECRET)))
    target = add_target(session, "một cửa", receiver.url + "/hook", secret=SECRET)
    raw = session.execute(
        sa.text("SELECT secret FROM delivery_targets WHERE id = :id"), {"id": target.id}
    ).scalar_one()
    assert raw.startswith("gAAAAA") and SECRET not in raw and raw != SECRET
    assert target.read_secret(TEST_BOX) == SECRET
    approve_one(session)
    assert worker(session, secrets=TEST_BOX, limits=LOCAL).deliver_due() == Counter(
        {"delivered": 1}
    )
    assert [r.status for r in receiver.requests] == [200]


def test_a_secret_in_the_clear_is_refused_by_the_model(session: Session) -> None:
    target = add_target(session, "một cửa", "https://93.184.216.34/hook")
    with pytest.raises(ValueError, match="sealed"):
        target.secret = SECRET
    session.rollback()
    assert session.get(DeliveryTarget, target.id).secret == ""


def test_a_secret_no_key_opens_fails_the_delivery_without_sending(
    session: Session, servers: Servers
) -> None:
    receiver = servers.start(Receiver())
    add_target(session, "một cửa", receiver.url + "/hook", secret=SECRET)
    approve_one(session)
    other = SecretBox.from_keys("another SECRET_KEY")
    assert worker(session, secrets=other, limits=LOCAL).deliver_due() == Counter({"failed": 1})
    row = only_delivery(session)
    assert "SODO_OLD_SECRET_KEYS" in row.last_error and SECRET not in row.last_error
    assert receiver.requests == []


def test_key_rotation_with_old_keys_then_reencrypt(session: Session, servers: Servers) -> None:
    receiver = servers.start(Receiver(signed_with(SECRET)))
    target = add_target(session, "một cửa", receiver.url + "/hook", secret=SECRET)
    add_target(session, "không bí mật", "https://93.184.216.34/hook", enabled=False)
    sealed_before = target.secret
    rotated = SecretBox.from_keys("the new SECRET_KEY", ["test-secret-key"])
    approve_one(session)
    # The old key, listed, still opens the secret: deliveries go on during the rotation.
    assert worker(session, secrets=rotated, limits=LOCAL).deliver_due() == Counter({"delivered": 1})
    done = outbox.reseal_secrets(session, rotated)
    assert (done.resealed, done.current, done.unreadable) == (["một cửa"], [], [])
    session.expire_all()
    stored = session.get(DeliveryTarget, target.id)
    assert stored.secret != sealed_before
    assert SecretBox.from_keys("the new SECRET_KEY").open(stored.secret) == SECRET
    with pytest.raises(SecretUnreadable):
        TEST_BOX.open(stored.secret)
    again = outbox.reseal_secrets(session, rotated)
    assert (again.resealed, again.current) == ([], ["một cửa"])


def test_sodo_targets_reencrypt(database: Database, tmp_path: Path) -> None:
    with make_session_factory(database.engine)() as session:
        add_target(session, "một cửa", "https://93.184.216.34/hook", secret=SECRET)
        add_target(
            session,
            "lạc khóa",
            "https://93.184.216.35/hook",
            secret=SECRET,
            box=SecretBox.from_keys("a lost key"),
        )
    env = {
        **folder_env(tmp_path, database.url),
        "SECRET_KEY": "the new SECRET_KEY",
        "SODO_OLD_SECRET_KEYS": "test-secret-key",
    }
    result = run_sodo("targets", "reencrypt", env=env)
    assert result.returncode == 1
    assert "Re-encrypted: 1, already current: 0, unreadable: 1." in result.stdout
    assert "lạc khóa" in result.stderr and SECRET not in result.stdout + result.stderr
    with make_session_factory(database.engine)() as session:
        stored = session.scalar(sa.select(DeliveryTarget).where(DeliveryTarget.name == "một cửa"))
        assert SecretBox.from_keys("the new SECRET_KEY").open(stored.secret) == SECRET


def test_migration_0010_encrypts_stored_secrets_and_downgrade_opens_them(
    database: Database,
) -> None:
    engine = database.engine
    downgrade(engine, "0009", secret_box=TEST_BOX)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO delivery_targets (name, kind, format, address, enabled, secret,"
                " created_at) VALUES ('cũ', 'camunda7', 'bpmn', 'http://camunda:8080/rest',"
                " true, :secret, CURRENT_TIMESTAMP)"
            ),
            {"secret": "demo:" + SECRET},
        )
    # Without the key, a database holding secrets is refused, not half migrated.
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        upgrade(engine)
    upgrade(engine, secret_box=TEST_BOX)
    with engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT secret FROM delivery_targets")).scalar_one()
    assert raw.startswith("gAAAAA") and TEST_BOX.open(raw) == "demo:" + SECRET
    downgrade(engine, "0009", secret_box=TEST_BOX)
    with engine.connect() as connection:
        back = connection.execute(sa.text("SELECT secret FROM delivery_targets")).scalar_one()
    assert back == "demo:" + SECRET
    upgrade(engine, secret_box=TEST_BOX)


# --- the secret belongs to its receiver --------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"address": "https://93.184.216.99/other"}, {"kind": TargetKind.CAMUNDA7}],
)
def test_pointing_a_target_elsewhere_removes_its_secret(
    session: Session, change: dict[str, Any]
) -> None:
    target = add_target(session, "một cửa", "https://93.184.216.34/hook", secret=SECRET)
    first = target.secret_updated_at
    for name, value in change.items():
        setattr(target, name, value)
    session.commit()
    session.expire_all()
    stored = session.get(DeliveryTarget, target.id)
    assert not stored.has_secret and stored.secret_updated_at != first
    # A new secret given in the same change is kept.
    stored.address = "https://93.184.216.100/third"
    stored.set_secret("mới", TEST_BOX)
    session.commit()
    assert session.get(DeliveryTarget, target.id).read_secret(TEST_BOX) == "mới"


# --- where a target may point ------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_local_and_private_addresses_are_refused_unless_allowed(address: str) -> None:
    assert transports.address_problems("http", address) == ["blocked-host"]
    assert transports.address_problems("camunda7", address) == ["blocked-host"]
    allowed = TargetLimits.parse("127.0.0.1, ::1, localhost, 10.0.0.0/8, 192.168.0.0/16")
    if "169.254" not in address and "0.0.0.0" not in address:
        assert transports.address_problems("http", address, allowed) == []
    assert transports.address_problems("http", "https://93.184.216.34/hook") == []


def test_a_stored_target_at_a_refused_address_is_not_contacted(
    session: Session, servers: Servers
) -> None:
    receiver = servers.start(Receiver())
    add_target(session, "cục bộ", receiver.url + "/hook")  # bypassing the form
    approve_one(session)
    assert worker(session).deliver_due() == Counter({"failed": 1})
    assert "blocked-host" in only_delivery(session).last_error
    assert receiver.requests == []


def test_the_address_a_connection_reaches_is_checked_dns_rebinding(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = servers.start(Receiver())
    url = receiver.url.replace("127.0.0.1", "localhost") + "/hook"
    # The name resolves to a public address when checked, to 127.0.0.1 when connecting.
    monkeypatch.setattr(transports, "resolve", lambda host, port: ["93.184.216.34"])
    assert transports.address_problems("http", url) == []
    outcome = transports.send(payload(), TargetSettings("http", url, "", 2))
    assert not outcome.ok and not outcome.retryable
    assert outcome.error.startswith("address not allowed") and "127.0.0.1" in outcome.error
    assert receiver.requests == []
    # Allowed by name, the same connection goes through.
    allowed = TargetSettings("http", url, "", 2, TargetLimits.parse("localhost"))
    assert transports.send(payload(), allowed).ok and len(receiver.requests) == 1


def test_folders_stay_inside_the_delivery_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "motcua").mkdir(parents=True)
    outside.mkdir()
    (root / "link").symlink_to(outside)
    limits = TargetLimits.parse("", str(root))
    assert transports.address_problems("directory", str(root / "motcua"), limits) == []
    assert transports.address_problems("directory", str(root / "new"), limits) == []
    for folder in (str(outside), f"{root}/motcua/../../outside", str(root / "link"), "/etc"):
        assert transports.address_problems("directory", folder, limits) == ["outside-root"]
    assert transports.address_problems("directory", str(root)) == ["no-directory-root"]
    assert transports.address_problems("directory", "motcua", limits) == ["relative-path"]

    # A folder that was inside when saved and became a link to elsewhere: checked at send.
    (root / "motcua").rmdir()
    (root / "motcua").symlink_to(outside)
    sent = transports.send(
        payload(), TargetSettings("directory", str(root / "motcua"), "", 2, limits)
    )
    assert not sent.ok and not sent.retryable and "outside-root" in sent.error
    assert os.listdir(outside) == []


# --- what is kept of an answer -----------------------------------------------------------


def test_only_a_short_excerpt_of_the_answer_is_kept(session: Session, servers: Servers) -> None:
    page = b"<html><script>alert(1)</script>\r\n\x1b[2J" + "Lỗi ".encode() * 500 + b"</html>"
    receiver = servers.start(Receiver(lambda n, request, body: (400, page)))
    add_target(session, "một cửa", receiver.url + "/hook")
    approve_one(session)
    worker(session, limits=LOCAL).deliver_due()
    row = only_delivery(session)
    assert row.status is DeliveryStatus.FAILED and row.last_status_code == 400
    assert len(row.response_body) <= outbox.ANSWER_LIMIT
    assert row.response_body.startswith("<html><script>alert(1)</script> [2JLỗi Lỗi")
    assert "\r" not in row.response_body and "\x1b" not in row.response_body
