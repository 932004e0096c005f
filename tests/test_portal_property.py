"""Draft leakage, as a property: for random lifecycle histories, the public page shows
exactly the version in force.

Hypothesis writes histories of one procedure with two cases: drafts imported from scratch
or copied (from the version in force, from an older version, from the other case's
version in force), edits, submissions, rejections, approvals effective in the past, now or
in the future, retirements and the scheduled activation. Every version carries a step
name and an officer of its own, so the public page and the SVG can tell which version
they show. A small model, written from the rules of `workflow_model.lifecycle` ("the
approved version whose effective date is the latest one reached", ties to the higher
number; a version in force supersedes the approved ones effective before it, on
approval, on activation and before a retirement), predicts each outcome, each status and
the version in force; the lifecycle, the public page and the diagram must agree with it,
on SQLite and on PostgreSQL.

The clock is not injectable: effective dates are whole days from the start of each
history, so those before it have passed and those after it have not. The one history
where a date comes while it runs is a plain test at the end, with a short wait.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from support.admin_site import Browser, Site

from validators import validate
from workflow_model.conversion import create_draft_from_document
from workflow_model.conversion.step_content import step_values
from workflow_model.document import CaseEntry, FlowDocument, load_document
from workflow_model.flow_editing import update_step
from workflow_model.lifecycle import (
    activate_due_versions,
    approve,
    new_draft,
    reject,
    retire,
    submit,
    version_in_force,
)
from workflow_model.models import (
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    User,
    VersionStatus,
    utcnow,
)
from workflow_model.refusals import ChangeRefused
from workflow_model.starting_points import DraftStart, StartingPoint

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

# A valid seven-step flow; each version renames its first step and gives it its own officer.
CAOBANG = load_document((FLOWS_DIR / "caobang-1_004944-1.json").read_bytes())
CASES = ("a", "b")
UNPUBLISHED_VI = "Quy trình chưa được công bố."
FROZEN = (VersionStatus.APPROVED, VersionStatus.SUPERSEDED, VersionStatus.RETIRED)
# Markers and procedure codes never repeat within a run, whatever the database.
SERIAL = itertools.count(1)

# --- the model ------------------------------------------------------------------------


@dataclass
class Version:
    """What the model knows of a version: its status, effective date and markers."""

    number: int
    status: VersionStatus
    step: str
    officer: str
    effective: datetime | None = None


@dataclass
class Model:
    """The versions of each case, as the lifecycle's rules say they should be."""

    cases: dict[str, list[Version]] = field(default_factory=dict)

    def open(self, case: str) -> Version | None:
        return next((v for v in self.cases.get(case, []) if v.status.open), None)

    def in_force(self, case: str, moment: datetime) -> Version | None:
        """The approved version whose effective date is the latest reached (ties: higher)."""
        reached = [
            v
            for v in self.cases.get(case, [])
            if v.status is VersionStatus.APPROVED and v.effective is not None
            if v.effective <= moment
        ]
        return max(reached, key=lambda v: (v.effective, v.number), default=None)

    def activate(self, moment: datetime) -> None:
        """A version in force supersedes every other approved one effective no later."""
        for case, versions in self.cases.items():
            current = self.in_force(case, moment)
            if current is None:
                continue
            for version in versions:
                if (
                    version is not current
                    and version.status is VersionStatus.APPROVED
                    and version.effective is not None
                    and version.effective <= current.effective  # type: ignore[operator]
                ):
                    version.status = VersionStatus.SUPERSEDED

    def add(self, case: str, step: str, officer: str) -> Version:
        versions = self.cases.setdefault(case, [])
        version = Version(len(versions) + 1, VersionStatus.DRAFT, step, officer)
        versions.append(version)
        return version


# --- operations -----------------------------------------------------------------------

CASE = st.sampled_from(CASES)
FIRST_MOSTLY = st.sampled_from(("a", "a", "b"))
PICK = st.integers(0, 7)
OFFSET = st.none() | st.integers(-3, 3)  # days from the start of the history; None: now
VARIANT = st.integers(0, 7)
SHAPES = {
    "advance": st.tuples(st.just("advance"), FIRST_MOSTLY, OFFSET, VARIANT),
    "import": st.tuples(st.just("import"), CASE),
    "copy": st.tuples(st.just("copy"), CASE),
    "restore": st.tuples(st.just("restore"), CASE, PICK),
    "copy-other": st.tuples(st.just("copy-other"), CASE),
    "edit": st.tuples(st.just("edit"), CASE),
    "submit": st.tuples(st.just("submit"), CASE),
    "reject": st.tuples(st.just("reject"), CASE),
    "approve": st.tuples(st.just("approve"), CASE, OFFSET),
    "retire": st.tuples(st.just("retire"), CASE, PICK),
    "activate": st.tuples(st.just("activate")),
}
# Weighted so that most histories reach approvals, several of them: `advance` takes a
# case one step further whatever its state; the others are often refused.
KINDS = ("advance",) * 12 + tuple(SHAPES) + ("retire",)
OPERATIONS = st.sampled_from(KINDS).flatmap(SHAPES.__getitem__)
HISTORIES = st.lists(OPERATIONS, min_size=6, max_size=14)

Operation = tuple[object, ...]


@dataclass(repr=False)
class History:
    """One procedure taken through a history, and the model of what it should be."""

    session: Session
    admin: User
    approver: User
    code: str
    start: datetime
    model: Model = field(default_factory=Model)
    # Every marker ever given, shown or not: none may leak but those of versions in force.
    markers: set[str] = field(default_factory=set)
    outcome: str = ""  # of the last operation, for Hypothesis's statistics
    record: Callable[[str], object] = str  # `hypothesis.event` within a property

    # -- helpers ----------------------------------------------------------------------

    def new_markers(self) -> tuple[str, str]:
        number = next(SERIAL)
        step, officer = f"MK{number:06d}Q", f"CB{number:06d}Q"
        self.markers |= {step, officer}
        return step, officer

    def case_row(self, case: str) -> ProcedureCase | None:
        return self.session.scalar(
            sa.select(ProcedureCase)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == self.code, ProcedureCase.key == case)
        )

    def row(self, case: str, number: int) -> FlowVersion:
        found = self.session.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(
                Procedure.code == self.code,
                ProcedureCase.key == case,
                FlowVersion.number == number,
            )
        )
        assert found is not None, (case, number)
        self.session.refresh(found)
        return found

    def attempt(self, refusal: str | None, action: Callable[[], object]) -> bool:
        """Run `action`: it must succeed when `refusal` is None, else be refused so."""
        if refusal is None:
            action()
            self.outcome = "done"
            return True
        with pytest.raises(ChangeRefused) as caught:
            action()
        assert caught.value.code == refusal, str(caught.value)
        self.outcome = f"refused ({refusal})"
        self.session.rollback()
        return False

    def document(self, case: str, step: str, officer: str) -> FlowDocument:
        """The Cao Bằng flow as case `case` of this history's procedure, with its markers."""
        first = CAOBANG.steps[0]
        (reception,) = (o for o in CAOBANG.officers if o.key == first.officers[0])
        return dataclasses.replace(
            CAOBANG,
            procedure=dataclasses.replace(
                CAOBANG.procedure, code=self.code, case=CaseEntry(case, f"Trường hợp {case}")
            ),
            officers=tuple(
                dataclasses.replace(o, name=f"Cán bộ {officer}", email=f"{officer}@example.vn")
                if o is reception
                else o
                for o in CAOBANG.officers
            ),
            steps=(dataclasses.replace(first, name=f"Tiếp nhận hồ sơ {step}"), *CAOBANG.steps[1:]),
            source=None,
        )

    def mark(self, version: FlowVersion, step: str, officer: str) -> None:
        """Put `step` in the first step's name, and give its steps to a new officer `officer`.

        The reception officer also returns the result (the last step): every step of
        theirs changes hands, so no earlier officer marker stays in the version.
        """
        steps = list(
            self.session.scalars(
                sa.select(Step).where(Step.version_id == version.id).order_by(Step.key)
            )
        )
        first = next(row for row in steps if row.key == "s1")
        reception = step_values(first)["officers"][0]
        person = Officer(
            full_name=f"Cán bộ {officer}",
            title="Công chức tiếp nhận hồ sơ",
            phone="0222 3503 221",
            email=f"{officer}@example.vn",
            unit_id=first.unit_id,
        )
        self.session.add(person)
        self.session.commit()
        for row in steps:  # s1 first: a refusal comes before any change
            values = step_values(row)
            if row is first:
                values["name"] = f"Tiếp nhận hồ sơ {step}"
            if reception not in values["officers"]:
                continue
            values["officers"] = [person.id if o == reception else o for o in values["officers"]]
            self.session.refresh(version)
            update_step(self.session, self.admin, version.id, version.lock_counter, row.key, values)

    def opened(self, case: str, make: Callable[[], FlowVersion]) -> None:
        """A new draft of `case`, made by `make`, then given markers of its own."""
        draft = make()
        self.outcome = "done"
        step, officer = self.new_markers()
        self.mark(draft, step, officer)
        added = self.model.add(case, step, officer)
        assert draft.number == added.number

    # -- the operations ---------------------------------------------------------------

    def run(self, operation: Operation) -> None:
        kind, *args = operation
        self.outcome = "skipped"
        getattr(self, "do_" + str(kind).replace("-", "_"))(*args)
        self.record(f"{kind}: {self.outcome}")

    def do_import(self, case: str) -> None:
        step, officer = self.new_markers()
        doc = self.document(case, step, officer)
        refusal = "open-version" if self.model.open(case) else None
        if self.attempt(refusal, lambda: create_draft_from_document(self.session, doc, self.admin)):
            self.model.add(case, step, officer)

    def do_copy(self, case: str) -> None:
        row = self.case_row(case)
        # Without a version in force the draft would be empty: nothing to show or approve.
        if row is None or self.model.in_force(case, utcnow()) is None:
            return
        refusal = "open-version" if self.model.open(case) else None
        if refusal is None:
            self.opened(case, lambda: new_draft(self.session, row, self.admin))
        else:
            self.attempt(refusal, lambda: new_draft(self.session, row, self.admin))

    def do_restore(self, case: str, pick: int) -> None:
        row = self.case_row(case)
        frozen = [v for v in self.model.cases.get(case, []) if v.status in FROZEN]
        if row is None or not frozen:
            return
        chosen = frozen[pick % len(frozen)]
        source = self.row(case, chosen.number)
        refusal = (
            "open-version"
            if self.model.open(case)
            else "retired-source"
            if chosen.status is VersionStatus.RETIRED
            else None
        )
        make = lambda: new_draft(self.session, row, self.admin, from_version=source)  # noqa: E731
        if refusal is None:
            self.opened(case, make)
        else:
            self.attempt(refusal, make)

    def do_copy_other(self, case: str) -> None:
        other = next(c for c in CASES if c != case)
        row = self.case_row(case)
        current = self.model.in_force(other, utcnow())
        candidates = [current] if current else self.model.cases.get(other, [])
        candidates = [v for v in candidates if v.status in FROZEN]
        if row is None or not candidates:
            return
        source = self.row(other, candidates[0].number)
        start = DraftStart(StartingPoint.COPY, source=source)
        refusal = (
            "open-version"
            if self.model.open(case)
            else None
            if candidates[0] is current
            else "not-in-force"
        )
        make = lambda: new_draft(self.session, row, self.admin, start=start)  # noqa: E731
        if refusal is None:
            self.opened(case, make)
        else:
            self.attempt(refusal, make)

    def do_edit(self, case: str) -> None:
        version = self.model.open(case)
        if version is None:
            return
        row = self.row(case, version.number)
        step, officer = self.new_markers()
        refusal = None if version.status.editable else "not-draft"
        if self.attempt(refusal, lambda: self.mark(row, step, officer)):
            version.status, version.step, version.officer = VersionStatus.DRAFT, step, officer

    def do_submit(self, case: str) -> None:
        version = self.model.open(case)
        if version is None:
            return
        row = self.row(case, version.number)
        refusal = None if version.status is VersionStatus.DRAFT else "illegal-transition"
        if self.attempt(refusal, lambda: submit(self.session, row, self.admin, validate=validate)):
            version.status = VersionStatus.SUBMITTED

    def do_reject(self, case: str) -> None:
        version = self.model.open(case)
        if version is None:
            return
        row = self.row(case, version.number)
        refusal = None if version.status is VersionStatus.SUBMITTED else "illegal-transition"
        if self.attempt(refusal, lambda: reject(self.session, row, self.approver, "Chưa đúng.")):
            version.status = VersionStatus.REJECTED

    def do_approve(self, case: str, offset: int | None) -> None:
        version = self.model.open(case)
        if version is None:
            return
        row = self.row(case, version.number)
        effective = None if offset is None else self.start + timedelta(days=offset)
        refusal = None if version.status is VersionStatus.SUBMITTED else "illegal-transition"
        before = utcnow()
        approved = self.attempt(
            refusal,
            lambda: approve(
                self.session,
                row,
                self.approver,
                "Đồng ý.",
                effective,
                reviewed_sha256=row.submitted_sha256 or "",
                validate=validate,
            ),
        )
        if not approved:
            return
        version.status = VersionStatus.APPROVED
        self.session.refresh(row)
        if effective is None:
            # Effective on approval: the model takes the moment the lifecycle chose.
            assert row.effective_from is not None and before <= row.effective_from <= utcnow()
            effective = row.effective_from
        assert row.effective_from == effective
        version.effective = effective
        self.model.activate(utcnow())

    def do_advance(self, case: str, offset: int | None, variant: int) -> None:
        """One step further on the usual way: open a draft, submit, decide, or edit.

        `variant` picks how a draft opens (from scratch, a copy of the version in force,
        of an older version, of the other case's) and, one time in eight, a rejection.
        """
        version = self.model.open(case)
        if version is None:
            create = (self.do_import, self.do_copy, self.do_restore, self.do_copy_other)
            way = variant % len(create)
            create[way](*((case, variant) if way == 2 else (case,)))
            if self.model.open(case) is None:  # a copy needs a source
                self.do_import(case)
        elif version.status is VersionStatus.DRAFT:
            self.do_submit(case)
        elif version.status is VersionStatus.REJECTED:
            self.do_edit(case)
        elif variant == 7:
            self.do_reject(case)
        else:
            self.do_approve(case, offset)

    def do_retire(self, case: str, pick: int) -> None:
        versions = self.model.cases.get(case, [])
        if not versions:
            return
        version = versions[pick % len(versions)]
        row = self.row(case, version.number)
        # Retiring first supersedes what a successor in force has replaced by now.
        self.model.activate(utcnow())
        refusal = None if version.status is VersionStatus.APPROVED else "illegal-transition"
        if self.attempt(refusal, lambda: retire(self.session, row, self.approver)):
            version.status = VersionStatus.RETIRED

    def do_activate(self) -> None:
        # What the scheduled `sodo versions activate` does.
        activate_due_versions(self.session, user=self.approver)
        self.session.commit()
        self.outcome = "done"
        self.model.activate(utcnow())

    # -- the checks -------------------------------------------------------------------

    def check_lifecycle(self, *, every_day: bool = False) -> None:
        """Every status as the model says, and `version_in_force` now.

        With `every_day`, also on each effective date a history may use and a second
        before it, as `sodo versions activate` would see them.
        """
        self.session.expire_all()
        moments = [utcnow()]
        if every_day:
            moments += [
                self.start + timedelta(days=d, seconds=s) for d in range(-4, 5) for s in (-1, 0)
            ]
        for case, versions in self.model.cases.items():
            row = self.case_row(case)
            assert row is not None
            stored = dict(
                self.session.execute(
                    sa.select(FlowVersion.number, FlowVersion.status).where(
                        FlowVersion.case_id == row.id
                    )
                ).all()
            )
            assert stored == {v.number: v.status for v in versions}, case
            for moment in moments:
                found = version_in_force(self.session, row.id, moment)
                expected = self.model.in_force(case, moment)
                assert (found and found.number) == (expected and expected.number), (case, moment)

    def check_public_pages(self, visitor: Browser) -> None:
        """The page and each case's SVG show the markers in force and no other."""
        now = utcnow()
        published = [c for c in self.model.cases if self.model.in_force(c, now)]
        self.record(f"cases in force at the end: {len(published)} of {len(self.model.cases)}")
        for version in (v for versions in self.model.cases.values() for v in versions):
            later = version.effective is not None and version.effective > now
            self.record(
                f"a version ended {version.status.value}" + (" (effective later)" if later else "")
            )
        page = visitor.text(f"/thu-tuc/{self.code}")
        shown: set[str] = set()
        drawn: dict[str, str] = {}
        for case in self.model.cases:
            current = self.model.in_force(case, now)
            section = page.split(f'id="case-{case}"', 1)[1].split("</section>", 1)[0]
            svg = visitor.get(f"/thu-tuc/{self.code}/so-do.svg?case={case}")
            if current is None:
                assert UNPUBLISHED_VI in section, case
                assert svg.status_code == 404, case
                continue
            assert UNPUBLISHED_VI not in section, case
            assert svg.status_code == 200 and svg.mimetype == "image/svg+xml", case
            drawn[case] = svg.get_data(as_text=True)
            for marker in (current.step, current.officer):
                assert marker in section and marker in drawn[case], (case, marker)
            shown |= {current.step, current.officer}
        # The first case's diagram is the default one.
        first = visitor.get(f"/thu-tuc/{self.code}/so-do.svg")
        if "a" in drawn:
            assert first.status_code == 200 and first.get_data(as_text=True) == drawn["a"]
        else:
            assert first.status_code == 404
        for marker in self.markers - shown:
            assert marker not in page, marker
            for case, svg in drawn.items():
                assert marker not in svg, (case, marker)
        for case, svg in drawn.items():
            other = self.model.in_force(next(c for c in CASES if c != case), now)
            if other is not None:
                assert other.step not in svg and other.officer not in svg, case


@settings(
    max_examples=10,
    deadline=None,
    database=None,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=HISTORIES)
def test_the_public_page_shows_exactly_the_version_in_force(
    site: Site, history: list[Operation]
) -> None:
    with site.session() as session:
        admin = session.scalar(sa.select(User).where(User.username == "admin"))
        approver = session.scalar(sa.select(User).where(User.username == "approver"))
        assert admin is not None and approver is not None
        # Each history has a procedure of its own, so examples never meet.
        lifecycle = History(session, admin, approver, f"9.{next(SERIAL):06d}", utcnow())
        lifecycle.record = event
        # The procedure exists from the first step: the page is about its cases.
        for operation in [("import", "a"), *history]:
            lifecycle.run(operation)
            lifecycle.check_lifecycle()
        lifecycle.check_lifecycle(every_day=True)
        lifecycle.check_public_pages(site.browser())


def test_retiring_the_version_in_force_never_brings_back_the_one_it_replaced(
    site: Site,
) -> None:
    """v2 takes effect after its approval, with no activation since: v1 is replaced all the same.

    Once v2's effective date has come, v1 is superseded whether or not the scheduled
    `sodo versions activate` has run: retiring v1 is refused as superseded, and retiring
    v2 leaves the case with nothing in force, never v1 again.
    """
    with site.session() as session:
        admin = session.scalar(sa.select(User).where(User.username == "admin"))
        approver = session.scalar(sa.select(User).where(User.username == "approver"))
        assert admin is not None and approver is not None
        lifecycle = History(session, admin, approver, f"9.{next(SERIAL):06d}", utcnow())
        for operation in ("import", "submit", "approve", "copy", "submit"):
            lifecycle.run((operation, "a", None) if operation == "approve" else (operation, "a"))
        first, second = lifecycle.row("a", 1), lifecycle.row("a", 2)
        # Far enough ahead that a slow, shared machine still approves before it comes.
        soon = utcnow() + timedelta(seconds=3)
        approve(
            session,
            second,
            approver,
            effective_from=soon,
            reviewed_sha256=second.submitted_sha256 or "",
            validate=validate,
        )
        assert first.status is VersionStatus.APPROVED  # v2 is not in force yet
        # Real time passes, the clock being the system's.
        time.sleep(max(0.0, (soon - utcnow()).total_seconds()) + 0.05)
        old, new = lifecycle.model.cases["a"]
        visitor = site.browser()
        page = visitor.text(f"/thu-tuc/{lifecycle.code}")
        assert new.step in page and old.step not in page
        with pytest.raises(ChangeRefused) as caught:
            retire(session, first, approver)
        assert caught.value.code == "illegal-transition"
        assert caught.value.params["current"] == "superseded"
        session.rollback()
        retire(session, second, approver)
        session.expire_all()
        assert version_in_force(session, second.case_id) is None
        assert session.get(FlowVersion, first.id).status is VersionStatus.SUPERSEDED
        page = visitor.text(f"/thu-tuc/{lifecycle.code}")
        assert UNPUBLISHED_VI in page and old.step not in page and new.step not in page
        assert visitor.get(f"/thu-tuc/{lifecycle.code}/so-do.svg?case=a").status_code == 404
