"""No page sends the browser to another site, whatever `next` or the Referer says.

`/language` followed a Referer of ``http://host//evil.example/x`` to ``//evil.example/x``,
and ``next=/\\t/evil.example`` on a version action or a delivery retry led off-site (a
browser drops the tab). Every such target now goes through one check
(`admin.redirects.local_path`), shared with the login form. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from support.admin_site import Site
from support.html import csrf_token

from admin.redirects import local_path
from workflow_model.models import (
    Delivery,
    DeliveryStatus,
    DeliveryTarget,
    FlowVersion,
    TargetKind,
    VersionStatus,
)

OFF_SITE = [
    "//evil.example/x",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/%0a/x\x00",
]


def stays_here(location: str) -> bool:
    """Whether a Location header leads to a path of this site (the test client's host)."""
    parts = urlsplit(location)
    return (
        parts.netloc in ("", "localhost")
        and location.startswith(("/", "http://localhost/"))
        and "evil" not in location
        and not any(ord(c) < 32 or c == "\\" for c in location)
    )


@pytest.mark.parametrize("target", OFF_SITE)
def test_local_path_refuses_other_sites(target: str) -> None:
    assert local_path(target) is None


def test_local_path_keeps_paths_of_this_site() -> None:
    assert (
        local_path("/versions/procedure/3?tab=journal#x") == "/versions/procedure/3?tab=journal#x"
    )
    assert local_path("/") == "/"


def test_the_language_switch_ignores_a_referer_that_leads_elsewhere(site: Site) -> None:
    browser = site.browser("admin")
    token = browser.token()
    for referer in ("http://localhost//evil.example/x", "http://localhost/\\evil.example"):
        response = browser.client.post(
            "/language", data={"lang": "en", "csrf_token": token}, headers={"Referer": referer}
        )
        assert response.status_code == 302
        assert stays_here(response.headers["Location"]), response.headers["Location"]
    # A page of this site is where the switch goes back to.
    response = browser.client.post(
        "/language",
        data={"lang": "vi", "csrf_token": token},
        headers={"Referer": "http://localhost/level/?page=1"},
    )
    assert response.headers["Location"] == "/level/?page=1"


@pytest.mark.parametrize("target", ["//evil.example/x", "/\t/evil.example"])
def test_the_login_form_ignores_a_next_that_leads_elsewhere(site: Site, target: str) -> None:
    browser = site.browser()
    page = browser.text("/login")
    response = browser.client.post(
        "/login",
        query_string={"next": target},
        data={
            "username": "admin",
            "password": site.passwords["admin"],
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    assert stays_here(response.headers["Location"]), response.headers["Location"]


def test_a_version_action_ignores_a_next_that_leads_elsewhere(site: Site) -> None:
    with site.session() as s:
        draft = s.scalars(
            sa.select(FlowVersion)
            .where(FlowVersion.status == VersionStatus.DRAFT)
            .order_by(FlowVersion.id)
        ).first()
        assert draft is not None
    admin = site.browser("admin")
    rows = site.rows()
    for target in OFF_SITE:
        # A stale lock: the action is refused, and the page comes back here.
        response = admin.post(
            f"/versions/{draft.id}/submit", {"lock": draft.lock_counter + 7, "next": target}
        )
        assert response.status_code == 302
        assert stays_here(response.headers["Location"]), (target, response.headers["Location"])
    assert site.rows() == rows


def test_a_delivery_retry_ignores_a_next_that_leads_elsewhere(site: Site) -> None:
    with site.session() as s:
        version = s.scalars(
            sa.select(FlowVersion).where(FlowVersion.status == VersionStatus.APPROVED)
        ).first()
        assert version is not None
        target = DeliveryTarget(
            name="Một cửa",
            kind=TargetKind.HTTP,
            format="json",
            address="https://motcua.example.vn/hook",
            enabled=True,
            secret="",
        )
        s.add(target)
        s.flush()
        delivery = Delivery(
            version_id=version.id,
            target_id=target.id,
            format="json",
            idempotency_key=f"{version.snapshot_sha256}:json",
            status=DeliveryStatus.FAILED,
            attempts=3,
        )
        s.add(delivery)
        s.commit()
        delivery_id = delivery.id
    exporter = site.browser("exporter")
    for target_url in OFF_SITE:
        response = exporter.post(f"/delivery/retry/{delivery_id}", {"next": target_url})
        assert response.status_code == 302
        assert stays_here(response.headers["Location"]), response.headers["Location"]
