"""The control slip of a dossier: its handovers and verdicts, and the workbook of it."""

from __future__ import annotations

import dataclasses
import io

import openpyxl
import sqlalchemy as sa
from sqlalchemy.orm import Session
from support.dossiers import NOW, SCRIPT, five_dossiers

from exporters.control_slip import control_slip_xlsx, slip_filename
from workflow_model.models import Dossier, Verdict
from workflow_model.tracking import ControlSlip, Party, control_slip, dossier_record

DESK = Party("Trung tâm Phục vụ hành chính công", "Nguyễn Văn An")
REVIEW = Party("Phòng Quản lý văn hóa", "Trần Thị Bình")
LEADER = Party("Sở Văn hóa, Thể thao và Du lịch", "Lê Văn Cường")


def slip_of(session: Session, code: str) -> ControlSlip:
    dossier_id = session.execute(sa.select(Dossier.id).where(Dossier.code == code)).scalar_one()
    record = dossier_record(session, dossier_id, now=NOW)
    assert record is not None
    return control_slip(record)


def test_each_handover_names_both_sides_and_judges_the_step(session: Session) -> None:
    five_dossiers(session)
    slip = slip_of(session, "H-001")
    assert (slip.code, slip.procedure_code, slip.agency) == ("H-001", "1.000894", DESK.unit)
    rows = [(h.number, h.step_key, h.giving, h.receiving, h.verdict) for h in slip.handovers]
    assert rows == [
        (1, "s1", DESK, REVIEW, Verdict.ON_TIME),
        (2, "s2", REVIEW, LEADER, Verdict.EARLY),
        (3, "s3", LEADER, None, Verdict.LATE),
        (4, "", DESK, None, Verdict.EARLY),  # the result handed to the applicant
    ]
    assert [h.to_applicant for h in slip.handovers] == [False, False, False, True]
    assert slip.handovers[1].note == f"Đủ điều kiện {SCRIPT}"
    assert slip.handovers[0].allotted_hours == 4.0 and slip.handovers[1].allotted_hours == 16.0
    assert slip.verdict is Verdict.EARLY


def test_an_open_dossier_has_its_handovers_so_far(session: Session) -> None:
    five_dossiers(session)
    (first,) = slip_of(session, "H-002").handovers
    assert first.step_key == "s1" and first.verdict is Verdict.ON_TIME
    # The officer the software reported is kept as reported when the directory lacks it.
    assert first.receiving == Party("Phòng Quản lý văn hóa", SCRIPT)
    assert slip_of(session, "H-003").handovers == ()


def cells(data: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_holds_the_slip_in_vietnamese_and_english(session: Session) -> None:
    five_dossiers(session)
    slip = slip_of(session, "H-001")
    rows = cells(control_slip_xlsx(slip))
    assert rows[0][0] == DESK.unit.upper()
    assert rows[1][0] == "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
    assert "Mã hồ sơ: H-001" in [row[0] for row in rows]
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert rows[header][1:3] == ["Bên giao (cơ quan, người giao)", "Bên nhận (cơ quan, người nhận)"]
    table = rows[header + 1 : header + 5]
    assert [row[7] for row in table] == ["Đúng hạn", "Trước hạn", "Quá hạn", "Trước hạn"]
    assert table[0][1] == f"{DESK.unit}\n{DESK.officer}"
    assert table[0][2] == f"{REVIEW.unit}\n{REVIEW.officer}"
    assert table[0][4] == "09:00 02/03/2026"
    assert (table[0][5], table[1][5]) == ("4 giờ", "2 ngày")
    assert table[2][2] == "Chưa có bên nhận"
    assert (table[3][2], table[3][3]) == ("Tổ chức, cá nhân nộp hồ sơ", "Trả kết quả")
    assert table[1][8] == f"Đủ điều kiện {SCRIPT}"
    english = cells(control_slip_xlsx(slip, "en"))
    assert english[1][0] == "CONTROL SLIP OF THE DOSSIER'S HANDLING"
    header = next(i for i, row in enumerate(english) if row[0] == "No.")
    assert [row[7] for row in english[header + 1 : header + 5]] == [
        "On time", "Early", "Late", "Early"
    ]  # fmt: skip
    assert control_slip_xlsx(slip) == control_slip_xlsx(slip)  # the same bytes every time


def test_text_starting_like_a_formula_stays_text(session: Session) -> None:
    five_dossiers(session)
    slip = slip_of(session, "H-002")
    first = slip.handovers[0]
    risky = dataclasses.replace(
        slip,
        procedure_name='=HYPERLINK("x")',
        handovers=(dataclasses.replace(first, note="+1"),),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(control_slip_xlsx(risky))).active
    assert sheet is not None
    texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    formula = [c for c in texts if c.value.startswith(("=", "+"))]
    assert formula and all(c.data_type == "s" for c in formula)


def test_the_file_name_keeps_only_safe_characters() -> None:
    assert slip_filename("H-001") == "phieu-kiem-soat-H-001.xlsx"
    assert slip_filename('../a"b\r\nc') == "phieu-kiem-soat-a_b_c.xlsx"
    assert slip_filename("") == "phieu-kiem-soat-ho-so.xlsx"
