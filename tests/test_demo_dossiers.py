"""The demo dossiers: a realistic mix, generated from the flows, loaded through the ingest once."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import Database
from sqlalchemy.orm import Session
from support.cli import folder_env, run_sodo
from support.tracking import KEYS, vn

from admin.demo import IN_FORCE_DAYS, demo_documents, load_demo
from workflow_model.calendar import TIMEZONE, WorkingCalendar
from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import (
    Dossier,
    DossierEvent,
    DossierStatus,
    DossierStepRun,
    EventKind,
    FlowVersion,
    Verdict,
    VersionStatus,
)
from workflow_model.tracking import CheckKeys, EventFact, derive, lookup_dossier, rebuild_states
from workflow_model.tracking.demo_dossiers import (
    DEMO_DAYS,
    DEMO_DOSSIERS,
    DEMO_SOURCE,
    DemoCase,
    DemoDossier,
    generate_dossiers,
)

NOW = vn(2026, 12, 7, 16, 20)
"""A fixed `now` for the generator's own tests (a Monday afternoon)."""

CALENDAR = WorkingCalendar()


def demo_cases(now: datetime = NOW) -> list[DemoCase]:
    """The demo flows that pass validation, in force long before the demo's days."""
    cases = []
    for _, doc in demo_documents():
        if doc.procedure.code == "2.002760":  # stays a draft: it does not validate
            continue
        key = doc.procedure.case.key if doc.procedure.case else None
        cases.append(DemoCase(doc.procedure.code, key, doc, now - timedelta(days=120)))
    return cases


def facts(dossier: DemoDossier) -> list[EventFact]:
    return [
        EventFact(
            EventKind(e["kind"]),
            datetime.fromisoformat(e["at"]),
            e["id"],
            e.get("step"),
            new_due=datetime.fromisoformat(e["new_due"]) if "new_due" in e else None,
        )
        for e in dossier.events
    ]


def in_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(TIMEZONE)
    return CALENDAR.is_working_day(local.date()) and any(
        start <= local.time() <= end for start, end in CALENDAR.sessions
    )


@pytest.fixture(scope="module")
def generated() -> list[DemoDossier]:
    return generate_dossiers(demo_cases(), DEMO_DOSSIERS, now=NOW, calendar=CALENDAR)


def test_the_mix_holds_every_status_and_verdict_in_meaningful_shares(
    generated: list[DemoDossier],
) -> None:
    documents = {(c.procedure, c.case): c.document for c in demo_cases()}
    statuses: Counter[DossierStatus] = Counter()
    verdicts: Counter[Verdict | None] = Counter()
    step_verdicts: Counter[Verdict | None] = Counter()
    apologies = 0
    for dossier in generated:
        received = dossier.events[0]
        progress = derive(
            documents[(received["procedure"], received.get("case"))], facts(dossier), CALENDAR
        )
        statuses[progress.status] += 1
        verdicts[progress.verdict] += 1
        step_verdicts.update(run.verdict for run in progress.runs)
        apologies += progress.apology_due is not None
    share = {status: count / len(generated) for status, count in statuses.items()}
    # Most are done, a real share still handled, and every other state shows up.
    assert share[DossierStatus.RETURNED] > 0.5
    assert share[DossierStatus.IN_PROGRESS] > 0.1
    for status in (
        DossierStatus.RESULT_READY,
        DossierStatus.WAITING_SUPPLEMENT,
        DossierStatus.REFUSED,
    ):
        assert 0.02 < share[status] < 0.1, status
    for status in (DossierStatus.PAUSED, DossierStatus.WITHDRAWN):
        assert 0.005 < share[status] < 0.05, status
    judged = sum(count for verdict, count in verdicts.items() if verdict is not None)
    assert verdicts[Verdict.EARLY] + verdicts[Verdict.ON_TIME] > 0.75 * judged
    assert verdicts[Verdict.EARLY] > 0.35 * judged
    assert verdicts[Verdict.ON_TIME] > 0.15 * judged
    assert 0.05 * judged < verdicts[Verdict.LATE] < 0.25 * judged
    assert 0.5 * verdicts[Verdict.LATE] < apologies < verdicts[Verdict.LATE]
    assert min(step_verdicts[v] for v in Verdict) > 0.1 * sum(step_verdicts.values())
    channels = Counter(dossier.events[0]["channel"] for dossier in generated)
    assert set(channels) == {"online", "counter", "post"}


def test_events_follow_the_flow_in_office_hours_and_none_is_in_the_future(
    generated: list[DemoDossier],
) -> None:
    documents = {(c.procedure, c.case): c.document for c in demo_cases()}
    codes = [dossier.code for dossier in generated]
    assert len(set(codes)) == len(codes)
    for dossier in generated:
        received = dossier.events[0]
        doc = documents[(received["procedure"], received.get("case"))]
        targets = {(t.source, t.target) for t in doc.transitions}
        steps = {s.key: s for s in doc.steps}
        emails = {o.key: o.email for o in doc.officers}
        times = [datetime.fromisoformat(e["at"]) for e in dossier.events]
        assert NOW - timedelta(days=DEMO_DAYS) <= times[0]
        assert all(times[0] <= at <= NOW and in_office_hours(at) for at in times)
        assert re.fullmatch(r"\d{6}", dossier.check)
        done: list[str] = []
        for event in dossier.events:
            if event["kind"] == "step_started":
                step = steps[event["step"]]
                assert event["unit"] == step.unit
                assert event["officer"] == emails[step.officers[0]]
                assert not done or (done[-1], step.key) in targets
            elif event["kind"] == "step_completed":
                done.append(event["step"])


def test_generation_is_deterministic_and_depends_on_the_seed() -> None:
    cases = demo_cases()
    first = generate_dossiers(cases, 20, now=NOW, calendar=CALENDAR)
    assert generate_dossiers(cases, 20, now=NOW, calendar=CALENDAR) == first
    other = generate_dossiers(cases, 20, now=NOW, calendar=CALENDAR, seed=16)
    assert [d.check for d in other] != [d.check for d in first]


def test_no_dossier_is_received_before_its_version_came_into_force() -> None:
    recent = [
        DemoCase(c.procedure, c.case, c.document, NOW - timedelta(days=3)) for c in demo_cases()
    ]
    dossiers = generate_dossiers(recent, 50, now=NOW, calendar=CALENDAR)
    assert all(
        datetime.fromisoformat(d.events[0]["at"]) > NOW - timedelta(days=3) for d in dossiers
    )


def stored(session: Session) -> list[tuple[object, ...]]:
    """Every demo dossier's derived columns and step runs, as plain values."""
    session.expire_all()
    skip = {"created_at", "check_hash"}
    columns = [c for c in Dossier.__table__.columns if c.key not in skip]
    rows = [tuple(row) for row in session.execute(sa.select(*columns).order_by(Dossier.id)).all()]
    runs = session.execute(
        sa.select(*DossierStepRun.__table__.columns).order_by(
            DossierStepRun.dossier_id, DossierStepRun.position
        )
    ).all()
    return rows + [tuple(run) for run in runs]


def count(session: Session, model: type[object]) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


LOADED = 600
"""Dossiers loaded for the stored mix: enough for every status. The default count
(`DEMO_DOSSIERS`) is loaded by `sodo demo` in tests/test_cli.py, and its mix is the
generator's, checked above without a database."""


def test_the_demo_stores_its_dossiers_in_the_mix(sqlite_database: Database) -> None:
    # On SQLite, as `make run` does; PostgreSQL's ingest is covered with fewer below.
    with make_session_factory(sqlite_database.engine)() as session:
        check_stored_mix(session)


def check_stored_mix(session: Session) -> None:
    result = load_demo(session, dossiers=LOADED, check_keys=KEYS)
    assert result.dossiers == LOADED and result.dossiers_rejected == []
    assert count(session, Dossier) == LOADED
    statuses = dict(
        session.execute(sa.select(Dossier.status, sa.func.count()).group_by(Dossier.status)).all()
    )
    assert set(statuses) == set(DossierStatus)
    assert statuses[DossierStatus.RETURNED] > LOADED / 2
    verdicts = dict(
        session.execute(sa.select(Dossier.verdict, sa.func.count()).group_by(Dossier.verdict)).all()
    )
    assert all(verdicts.get(v, 0) > LOADED / 20 for v in Verdict)
    # Every version in force the demo approved took effect before the demo's days.
    effective = session.execute(
        sa.select(sa.func.max(FlowVersion.effective_from)).where(
            FlowVersion.status == VersionStatus.APPROVED
        )
    ).scalar_one()
    assert effective is not None
    assert effective.replace(tzinfo=effective.tzinfo or TIMEZONE) < datetime.now(
        TIMEZONE
    ) - timedelta(days=IN_FORCE_DAYS - 1)


def test_stored_states_equal_a_rebuild_the_sample_opens_the_lookup_and_a_reload_adds_none(
    session: Session,
) -> None:
    now = datetime.now(TIMEZONE).replace(microsecond=0)
    result = load_demo(session, dossiers=150, check_keys=KEYS, now=now)
    assert result.dossiers == 150 and result.dossiers_rejected == []
    latest = session.execute(sa.select(sa.func.max(DossierEvent.at))).scalar_one()
    assert latest.replace(tzinfo=latest.tzinfo or TIMEZONE) <= now
    before = stored(session)
    assert rebuild_states(session, source=DEMO_SOURCE) == 150
    assert stored(session) == before

    assert result.sample_dossier is not None
    code, check = result.sample_dossier
    found = lookup_dossier(session, code, check, KEYS)
    assert found is not None and found.source == DEMO_SOURCE
    # The sample is one still being handled, some steps done, so the lookup shows a route.
    assert found.progress.status is DossierStatus.IN_PROGRESS
    assert len([run for run in found.progress.runs if run.verdict is not None]) >= 2
    assert lookup_dossier(session, code, str((int(check) + 1) % 10**6).zfill(6), KEYS) is None

    events = count(session, DossierEvent)
    again = load_demo(session, dossiers=150, check_keys=KEYS)
    assert again.dossiers == 0 and again.dossiers_present == 150
    assert again.sample_dossier is None
    assert (count(session, Dossier), count(session, DossierEvent)) == (150, events)


def test_the_demo_command_prints_a_code_and_check_value_that_work(
    tmp_path: Path, sqlite_template: Path
) -> None:
    shutil.copyfile(sqlite_template, tmp_path / "cli.db")
    env = {**folder_env(tmp_path), "SECRET_KEY": "a demo secret key"}
    first = run_sodo("demo", "--dossiers", "40", env=env)
    assert first.returncode == 0, first.stderr
    assert "Demo dossiers loaded through the ingest service: 40." in first.stdout
    found = re.search(
        r"Try the dossier lookup \(/tra-cuu-ho-so\) with code (\S+) and check value (\d+)\.",
        first.stdout,
    )
    assert found is not None, first.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        with make_session_factory(engine)() as session:
            keys = CheckKeys.from_secrets("a demo secret key")
            assert lookup_dossier(session, found[1], found[2], keys) is not None
    finally:
        engine.dispose()
    second = run_sodo("demo", "--dossiers", "40", env=env)
    assert "Demo dossiers already present: 40; none added." in second.stdout
    assert "Try the dossier lookup" not in second.stdout
    skipped = run_sodo("demo", "--if-empty", env=env)
    assert "not loaded" in skipped.stdout


def test_a_catalogue_in_force_only_since_now_gets_no_dossiers(sqlite_database: Database) -> None:
    # As an older demo left it: its versions took effect when it was loaded.
    with make_session_factory(sqlite_database.engine)() as session:
        load_demo(session)
        session.execute(
            sa.update(FlowVersion)
            .where(FlowVersion.effective_from.is_not(None))
            .values(effective_from=datetime.now(TIMEZONE))
        )
        session.commit()
        result = load_demo(session, dossiers=50, check_keys=KEYS)
        assert (result.dossiers, result.dossiers_rejected, result.sample_dossier) == (0, [], None)
        assert count(session, Dossier) == 0
