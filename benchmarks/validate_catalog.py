"""How fast `validators.validate` checks a province's whole catalogue of flow documents.

Run it from the project root::

    .venv/bin/python benchmarks/validate_catalog.py [--flows 1700] [--runs 5] [--seed 1]

What it measures
----------------
A province publishes about 1,700 internal processes (quy trình nội bộ). The script builds a
synthetic catalogue of that size, deterministically from ``--seed``, with the dataclasses of
`workflow_model.document` (no JSON, so parsing is not measured). The flows look like the
demo flows: 5 to 40 steps (mostly 7 to 15), one reception step at a one-stop unit whose
decision sends incomplete dossiers to a shared refusal end step, a main chain with more
labelled decisions towards that refusal step, some parallel consultations that rejoin in a
step with ``join = all``, units in a small tree (one-stop centre, departments and their
offices) and officers drawn from one province-wide pool of about 300 people, so the same
officers, phones and emails recur across procedures as they do in a real catalogue. Legal
times equal the critical path in most flows, exceed it a little in some (a warning) and fall
short of it on purpose in about 2% (an error, as in one demo flow); about 3% of the flows get
a back-edge ("trả lại để xử lý lại") that makes a cycle (an error).

Four workloads are timed with `time.perf_counter`, after one untimed warm-up (the validators'
caches of phones and emails are legitimate: a real catalogue repeats its officers):

- ``catalogue``: validate every flow once; one sample per run.
- ``40-step flow``: validate one 40-step flow ``--repeat`` times per run, each validation
  timed on its own; the row gives the median, min and max of all those single validations.
- ``2,000-step flow``: the same generator scaled up (decisions, parallel consultations);
  one validation per run.
- ``baseline``: build `workflow_model.flowgraph.FlowGraph` and its ``critical_path`` for
  every flow of the catalogue, with no rule at all; one sample per run.
- ``N-step flow, parallel`` and ``N-step plain chain`` for each size of ``--large``
  (10,000 and 50,000 by default): the generator's flow of that size, with parallel
  consultations at about 6% of positions, against `plain_chain` of the same steps; one
  validation of each per run. The rules must stay near-linear: the parallel flow may take at
  most ``LARGE_RATIO_TARGET`` times the chain's median (`parallel-without-join` once took
  100 s at 50,000 steps, against 1.4 s for the chain).

How to read the output
----------------------
The header says what ran (Python, networkx, CPUs) and what the catalogue holds; then the
findings of one validation of each flow, by rule code, which shows the workload is realistic:
the errors must all come from the flows made faulty on purpose. The table gives, per
workload, the median, min and max of the runs and whether the median is within its target.
The ratio catalogue / baseline is the cost of the rules relative to merely building the graphs
on the same machine in the same process: it moves much less than absolute times when the
machine is slower or busy, so compare ratios across machines and absolute times only against
the targets. The exit code is 0 (these are measurements, not tests) unless ``--check`` is
given, in which case a missed target exits with 1.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import math
import os
import platform
import pstats
import random
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from importlib import metadata
from itertools import pairwise

import networkx as nx

from validators import Report, Severity, validate
from workflow_model.document import (
    CaseEntry,
    DossierComponentEntry,
    Duration,
    Fee,
    FlowDocument,
    OfficerEntry,
    Position,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
)
from workflow_model.flowgraph import FlowGraph, step_hours
from workflow_model.models import HOURS_PER_WORKING_DAY, Join, Split, StepKind, TimeUnit

PROVINCE = "Bắc Ninh"
AREA_CODE = "0222"
DIRECTORY_SEED = 2025
"""The province directory (units and officers) is the same whatever ``--seed`` says."""

PARALLEL_RATE = 0.06
"""Chance, at each free position of the main chain, that a parallel consultation starts."""
CYCLE_SHARE = 0.03
"""Share of flows given a back-edge that makes a cycle."""
EXACT_SHARE = 0.80
"""Share of flows whose legal time equals their critical path; the rest get some slack…"""
OVER_BUDGET_SHARE = 0.02
"""…except this share, whose legal time is shorter than the critical path on purpose."""

CATALOGUE_TARGET_S = 0.5
FLOW_40_TARGET_S = 0.002
FLOW_2000_TARGET_S = 1.0
LARGE_RATIO_TARGET = 2.0
LARGE_SIZES = (10_000, 50_000)

# --------------------------------------------------------------------------------------
# The province directory: units in a small tree and a pool of about 300 officers.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    """A province department (Sở): its key, name, offices (phòng), fields and procedures."""

    key: str
    name: str
    offices: tuple[tuple[str, str], ...]
    fields: tuple[str, ...]
    topics: tuple[str, ...]


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "stc",
        "Sở Tài chính",
        (("dttd", "Phòng Đấu thầu, Thẩm định và Giám sát đầu tư"), ("ns", "Phòng Ngân sách")),
        ("Đầu tư tại Việt Nam", "Quản lý công sản"),
        ("chấp thuận nhà đầu tư", "điều chỉnh dự án đầu tư", "thẩm định giá tài sản công"),
    ),
    Department(
        "sxd",
        "Sở Xây dựng",
        (("qlxd", "Phòng Quản lý xây dựng"), ("qhkt", "Phòng Quy hoạch - Kiến trúc")),
        ("Hoạt động xây dựng", "Nhà ở"),
        ("cấp giấy phép xây dựng", "thẩm định thiết kế xây dựng", "công nhận chủ đầu tư"),
    ),
    Department(
        "snnmt",
        "Sở Nông nghiệp và Môi trường",
        (("qldd", "Phòng Quản lý đất đai"), ("mt", "Phòng Môi trường")),
        ("Đất đai", "Môi trường"),
        ("giao đất, cho thuê đất", "cấp giấy phép môi trường", "chuyển mục đích sử dụng đất"),
    ),
    Department(
        "syt",
        "Sở Y tế",
        (("nvy", "Phòng Nghiệp vụ Y"), ("nvd", "Phòng Nghiệp vụ Dược")),
        ("Khám bệnh, chữa bệnh", "Dược phẩm"),
        ("cấp giấy phép hoạt động khám bệnh, chữa bệnh", "cấp chứng chỉ hành nghề dược"),
    ),
    Department(
        "sgddt",
        "Sở Giáo dục và Đào tạo",
        (("gdtrh", "Phòng Giáo dục trung học"), ("qlcl", "Phòng Quản lý chất lượng")),
        ("Giáo dục và Đào tạo",),
        ("cho phép trường trung học hoạt động giáo dục", "công nhận trường đạt chuẩn quốc gia"),
    ),
    Department(
        "sct",
        "Sở Công Thương",
        (("qltm", "Phòng Quản lý thương mại"), ("qlnl", "Phòng Quản lý năng lượng")),
        ("Lưu thông hàng hóa trong nước", "Điện"),
        ("cấp giấy phép bán lẻ rượu", "cấp giấy phép hoạt động điện lực"),
    ),
    Department(
        "stp",
        "Sở Tư pháp",
        (("hctp", "Phòng Hành chính tư pháp"), ("bttp", "Phòng Bổ trợ tư pháp")),
        ("Lý lịch tư pháp", "Công chứng"),
        ("cấp phiếu lý lịch tư pháp", "thành lập văn phòng công chứng"),
    ),
    Department(
        "snv",
        "Sở Nội vụ",
        (("tcbc", "Phòng Tổ chức, biên chế"), ("ldvl", "Phòng Lao động - Việc làm")),
        ("Tổ chức hành chính", "Việc làm"),
        ("thành lập hội cấp tỉnh", "cấp giấy phép lao động cho người nước ngoài"),
    ),
    Department(
        "svhttdl",
        "Sở Văn hóa, Thể thao và Du lịch",
        (("qlvh", "Phòng Quản lý văn hóa"), ("qldl", "Phòng Quản lý du lịch")),
        ("Văn hóa", "Du lịch"),
        ("cấp giấy phép tổ chức lễ hội", "công nhận hạng cơ sở lưu trú du lịch"),
    ),
    Department(
        "skhcn",
        "Sở Khoa học và Công nghệ",
        (("qlcn", "Phòng Quản lý công nghệ"), ("bcvt", "Phòng Bưu chính, Viễn thông")),
        ("Hoạt động khoa học và công nghệ", "Bưu chính"),
        ("cấp giấy chứng nhận doanh nghiệp khoa học và công nghệ", "cấp giấy phép bưu chính"),
    ),
    Department(
        "sdttg",
        "Sở Dân tộc và Tôn giáo",
        (("tg", "Phòng Tôn giáo"), ("dt", "Phòng Dân tộc")),
        ("Tôn giáo", "Công tác dân tộc"),
        ("đăng ký hoạt động tôn giáo", "chấp thuận tổ chức cuộc lễ ngoài cơ sở tôn giáo"),
    ),
)

COMMUNES = ("Tiên Du", "Quế Võ", "Lương Tài", "Gia Bình", "Thuận Thành", "Yên Phong", "Cao Đức")
COMMUNE_FIELDS = (
    ("Hộ tịch", ("đăng ký khai sinh", "đăng ký kết hôn", "đăng ký khai tử")),
    ("Chứng thực", ("chứng thực hợp đồng, giao dịch", "chứng thực di chúc")),
    ("Bảo trợ xã hội", ("trợ cấp xã hội hằng tháng", "hỗ trợ chi phí mai táng")),
    ("Đất đai", ("hòa giải tranh chấp đất đai", "xác nhận nguồn gốc đất")),
    ("Nông nghiệp", ("hỗ trợ khôi phục sản xuất sau thiên tai", "xác nhận kinh tế trang trại")),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FAMILY = _words(
    "Nguyễn Nguyễn Nguyễn Nguyễn Trần Trần Lê Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng "
    "Bùi Đỗ Hồ Ngô Dương Lý Đào Đinh Lương Hà Cao Mai Trịnh Tạ Kiều"
)
MIDDLE_MALE = _words("Văn Văn Văn Đức Minh Quang Hữu Công Xuân Thanh Mạnh Tiến")
MIDDLE_FEMALE = _words("Thị Thị Thị Thu Thanh Ngọc Kim Phương Hồng Bích")
GIVEN_MALE = _words(
    "An Bình Cường Dũng Đạt Hải Hùng Hưng Khánh Long Minh Nam Phúc Quân Sơn Thắng "
    "Trung Tuấn Việt Vinh Kiên Toàn Thành Lâm"
)
GIVEN_FEMALE = _words(
    "Anh Châu Dung Giang Hà Hằng Hạnh Hoa Hương Lan Linh Mai Ngọc Nhung Oanh Phương "
    "Quỳnh Thảo Trang Yến Huyền Thủy Vân"
)
MOBILE_PREFIXES = ("090", "091", "094", "096", "097", "098", "086", "088", "083", "085", "032")


@dataclass(frozen=True)
class DirectoryUnit:
    """A unit of the province: `key` is what a flow document calls it, `id` is unique."""

    id: str
    key: str
    name: str
    level: str
    one_stop: bool
    parent: str | None = None


@dataclass(frozen=True)
class DirectoryOfficer:
    """An officer of the province; `role` says which kind of step they handle."""

    name: str
    title: str
    role: str
    phone: str
    email: str
    unit: str


@dataclass
class Directory:
    """The province's units and officers, shared by every flow of the catalogue."""

    units: dict[str, DirectoryUnit] = field(default_factory=dict)
    officers: list[DirectoryOfficer] = field(default_factory=list)
    staff: dict[tuple[str, str], list[DirectoryOfficer]] = field(default_factory=dict)
    desks: dict[str, list[DirectoryOfficer]] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)

    def add_unit(self, unit: DirectoryUnit) -> str:
        """Add `unit` and return its id."""
        self.units[unit.id] = unit
        return unit.id

    def officers_of(self, unit: str, role: str) -> list[DirectoryOfficer]:
        """The officers of `unit` who hold `role` (empty when none)."""
        return self.staff.get((unit, role), [])


def ascii_fold(text: str) -> str:
    """Vietnamese text without diacritics, in lower case (for email local parts).

    >>> ascii_fold("Đặng Thị Ngọc")
    'dang thi ngoc'
    """
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _person(rng: random.Random) -> str:
    female = rng.random() < 0.5
    family = rng.choice(FAMILY)
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    if female and middle == "Thị" and rng.random() < 0.3:  # Trần Thị Bích Ngọc
        middle += " " + rng.choice(MIDDLE_FEMALE[3:])
    return f"{family} {middle} {given}"


def _email(directory: Directory, name: str) -> str:
    words = ascii_fold(name).split()
    local = f"{words[-1]}.{''.join(w[0] for w in words[:-1])}"
    candidate, number = local, 1
    while candidate in directory.emails:
        number += 1
        candidate = f"{local}{number}"
    directory.emails.add(candidate)
    return f"{candidate}@example.gov.vn"


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.7:  # a landline of the province: 0222 3810 111
        return f"{AREA_CODE} 3{rng.randrange(1000):03d} {rng.randrange(1000):03d}"
    prefix, rest = rng.choice(MOBILE_PREFIXES), f"{rng.randrange(10**7):07d}"
    style = rng.random()
    if style < 0.1:
        return f"+84 {prefix[1:]}{rest[0]} {rest[1:4]} {rest[4:]}"
    separator = "." if style < 0.25 else " "
    return separator.join((prefix + rest[0], rest[1:4], rest[4:]))


def _hire(
    directory: Directory, rng: random.Random, unit: str, titles: Sequence[tuple[str, str]]
) -> None:
    for title, role in titles:
        name = _person(rng)
        officer = DirectoryOfficer(name, title, role, _phone(rng), _email(directory, name), unit)
        directory.officers.append(officer)
        directory.staff.setdefault((unit, role), []).append(officer)


@cache
def province_directory() -> Directory:
    """The province: a one-stop centre, departments with offices, communes; ~300 officers."""
    rng = random.Random(DIRECTORY_SEED)
    d = Directory()
    centre = d.add_unit(
        DirectoryUnit(
            "ttpvhcc",
            "ttpvhcc",
            f"Trung tâm Phục vụ hành chính công tỉnh {PROVINCE}",
            "province",
            True,
        )
    )
    _hire(d, rng, centre, [("Công chức tiếp nhận hồ sơ", "reception")] * 2 * len(DEPARTMENTS))
    receptionists = d.officers_of(centre, "reception")
    for index, dept in enumerate(DEPARTMENTS):  # each department seats two officers there
        d.desks[dept.key] = receptionists[2 * index : 2 * index + 2]
    ubnd = d.add_unit(DirectoryUnit("ubnd", "ubnd", f"UBND tỉnh {PROVINCE}", "province", False))
    _hire(
        d,
        rng,
        ubnd,
        [("Chủ tịch UBND tỉnh", "leader")] + [("Phó Chủ tịch UBND tỉnh", "leader")] * 3,
    )
    vpubnd = d.add_unit(
        DirectoryUnit("vpubnd", "vpubnd", "Văn phòng UBND tỉnh", "province", False, ubnd)
    )
    _hire(
        d,
        rng,
        vpubnd,
        [("Phó Chánh Văn phòng", "head")] * 2 + [("Chuyên viên Văn phòng UBND tỉnh", "staff")] * 4,
    )
    for dept in DEPARTMENTS:
        head = d.add_unit(DirectoryUnit(dept.key, dept.key, dept.name, "province", False))
        _hire(d, rng, head, [("Giám đốc Sở", "leader")] + [("Phó Giám đốc Sở", "leader")] * 2)
        for suffix, office_name in dept.offices:
            office = d.add_unit(
                DirectoryUnit(
                    f"{dept.key}-{suffix}",
                    f"{dept.key}-{suffix}",
                    office_name,
                    "province",
                    False,
                    head,
                )
            )
            _hire(
                d,
                rng,
                office,
                [
                    ("Trưởng phòng", "head"),
                    ("Phó Trưởng phòng", "head"),
                    ("Chuyên viên", "staff"),
                    ("Chuyên viên chính", "staff"),
                    ("Chuyên viên", "staff"),
                ],
            )
        office = d.add_unit(
            DirectoryUnit(
                f"{dept.key}-vp", f"{dept.key}-vp", "Văn phòng Sở", "province", False, head
            )
        )
        _hire(
            d,
            rng,
            office,
            [("Chánh Văn phòng", "head"), ("Văn thư", "clerk"), ("Văn thư", "clerk")],
        )
    for index, commune in enumerate(COMMUNES):
        prefix = f"x{index}"
        one_stop = d.add_unit(
            DirectoryUnit(
                f"{prefix}-ttxa",
                "ttxa",
                f"Trung tâm Phục vụ hành chính công xã {commune}",
                "commune",
                True,
            )
        )
        _hire(d, rng, one_stop, [("Công chức tiếp nhận hồ sơ", "reception")] * 2)
        d.desks[prefix] = d.officers_of(one_stop, "reception")
        council = d.add_unit(
            DirectoryUnit(f"{prefix}-ubndxa", "ubndxa", f"UBND xã {commune}", "commune", False)
        )
        _hire(
            d,
            rng,
            council,
            [("Chủ tịch UBND xã", "leader")] + [("Phó Chủ tịch UBND xã", "leader")] * 2,
        )
        for key, name, head_title, staff_title, role in (
            ("vp", "Văn phòng HĐND và UBND xã", "Chánh Văn phòng", "Văn thư", "clerk"),
            ("pkt", "Phòng Kinh tế", "Trưởng phòng Kinh tế", "Công chức Phòng Kinh tế", "staff"),
            (
                "vhxh",
                "Phòng Văn hóa - Xã hội",
                "Trưởng phòng",
                "Công chức Văn hóa - Xã hội",
                "staff",
            ),
        ):
            unit = d.add_unit(
                DirectoryUnit(f"{prefix}-{key}", key, name, "commune", False, council)
            )
            _hire(d, rng, unit, [(head_title, "head"), (staff_title, role)])
        police = d.add_unit(
            DirectoryUnit(f"{prefix}-caxa", "caxa", f"Công an xã {commune}", "commune", False)
        )
        _hire(d, rng, police, [("Trưởng Công an xã", "head"), ("Cán bộ Công an xã", "staff")])
    return d


# --------------------------------------------------------------------------------------
# One flow document.
# --------------------------------------------------------------------------------------

DAY_CHOICES = {
    "reception": (0.0, 0.25, 0.25, 0.5, 0.5),
    "assign": (0.25, 0.25, 0.5),
    "appraise": (1.0, 1.5, 2.0, 3.0, 5.0),
    "work": (0.5, 1.0, 1.0, 2.0, 3.0),
    "review": (0.25, 0.5, 0.5, 1.0),
    "approve": (0.5, 1.0, 1.0, 2.0),
    "issue": (0.25, 0.5),
    "consult": (3.0, 5.0, 5.0, 7.0, 10.0),
    "gather": (1.0, 2.0),
    "council": (2.0, 3.0, 5.0),
    "result": (0.0, 0.25, 0.5, 0.5),
}
"""Step durations in working days, by what the step does; 0.25 day is 2 working hours."""

DECISION_LABELS = (
    ("Hồ sơ đạt yêu cầu", "Hồ sơ không đạt yêu cầu: dự thảo văn bản trả lời, nêu rõ lý do"),
    ("Đủ điều kiện", "Không đủ điều kiện: văn bản từ chối"),
    ("Đồng ý", "Không đồng ý: thông báo từ chối, nêu rõ lý do"),
    ("Kết quả xác minh phù hợp", "Kết quả xác minh không phù hợp: trả lại hồ sơ"),
)
RECEPTION_LABELS = (
    "Hồ sơ đầy đủ, hợp lệ",
    "Hồ sơ không đầy đủ, hợp lệ: trả hồ sơ, hướng dẫn bổ sung",
)
BACK_LABEL = "Chưa đạt: trả lại để xử lý lại"
FORWARD_LABEL = "Đạt: chuyển bước tiếp theo"

COMPONENTS = (
    "Đơn đề nghị (theo mẫu)",
    "Bản sao Giấy chứng nhận đăng ký doanh nghiệp",
    "Bản sao giấy tờ tùy thân của người đề nghị",
    "Báo cáo thuyết minh",
    "Bản vẽ, sơ đồ vị trí",
    "Văn bản ủy quyền (nếu có)",
    "Giấy xác nhận của cơ quan có thẩm quyền",
)


@dataclass(frozen=True)
class Slot:
    """What one step of the main chain does: its role, name, duration kind, decision chance."""

    role: str
    name: str
    kind: str
    decision: float = 0.0


@dataclass
class _DraftStep:
    key: str
    name: str
    kind: StepKind
    unit: str
    officers: tuple[str, ...]
    days: float
    in_hours: bool
    split: Split = Split.EXCLUSIVE
    join: Join = Join.ANY
    documents: tuple[str, ...] = ()


@dataclass
class _Setting:
    """Where a flow runs: the directory unit ids for each role of its steps."""

    level: str
    desk: str
    reception: str
    office: str
    second_office: str
    clerk: str
    approver: str
    consulted: list[str]
    council: str | None = None
    council_office: str | None = None


class _FlowBuilder:
    """Builds one flow step by step, keeping units and officers local to the document."""

    def __init__(self, rng: random.Random, setting: _Setting, steps: int, in_hours: bool) -> None:
        self.rng = rng
        self.directory = province_directory()
        self.setting = setting
        self.in_hours = in_hours
        self.drafts: list[_DraftStep] = []
        self.transitions: list[list[str]] = []
        self.positions: dict[str, Position] = {}
        self.unit_keys: dict[str, str] = {}
        self.officer_keys: dict[int, str] = {}
        self.officers: list[OfficerEntry] = []
        self.in_charge: dict[tuple[str, str], DirectoryOfficer] = {}
        self.result_key = f"s{steps - 1}"
        self.refusal_key = f"s{steps}"
        self.column = 0

    def unit(self, unit_id: str) -> str:
        """The local key of a directory unit, adding it (and the units above it) when new."""
        if unit_id not in self.unit_keys:
            parent = self.directory.units[unit_id].parent
            if parent is not None:
                self.unit(parent)
            self.unit_keys[unit_id] = self.directory.units[unit_id].key
        return self.unit_keys[unit_id]

    def officer(self, person: DirectoryOfficer) -> str:
        """The local key of a directory officer, adding them when new."""
        if id(person) not in self.officer_keys:
            key = f"o{len(self.officer_keys) + 1}"
            self.officer_keys[id(person)] = key
            self.officers.append(
                OfficerEntry(
                    key,
                    person.name,
                    person.title,
                    person.phone,
                    person.email,
                    self.unit(person.unit),
                )
            )
        return self.officer_keys[id(person)]

    def people(self, unit_id: str, role: str) -> tuple[str, ...]:
        """The officers of a step: one in charge (the same for a unit and role), maybe a second."""
        if role == "reception":
            pool = self.directory.desks[self.setting.desk]
        else:
            pool = self.directory.officers_of(unit_id, role) or self.directory.officers_of(
                unit_id, "head"
            )
        chosen = self.in_charge.setdefault((unit_id, role), self.rng.choice(pool))
        keys = [self.officer(chosen)]
        others = [p for p in self.directory.officers_of(unit_id, "staff") if p is not chosen]
        if others and self.rng.random() < 0.15:
            keys.append(self.officer(self.rng.choice(others)))
        return tuple(keys)

    def add(
        self,
        name: str,
        unit_id: str,
        role: str,
        duration: str,
        kind: StepKind = StepKind.TASK,
        row: int = 0,
        key: str | None = None,
    ) -> _DraftStep:
        """Add a step, numbered in order unless `key` says otherwise (the two end steps)."""
        key = key or f"s{len(self.drafts) + 1}"
        draft = _DraftStep(
            key=key,
            name=name,
            kind=kind,
            unit=self.unit(unit_id),
            officers=self.people(unit_id, role),
            days=self.rng.choice(DAY_CHOICES[duration]),
            in_hours=self.in_hours or self.rng.random() < 0.05,
        )
        self.drafts.append(draft)
        if row == 0:
            self.column += 1
        self.positions[key] = Position(120.0 + 200.0 * self.column, 80.0 + 130.0 * row)
        return draft

    def link(self, source: str, target: str, label: str = "") -> list[str]:
        """Add a transition and return it (its label may still change)."""
        transition = [source, target, label]
        self.transitions.append(transition)
        return transition


def _setting(rng: random.Random) -> tuple[_Setting, ProcedureEntry, bool]:
    """Pick where a flow runs and the procedure it belongs to; True when UBND decides."""
    if rng.random() < 0.35:
        index = rng.randrange(len(COMMUNES))
        prefix = f"x{index}"
        field_name, topics = rng.choice(COMMUNE_FIELDS)
        office, second = rng.sample([f"{prefix}-pkt", f"{prefix}-vhxh"], 2)
        setting = _Setting(
            level="commune",
            desk=prefix,
            reception=f"{prefix}-ttxa",
            office=office,
            second_office=second,
            clerk=f"{prefix}-vp",
            approver=f"{prefix}-ubndxa",
            consulted=[f"{prefix}-caxa", second],
        )
        return setting, _procedure(rng, "commune", field_name, rng.choice(topics)), False
    dept_index = rng.randrange(len(DEPARTMENTS))
    dept = DEPARTMENTS[dept_index]
    offices = [f"{dept.key}-{suffix}" for suffix, _ in dept.offices]
    rng.shuffle(offices)
    others = [d for d in DEPARTMENTS if d is not dept]
    consulted = [f"{d.key}-{d.offices[0][0]}" for d in rng.sample(others, 3)]
    with_council = rng.random() < 0.4
    setting = _Setting(
        level="province",
        desk=dept.key,
        reception="ttpvhcc",
        office=offices[0],
        second_office=offices[1],
        clerk=f"{dept.key}-vp",
        approver=dept.key,
        consulted=consulted,
        council="ubnd" if with_council else None,
        council_office="vpubnd" if with_council else None,
    )
    procedure = _procedure(rng, "province", rng.choice(dept.fields), rng.choice(dept.topics))
    return setting, procedure, with_council


def _procedure(rng: random.Random, level: str, field_name: str, topic: str) -> ProcedureEntry:
    count = rng.choice((0, 0, 2, 3, 4, 5))
    components = tuple(
        DossierComponentEntry(f"tp{i + 1}", name, originals=1, copies=rng.choice((0, 0, 1)))
        for i, name in enumerate(rng.sample(COMPONENTS, count))
    )
    fees = (
        (Fee("Lệ phí", float(rng.choice((50_000, 100_000, 500_000)))),)
        if rng.random() < 0.3
        else ()
    )
    case = CaseEntry("th1", f"Trường hợp {topic} lần đầu") if rng.random() < 0.1 else None
    return ProcedureEntry(
        code="",  # set by synthetic_flow, which knows the index
        name=f"Thủ tục {topic}",
        level=level,
        field=field_name,
        legal_time=Duration(0.0, TimeUnit.WORKING_DAY),  # set once the steps are known
        result=f"Văn bản giải quyết thủ tục {topic} hoặc văn bản từ chối nêu rõ lý do.",
        legal_basis=("Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ",),
        fees=fees,
        dossier_components=components,
        case=case,
    )


def _chain_slots(
    setting: _Setting, middle: int, with_council: bool
) -> tuple[list[Slot], list[Slot]]:
    """The fixed steps before and after the free part of the main chain, trimmed to fit."""
    commune = setting.level == "commune"
    assign = Slot("head", "Lãnh đạo phòng phân công chuyên viên xử lý hồ sơ", "assign")
    approve = Slot(
        "leader",
        "Lãnh đạo UBND xã xem xét, ký duyệt"
        if commune
        else "Lãnh đạo Sở ký tờ trình gửi UBND tỉnh"
        if with_council
        else "Lãnh đạo Sở xem xét, ký duyệt kết quả",
        "approve",
        0.0 if with_council else 0.5,
    )
    issue = Slot("clerk", "Văn thư vào số, đóng dấu, phát hành văn bản", "issue")
    council_office = Slot(
        "council-office", "Văn phòng UBND tỉnh thẩm tra, trình lãnh đạo", "review", 0.1
    )
    council = Slot("council", "Lãnh đạo UBND tỉnh xem xét, quyết định", "council", 0.6)
    before = [assign]
    after = [approve, issue] + ([council_office, council] if with_council else [])
    for optional in (issue, council_office, assign, council):  # dropped first to last
        if len(before) + len(after) <= middle - 1:
            break
        for part in (before, after):
            if optional in part:
                part.remove(optional)
    return before, after


FREE_SLOTS = (
    Slot("staff", "Kiểm tra, xác minh thực tế", "work", 0.2),
    Slot("staff", "Tổng hợp, hoàn thiện hồ sơ trình lãnh đạo phòng", "work"),
    Slot("head", "Lãnh đạo phòng xem xét, cho ý kiến", "review", 0.1),
    Slot("staff", "Dự thảo văn bản, lấy ý kiến pháp chế", "work"),
    Slot("second", "Phòng phối hợp rà soát hồ sơ", "review", 0.1),
    Slot("leader", "Lãnh đạo cho ý kiến chỉ đạo", "approve", 0.3),
)
APPRAISE = Slot("staff", "Thẩm định hồ sơ, dự thảo kết quả giải quyết", "appraise", 0.35)


def _unit_for(setting: _Setting, role: str) -> tuple[str, str]:
    """The directory unit and the officer role of a slot's role."""
    return {
        "head": (setting.office, "head"),
        "staff": (setting.office, "staff"),
        "second": (setting.second_office, "head"),
        "leader": (setting.approver, "leader"),
        "clerk": (setting.clerk, "clerk"),
        "council-office": (setting.council_office or setting.office, "head"),
        "council": (setting.council or setting.approver, "leader"),
    }[role]


def synthetic_flow(
    rng: random.Random, steps: int, index: int, *, faults: bool = True
) -> FlowDocument:
    """Build one realistic flow document of `steps` steps (at least 5) from `rng`.

    The main chain starts with a reception at a one-stop unit and ends with the result
    returned there; decisions send dossiers to a shared refusal end step, parallel
    consultations rejoin in a ``join = all`` step. With `faults`, a few flows get a
    back-edge that makes a cycle (`CYCLE_SHARE`) or a legal time shorter than their critical
    path (`OVER_BUDGET_SHARE`), listed under ``source["faults"]``; without, none does.
    `index` numbers the procedure code.

    >>> doc = synthetic_flow(random.Random(1), 12, 0, faults=False)
    >>> len(doc.steps), validate(doc).ok
    (12, True)
    """
    if steps < 5:
        raise ValueError("a flow needs at least 5 steps")
    setting, procedure, with_council = _setting(rng)
    with_council = with_council and steps >= 9
    in_hours = rng.random() < 0.1
    b = _FlowBuilder(rng, setting, steps, in_hours)
    main: list[_DraftStep] = []
    split_steps: set[str] = set()
    decision_labels: dict[str, str] = {}

    documents = tuple(c.key for c in procedure.dossier_components)
    start = b.add(
        "Tiếp nhận, kiểm tra, số hoá hồ sơ",
        setting.reception,
        "reception",
        "reception",
        StepKind.START,
    )
    start.documents = documents
    b.link(start.key, b.refusal_key, RECEPTION_LABELS[1])
    decision_labels[start.key] = RECEPTION_LABELS[0]
    previous = start

    def follow(step: _DraftStep) -> None:
        nonlocal previous
        b.link(previous.key, step.key, decision_labels.get(previous.key, ""))
        previous = step

    def plain(slot: Slot) -> _DraftStep:
        unit_id, role = _unit_for(setting, slot.role)
        step = b.add(slot.name, unit_id, role, slot.kind)
        follow(step)
        main.append(step)
        if rng.random() < slot.decision:
            yes, no = rng.choice(DECISION_LABELS)
            decision_labels[step.key] = yes
            b.link(step.key, b.refusal_key, no)
        return step

    middle = steps - 3
    before, after = _chain_slots(setting, middle, with_council)
    free = middle - len(before) - len(after)
    for slot in before:
        plain(slot)
    appraisal = plain(APPRAISE)
    appraisal.documents = documents[: len(documents) // 2 + 1] if documents else ()
    free -= 1
    while free > 0:
        branch_lengths = [1, 1] + ([1] if rng.random() < 0.3 else [])
        branch_lengths = [n + (rng.random() < 0.15) for n in branch_lengths]
        size = sum(branch_lengths) + 2
        if size <= free and rng.random() < PARALLEL_RATE:
            split = plain(Slot("staff", "Gửi lấy ý kiến các cơ quan liên quan", "review"))
            split.split = Split.PARALLEL
            split_steps.add(split.key)
            ends = []
            for row, length in enumerate(branch_lengths, start=1):
                unit_id = setting.consulted[(row - 1) % len(setting.consulted)]
                unit_name = b.directory.units[unit_id].name
                source = split.key
                for part in range(length):
                    step = b.add(
                        f"{unit_name} cho ý kiến"
                        if part == 0
                        else f"{unit_name} gửi văn bản trả lời",
                        unit_id,
                        "head",
                        "consult" if part == 0 else "issue",
                        row=row,
                    )
                    b.link(source, step.key)
                    source = step.key
                ends.append(source)
            b.column += 1
            gather = b.add("Tổng hợp ý kiến, hoàn thiện hồ sơ", setting.office, "staff", "gather")
            gather.join = Join.ALL
            for source in ends:
                b.link(source, gather.key)
            previous = gather
            main.append(gather)
            free -= size
        else:
            plain(rng.choice(FREE_SLOTS))
            free -= 1
    for slot in after:
        plain(slot)
    result = b.add(
        "Số hoá và trả kết quả cho tổ chức, cá nhân",
        setting.reception,
        "reception",
        "result",
        StepKind.END,
        key=b.result_key,
    )
    result.officers = start.officers
    follow(result)
    refusal = b.add(
        "Trả lại hồ sơ / thông báo từ chối",
        setting.reception,
        "reception",
        "result",
        StepKind.END,
        row=2,
        key=b.refusal_key,
    )
    refusal.days, refusal.officers = 0.0, start.officers

    # The legal time: the critical path, rounded up to whole days by giving the appraisal
    # the rest; then some slack in some flows, and too little time in a few.
    order = {draft.key: draft for draft in b.drafts}
    best: dict[str, float] = {start.key: start.days * HOURS_PER_WORKING_DAY}
    for source, target, _ in sorted(b.transitions, key=lambda t: int(t[0][1:])):
        hours = best[source] + order[target].days * HOURS_PER_WORKING_DAY
        best[target] = max(best.get(target, 0.0), hours)
    critical_days = best[result.key] / HOURS_PER_WORKING_DAY
    legal_days = float(math.ceil(critical_days))
    appraisal.days += legal_days - critical_days
    planted: list[str] = []
    draw = rng.random()
    if draw >= EXACT_SHARE + OVER_BUDGET_SHARE:
        legal_days += rng.choice((0.5, 1.0, 2.0, 3.0))
    elif draw >= EXACT_SHARE and legal_days > 2 and faults:
        legal_days -= rng.choice((0.5, 1.0, 2.0))
        planted.append("over-budget")

    cyclic = rng.random() < CYCLE_SHARE and faults
    candidates = [s for s in main if s.key not in split_steps]
    if cyclic and len(candidates) >= 2:
        first, last = sorted(rng.sample(range(len(candidates)), 2))
        source, target = candidates[last], candidates[first]
        for transition in b.transitions:
            if transition[0] == source.key and not transition[2]:
                transition[2] = FORWARD_LABEL
        b.link(source.key, target.key, BACK_LABEL)
        planted.append("cycle")

    def duration(days: float, hours: bool) -> Duration:
        if hours:
            return Duration(days * HOURS_PER_WORKING_DAY, TimeUnit.WORKING_HOUR)
        return Duration(days, TimeUnit.WORKING_DAY)

    steps_out = tuple(
        StepEntry(
            key=d.key,
            name=d.name,
            kind=d.kind,
            unit=d.unit,
            duration=duration(d.days, d.in_hours),
            officers=d.officers,
            documents=d.documents,
            split=d.split,
            join=d.join,
        )
        for d in sorted(b.drafts, key=lambda d: int(d.key[1:]))
    )
    units = tuple(
        UnitEntry(key, unit.name, unit.level, unit.one_stop, b.unit_keys.get(unit.parent or ""))
        for unit_id, key in b.unit_keys.items()
        for unit in (b.directory.units[unit_id],)
    )
    code = f"1.{9000 + index:06d}" + (".H05" if setting.level == "province" else "")
    procedure = ProcedureEntry(
        code=code,
        name=procedure.name,
        level=procedure.level,
        field=procedure.field,
        legal_time=duration(legal_days, in_hours),
        result=procedure.result,
        legal_basis=procedure.legal_basis,
        fees=procedure.fees,
        dossier_components=procedure.dossier_components,
        case=procedure.case,
    )
    return FlowDocument(
        procedure=procedure,
        units=units,
        officers=tuple(b.officers),
        steps=steps_out,
        transitions=tuple(TransitionEntry(s, t, label) for s, t, label in b.transitions),
        layout=dict(b.positions),
        source={"generator": "benchmarks/validate_catalog.py", "index": index, "faults": planted},
    )


def draw_step_count(rng: random.Random) -> int:
    """How many steps a flow has: mostly 7–15, sometimes 5–6 or 16–39, rarely 40."""
    draw = rng.random()
    if draw < 0.08:
        return rng.randint(5, 6)
    if draw < 0.86:
        return round(rng.triangular(7, 15, 10))
    if draw < 0.99:
        return min(39, 16 + int(rng.expovariate(1 / 6)))
    return 40


def synthetic_catalogue(count: int, seed: int) -> list[FlowDocument]:
    """A province's catalogue of `count` flows, the same for the same `seed`.

    At least one flow has 40 steps, the largest size of the real catalogues.
    """
    rng = random.Random(seed)
    sizes = [draw_step_count(rng) for _ in range(count)]
    if sizes and 40 not in sizes:
        sizes[-1] = 40
    return [synthetic_flow(rng, steps, index) for index, steps in enumerate(sizes)]


def deliberate_faults(doc: FlowDocument) -> tuple[str, ...]:
    """The faults `synthetic_flow` put in `doc` on purpose (``cycle``, ``over-budget``)."""
    return tuple((doc.source or {}).get("faults", ()))


def expected_errors(doc: FlowDocument) -> set[str]:
    """The error codes a correct validator reports for a synthetic flow.

    A cycle takes its steps off the critical path, so a cyclic flow reports the cycle
    only, even when its legal time was also cut short.
    """
    faults = deliberate_faults(doc)
    if "cycle" in faults:
        return {"cycle"}
    if "over-budget" in faults:
        return {"time-budget-exceeded"}
    return set()


# --------------------------------------------------------------------------------------
# Measuring.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """The samples of one workload, in seconds, and its target (None: no target)."""

    workload: str
    samples: tuple[float, ...]
    target: float | None
    unit: str = "s"

    @property
    def median(self) -> float:
        """The median sample."""
        return statistics.median(self.samples)

    @property
    def within(self) -> bool | None:
        """Whether the median is within the target (None when there is no target)."""
        return None if self.target is None else self.median < self.target


def time_runs(action: Callable[[], object], runs: int) -> tuple[float, ...]:
    """Run `action` `runs` times and return how long each run took, in seconds."""
    samples = []
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return tuple(samples)


def time_each(action: Callable[[], object], runs: int, repeat: int) -> tuple[float, ...]:
    """Run `action` `runs` × `repeat` times and return how long each call took."""
    samples = []
    clock = time.perf_counter
    for _ in range(runs):
        gc.collect()
        for _ in range(repeat):
            began = clock()
            action()
            samples.append(clock() - began)
    return tuple(samples)


def plain_chain(doc: FlowDocument) -> FlowDocument:
    """The steps of `doc` in one chain: start first, end last, no split, join or decision.

    The legal time is the chain's total, so the chain validates without a finding.

    >>> chain = plain_chain(synthetic_flow(random.Random(1), 12, 0, faults=False))
    >>> len(chain.steps), len(chain.transitions), validate(chain).ok
    (12, 11, True)
    """
    last = len(doc.steps) - 1
    steps = tuple(
        replace(
            step,
            kind=StepKind.START if n == 0 else StepKind.END if n == last else StepKind.TASK,
            split=Split.EXCLUSIVE,
            join=Join.ANY,
        )
        for n, step in enumerate(doc.steps)
    )
    transitions = tuple(TransitionEntry(a.key, b.key, "") for a, b in pairwise(steps))
    hours = sum(step_hours(step) for step in steps)
    procedure = replace(doc.procedure, legal_time=Duration(hours, TimeUnit.WORKING_HOUR))
    return replace(doc, procedure=procedure, steps=steps, transitions=transitions)


def validate_all(docs: Sequence[FlowDocument]) -> list[Report]:
    """Validate every flow of `docs` once."""
    return [validate(doc) for doc in docs]


def baseline(docs: Sequence[FlowDocument]) -> None:
    """Build the graph and the critical path of every flow, with no rule."""
    for doc in docs:
        FlowGraph(doc).critical_path  # noqa: B018 - the computation is the point


# --------------------------------------------------------------------------------------
# Reporting.
# --------------------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def _shown(seconds: float, unit: str) -> str:
    return f"{seconds * 1000:.3f} ms" if unit == "ms" else f"{seconds:.3f} s"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{code} {n}" for code, n in counter.most_common()) or "none"


def describe_catalogue(docs: Sequence[FlowDocument], reports: Sequence[Report]) -> list[str]:
    """Lines saying what the catalogue holds and what one validation of it found."""
    sizes = sorted(len(doc.steps) for doc in docs)
    emails = {officer.email for doc in docs for officer in doc.officers}
    parallel = sum(any(s.split is Split.PARALLEL for s in doc.steps) for doc in docs)
    decisions = [
        sum(
            count > 1 and steps[key].split is Split.EXCLUSIVE
            for key, count in Counter(t.source for t in doc.transitions).items()
        )
        for doc in docs
        for steps in ({s.key: s for s in doc.steps},)
    ]
    hours = sum(doc.procedure.legal_time.unit is TimeUnit.WORKING_HOUR for doc in docs)
    faults = Counter(fault for doc in docs for fault in deliberate_faults(doc))
    errors: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    surprises = 0
    for doc, report in zip(docs, reports, strict=True):
        found = {f.code for f in report.by_severity(Severity.ERROR)}
        errors.update(found)
        warnings.update({f.code for f in report.by_severity(Severity.WARNING)})
        surprises += found != expected_errors(doc)
    pool = len(province_directory().officers)
    return [
        f"Catalogue: {len(docs):,} flows, {sum(sizes):,} steps, "
        f"{sum(len(d.transitions) for d in docs):,} transitions; steps per flow min {sizes[0]}, "
        f"median {statistics.median(sizes):g}, max {sizes[-1]} "
        f"(7–15 steps: {sum(7 <= n <= 15 for n in sizes):,} flows; 40: {sizes.count(40)})",
        f"  {statistics.median(decisions):g} decisions per flow (median), "
        f"{parallel} flows with a parallel consultation, {hours} timed in working hours; "
        f"officers: {len(emails)} of the province's pool of {pool}, "
        f"{statistics.median(len(d.officers) for d in docs):g} per flow (median)",
        f"  made faulty on purpose: {_counts(faults)}",
        f"Findings of one validation per flow: {sum(r.ok for r in reports):,} of {len(docs):,} ok",
        f"  flows with errors, by rule: {_counts(errors)}",
        f"  flows with warnings, by rule: {_counts(warnings)}",
        "  errors as designed: "
        + ("yes, in every flow" if not surprises else f"NO, {surprises} flows differ"),
    ]


def table(timings: Sequence[Timing]) -> list[str]:
    """The results as a text table: workload, median, min, max, target, within target."""
    rows = [("workload", "median", "min", "max", "target", "within target")]
    for t in timings:
        within = {True: "yes", False: "NO", None: "-"}[t.within]
        target = "-" if t.target is None else "< " + _shown(t.target, t.unit)
        rows.append(
            (
                t.workload,
                _shown(t.median, t.unit),
                _shown(min(t.samples), t.unit),
                _shown(max(t.samples), t.unit),
                target,
                within,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def profile(action: Callable[[], object], limit: int = 15) -> None:
    """Run `action` under cProfile and print the functions that take the most time."""
    profiler = cProfile.Profile()
    profiler.enable()
    action()
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(limit)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flows", type=int, default=1700, help="flows in the catalogue")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per workload")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic catalogue")
    parser.add_argument(
        "--repeat", type=int, default=200, help="validations of the 40-step flow per run"
    )
    parser.add_argument(
        "--large",
        default=",".join(str(n) for n in LARGE_SIZES),
        help="sizes of the large flows, comma-separated (empty: none)",
    )
    parser.add_argument("--check", action="store_true", help="exit with 1 if a target is missed")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of the catalogue workload"
    )
    args = parser.parse_args(argv)
    if args.flows < 1 or args.runs < 1 or args.repeat < 1:
        parser.error("--flows, --runs and --repeat must be at least 1")
    try:
        args.large = tuple(int(size) for size in args.large.split(",") if size.strip())
    except ValueError:
        parser.error("--large takes sizes separated by commas")
    if any(size < 5 for size in args.large):
        parser.error("--large sizes must be at least 5")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build the workloads, time them, print the report; return the exit code."""
    args = parse_args(argv)
    docs = synthetic_catalogue(args.flows, args.seed)
    flow_40 = synthetic_flow(random.Random(args.seed * 1000 + 40), 40, args.flows, faults=False)
    flow_2000 = synthetic_flow(
        random.Random(args.seed * 1000 + 2000), 2000, args.flows + 1, faults=False
    )

    # Warm-up: imports, caches of phones and emails, the interpreter's specialisations.
    reports = validate_all(docs)
    report_40, report_2000 = validate(flow_40), validate(flow_2000)
    baseline(docs)

    print(f"Benchmark of validators.validate — seed {args.seed}, {args.runs} runs per workload")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"networkx {nx.__version__}, email-validator {_version('email-validator')}; "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print()
    print("\n".join(describe_catalogue(docs, reports)))
    for name, doc, report in (
        ("40-step", flow_40, report_40),
        ("2,000-step", flow_2000, report_2000),
    ):
        print(
            f"One {name} flow: {len(doc.transitions):,} transitions, "
            f"{sum(s.split is Split.PARALLEL for s in doc.steps)} parallel splits, "
            f"{len(doc.officers)} officers; ok {report.ok}, findings: "
            f"{_counts(Counter(f.code for f in report.findings))}"
        )
    print()

    timings = [
        Timing(
            f"catalogue ({len(docs):,} flows)",
            time_runs(lambda: validate_all(docs), args.runs),
            CATALOGUE_TARGET_S,
        ),
        Timing(
            f"one 40-step flow ({args.runs} × {args.repeat}, each)",
            time_each(lambda: validate(flow_40), args.runs, args.repeat),
            FLOW_40_TARGET_S,
            unit="ms",
        ),
        Timing(
            "one 2,000-step flow",
            time_runs(lambda: validate(flow_2000), args.runs),
            FLOW_2000_TARGET_S,
        ),
        Timing(
            f"baseline: FlowGraph + critical path ({len(docs):,} flows)",
            time_runs(lambda: baseline(docs), args.runs),
            None,
        ),
    ]
    large = []
    for size in args.large:
        flow = synthetic_flow(random.Random(args.seed * 1000 + size), size, 0, faults=False)
        chain = plain_chain(flow)
        flow_ok, chain_ok = validate(flow).ok, validate(chain).ok  # also the warm-up
        splits = sum(s.split is Split.PARALLEL for s in flow.steps)
        print(
            f"One {size:,}-step flow: {len(flow.transitions):,} transitions, {splits:,} "
            f"parallel splits; ok {flow_ok}; its plain chain ok {chain_ok}"
        )
        pair = (
            Timing(
                f"one {size:,}-step flow, parallel",
                time_runs(partial(validate, flow), args.runs),
                None,
            ),
            Timing(
                f"one {size:,}-step plain chain",
                time_runs(partial(validate, chain), args.runs),
                None,
            ),
        )
        timings.extend(pair)
        large.append(pair)
    if large:
        print()
    print("\n".join(table(timings)))
    catalogue, base = timings[0], timings[3]
    print(f"\nratio catalogue / baseline (medians): {catalogue.median / base.median:.2f}")
    missed_ratios = []
    for parallel, chain_timing in large:
        ratio = parallel.median / chain_timing.median
        within = ratio <= LARGE_RATIO_TARGET
        print(
            f"ratio {parallel.workload} / plain chain (medians): {ratio:.2f} "
            f"(target ≤ {LARGE_RATIO_TARGET:g}: {'yes' if within else 'NO'})"
        )
        if not within:
            missed_ratios.append(parallel.workload + " / plain chain")

    if args.profile:
        print("\ncProfile of one validation of the catalogue:")
        profile(lambda: validate_all(docs))
    missed = [t.workload for t in timings if t.within is False] + missed_ratios
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
