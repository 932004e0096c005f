"""Search on the admin lists without diacritics, and the unit picker."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import sqlalchemy as sa
from support.admin_site import (
    Site,
    messages,
    one_id,
)

from workflow_model.models import (
    Level,
    Unit,
)


def test_officer_search_ignores_diacritics_and_folds_d(site: Site) -> None:
    admin = site.browser("admin")
    page = admin.text("/officer/?search=nguyen+van+nam")
    assert "Nguyễn Văn Nam" in page
    assert "Trần Thị Hạnh" not in page and "Nguyễn Đức Mạnh" not in page
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "ubnd"))
    response = admin.submit(
        "/officer/new/",
        {
            "full_name": "Trịnh Văn Đức",
            "title": "Chuyên viên",
            "unit": unit,
            "phone": "0987 654 321",
            "email": "duc.tv@bacninh.gov.vn",
        },
    )
    assert response.status_code == 302, messages(response)
    for term in ("trinh+van+duc", "duc", "%C4%90%E1%BB%A8C", "Tr%E1%BB%8Bnh"):  # ĐỨC, Trịnh
        assert "Trịnh Văn Đức" in admin.text(f"/officer/?search={term}"), term
    page = admin.text("/officer/?search=duc")
    assert "Hoàng Minh Đức" in page and "Nguyễn Văn Nam" not in page


def test_procedure_search_by_folded_name_and_by_code(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        commune = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
    response = admin.submit(
        "/procedure/new/",
        {"code": "2.000635", "name": "Cấp bản sao trích lục hộ tịch", "level": commune},
    )
    assert response.status_code == 302, messages(response)
    page = admin.text("/procedure/?search=cap+ban+sao")
    assert "2.000635" in page and "1.009645.H05" not in page
    page = admin.text("/procedure/?search=chap+thuan")
    for code in ("1.009642.H05", "1.009644.H05", "1.009645.H05", "1.009646.H05"):
        assert code in page
    assert "2.000635" not in page and "1.004944" not in page
    page = admin.text("/procedure/?search=1.009642")
    assert "1.009642.H05" in page and "1.009645.H05" not in page
    assert "2.000635" in admin.text("/procedure/?search=2.000635")


def test_step_and_transition_search_with_the_text_as_written(site: Site) -> None:
    admin = site.browser("admin")
    page = admin.text("/step/?" + urlencode({"search": "Tiếp nhận"}))
    assert len(re.findall(r"<tr[ >]", page)) > 2 and "Tiếp nhận" in page
    page = admin.text("/transition/?" + urlencode({"search": "đầy đủ"}))
    assert len(re.findall(r"<tr[ >]", page)) > 2 and "đầy đủ" in page


def test_unit_picker_finds_units_without_diacritics(site: Site) -> None:
    response = site.browser("admin").get("/unit/ajax/lookup/?name=parent&query=so+tai+chinh")
    assert response.status_code == 200
    names = [name for _, name in response.get_json()]
    assert "Sở Tài chính tỉnh Bắc Ninh (stc)" in names
