"""The directory through the admin forms: levels, units, officers, calendar days.

Each form round trip goes to the database and the journal, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from support.admin_site import (
    Site,
    one_id,
    round_trip,
)

from workflow_model.models import (
    DayOverride,
    Level,
    Officer,
    Unit,
)


def test_level_round_trip(site: Site) -> None:
    round_trip(
        site,
        site.browser("admin"),
        "level",
        Level,
        "level",
        create={"key": "thon", "name": "Thôn, tổ dân phố", "position": 5},
        created={"key": "thon", "name": "Thôn, tổ dân phố", "position": 5},
        edit={"name": "Thôn – Tổ dân phố", "position": 6},
        edited={"key": "thon", "name": "Thôn – Tổ dân phố", "position": 6},
        shown=("/level/", "Thôn, tổ dân phố", "Thôn – Tổ dân phố"),
    )


def test_unit_round_trip(site: Site) -> None:
    with site.session() as s:
        commune = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
        parent = one_id(s, sa.select(Unit.id).where(Unit.code == "ubndxa"))
    round_trip(
        site,
        site.browser("admin"),
        "unit",
        Unit,
        "unit",
        create={
            "code": "vhxh-bn",
            "name": "Phòng Văn hóa – Xã hội",
            "level": commune,
            "parent": parent,
            "one_stop": None,
            "address": "Số 1 đường Lý Thái Tổ, phường Suối Hoa",
            "phone": "0222 3822 111",
            "email": "vhxh@bacninh.gov.vn",
        },
        created={
            "code": "vhxh-bn",
            "name": "Phòng Văn hóa – Xã hội",
            "level_id": commune,
            "parent_id": parent,
            "one_stop": False,
            "address": "Số 1 đường Lý Thái Tổ, phường Suối Hoa",
            "phone": "0222 3822 111",
            "email": "vhxh@bacninh.gov.vn",
            "active": True,
        },
        edit={"name": "Phòng Văn hóa – Thông tin", "one_stop": "y", "active": None},
        edited={
            "code": "vhxh-bn",
            "name": "Phòng Văn hóa – Thông tin",
            "parent_id": parent,
            "one_stop": True,
            "active": False,
        },
        shown=("/unit/?search=vhxh-bn", "Phòng Văn hóa – Xã hội", "Phòng Văn hóa – Thông tin"),
    )


def test_officer_round_trip(site: Site) -> None:
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "stc"))
        other = one_id(s, sa.select(Unit.id).where(Unit.code == "stc-vt"))
    round_trip(
        site,
        site.browser("admin"),
        "officer",
        Officer,
        "officer",
        create={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "title": "Chuyên viên",
            "unit": unit,
            "phone": "0912 345 679",
            "email": "nhung.nth@bacninh.gov.vn",
        },
        created={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "title": "Chuyên viên",
            "unit_id": unit,
            "phone": "0912 345 679",
            "email": "nhung.nth@bacninh.gov.vn",
            "active": True,
        },
        edit={"title": "Phó Trưởng phòng", "unit": other, "phone": "+84 222 3810 333"},
        edited={"title": "Phó Trưởng phòng", "unit_id": other, "phone": "+84 222 3810 333"},
        shown=(
            "/officer/?search=nguyen+thi+hong+nhung",
            "Nguyễn Thị Hồng Nhung",
            "Phó Trưởng phòng",
        ),
    )


def test_calendar_round_trip(site: Site) -> None:
    round_trip(
        site,
        site.browser("admin"),
        "calendar",
        DayOverride,
        "day_override",
        create={"day": "2026-09-05", "working": "y", "description": "Làm bù cho ngày 1/9"},
        created={"day": dt.date(2026, 9, 5), "working": True, "description": "Làm bù cho ngày 1/9"},
        edit={"working": None, "description": "Nghỉ bù Quốc khánh"},
        edited={"day": dt.date(2026, 9, 5), "working": False, "description": "Nghỉ bù Quốc khánh"},
        shown=("/calendar/", "Làm bù cho ngày 1/9", "Nghỉ bù Quốc khánh"),
    )
