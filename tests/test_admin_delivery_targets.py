"""The delivery target form refuses what the worker must not do, and says what it did.

Through Flask's test client with CSRF protection on, on SQLite and PostgreSQL, from the
demo catalogue. Each refusal shows an error on the form and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from support.admin_site import Site, field_errors, messages

from workflow_model.models import Delivery, DeliveryStatus, DeliveryTarget
from workflow_model.target_secrets import SecretBox

BOX = SecretBox.from_keys("t")  # the `site` app's SECRET_KEY
SECRET = "khóa-bí-mật-a41f"


def stored(site: Site, name: str) -> DeliveryTarget | None:
    with site.session() as s:
        return s.scalar(sa.select(DeliveryTarget).where(DeliveryTarget.name == name))


def add_target(site: Site, name: str, address: str, secret: str = "", **values: object) -> int:
    with site.session() as s:
        row = DeliveryTarget(name=name, address=address, format="json", **values)
        if secret:
            row.set_secret(secret, BOX)
        s.add(row)
        s.commit()
        return row.id


@pytest.mark.parametrize(
    ("kind", "address"),
    [
        ("http", "http://169.254.169.254/latest/meta-data/"),
        ("http", "http://127.0.0.1:8080/hook"),
        ("http", "http://localhost/hook"),
        ("http", "http://[::1]/hook"),
        ("camunda7", "http://10.0.0.7:8080/engine-rest"),
        ("camunda7", "http://192.168.1.20/engine-rest"),
    ],
)
def test_a_target_at_a_local_or_private_address_is_refused(
    site: Site, kind: str, address: str
) -> None:
    browser = site.browser("exporter")
    before = site.rows()
    response = browser.submit(
        "/deliverytarget/new/", {"name": "Nội bộ", "kind": kind, "address": address}
    )
    assert response.status_code == 200
    assert "SODO_DELIVERY_ALLOW" in field_errors(response)["address"]
    assert site.rows() == before  # no row written


def test_the_allow_list_lets_a_named_local_receiver_in(site: Site) -> None:
    site.app.config["SODO_DELIVERY_ALLOW"] = "127.0.0.1, camunda.noi-bo"
    browser = site.browser("exporter")
    response = browser.submit(
        "/deliverytarget/new/",
        {"name": "Cục bộ", "kind": "http", "address": "http://127.0.0.1:8080/hook"},
    )
    assert response.status_code == 302, messages(response)
    # Being allowed one address does not open the metadata service.
    refused = browser.submit(
        "/deliverytarget/new/",
        {"name": "Siêu dữ liệu", "kind": "http", "address": "http://169.254.169.254/"},
    )
    assert "address" in field_errors(refused) and stored(site, "Siêu dữ liệu") is None


def test_a_folder_target_must_lie_in_the_delivery_root(site: Site, tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside)
    browser = site.browser("exporter")
    before = site.rows()
    # No root configured: folder targets are off.
    response = browser.submit(
        "/deliverytarget/new/", {"name": "Thư mục", "kind": "directory", "address": str(root)}
    )
    assert "SODO_DELIVERY_ROOT" in field_errors(response)["address"]
    site.app.config["SODO_DELIVERY_ROOT"] = str(root)
    for folder in (str(outside), f"{root}/../outside", str(root / "link"), "/etc"):
        response = browser.submit(
            "/deliverytarget/new/", {"name": "Thư mục", "kind": "directory", "address": folder}
        )
        assert "SODO_DELIVERY_ROOT" in field_errors(response)["address"], folder
    assert site.rows() == before
    response = browser.submit(
        "/deliverytarget/new/",
        {"name": "Thư mục", "kind": "directory", "address": str(root / "motcua")},
    )
    assert response.status_code == 302, messages(response)


@pytest.mark.parametrize(
    "change",
    [
        {"address": "https://93.184.216.99/hook"},
        {"kind": "camunda7", "address": "https://93.184.216.34/engine-rest"},
    ],
)
def test_pointing_a_target_elsewhere_removes_its_secret_and_says_so(
    site: Site, change: dict[str, str]
) -> None:
    target = add_target(site, "Một cửa", "https://93.184.216.34/hook", SECRET)
    browser = site.browser("exporter")
    edit_url = f"/deliverytarget/edit/?id={target}"
    assert "URL" in browser.text(edit_url)  # the form says what a change of URL does
    response = browser.submit(edit_url, change, follow=True)
    assert response.status_code == 200
    assert "alert-warning" in response.get_data(as_text=True), messages(response)
    row = stored(site, "Một cửa")
    assert row is not None and not row.has_secret and row.secret == ""
    # Typed again with the new address, the secret is kept.
    response = browser.submit(
        edit_url, {"address": "https://93.184.216.100/hook", "new_secret": "mới"}
    )
    assert response.status_code == 302
    again = stored(site, "Một cửa")
    assert again is not None and again.read_secret(BOX) == "mới"


def test_the_secret_column_holds_ciphertext(site: Site) -> None:
    browser = site.browser("exporter")
    response = browser.submit(
        "/deliverytarget/new/",
        {
            "name": "Một cửa",
            "kind": "http",
            "address": "https://93.184.216.34/hook",
            "new_secret": SECRET,
        },
    )
    assert response.status_code == 302, messages(response)
    with site.engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT secret FROM delivery_targets")).scalar_one()
    assert raw.startswith("gAAAAA") and SECRET not in raw
    assert BOX.open(raw) == SECRET


def test_the_answer_is_shown_as_a_status_and_a_short_escaped_excerpt(site: Site) -> None:
    target = add_target(site, "Một cửa", "https://93.184.216.34/hook")
    with site.session() as s:
        version_id = s.scalar(sa.text("SELECT id FROM flow_versions WHERE status = 'approved'"))
        row = Delivery(
            version_id=version_id,
            target_id=target,
            format="json",
            idempotency_key="k:json",
            status=DeliveryStatus.FAILED,
            last_status_code=400,
            # As an older version stored it: 2 KB of the receiver's page.
            response_body="<img src=x onerror=alert(1)>" + "ồ" * 2000,
        )
        s.add(row)
        s.commit()
        delivery_id = row.id
    html = site.browser("exporter").text(f"/delivery/details/?id={delivery_id}")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "ồ" * 300 not in html and "400" in html
