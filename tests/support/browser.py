"""A real headless Chromium for the browser tests, and small helpers for its pages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from conftest import missing_part


def record_problems(page, problems: list[str]) -> None:
    """Collect page errors and console errors (CSP violations among them) into `problems`."""
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console ({page.url}): {message.text}")
            if message.type == "error"
            else None
        ),
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, launched once per test module."""
    if not CHROMIUM.exists():
        missing_part("SODO_REQUIRE_BROWSER", f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_part("SODO_REQUIRE_BROWSER", "the playwright package is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def wait_until(page, expression: str, timeout: float = 15.0) -> object:
    """Poll `expression` in the page until it is truthy.

    Playwright's wait_for_function compiles its predicate with eval, which the page's CSP
    forbids (as it should); page.evaluate goes through the DevTools protocol instead.
    """
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(expression)):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {expression}"
        page.wait_for_timeout(100)
    return value


@dataclass
class Visit:
    """One user's page on the site: what went wrong in it, and the dialogs it accepted."""

    page: Any
    url: str
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def watch(self) -> None:
        """Record page and console errors, and accept (and keep) every dialog."""
        record_problems(self.page, self.problems)
        self.page.on("dialog", self.on_dialog)

    def on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def go(self, path: str) -> None:
        """Open a page of the site and check it answered without an HTTP error."""
        response = self.page.goto(f"{self.url}{path}")
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def click_and_wait(self, target: Any) -> None:
        """Click a button or link that loads another page, and wait for it."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        assert locator.count() == 1, (target, locator.count())
        with self.page.expect_navigation():
            locator.click()

    def alert(self, kind: str = "success") -> str:
        """The text of the page's alerts of one kind."""
        return " ".join(self.page.locator(f".alert-{kind}").all_inner_texts())

    def log_in(self, username: str, password: str) -> None:
        """Log in through the login form and wait for the home page."""
        self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.click_and_wait("button[type=submit].primary")
        self.page.wait_for_selector("#counts")

    def log_out(self) -> None:
        """Log out with the menu's button."""
        self.click_and_wait("form[action='/logout'] button[type=submit]")
        assert "/login" in self.page.url, self.page.url


SCREENS = {"laptop": (1366, 768), "phone": (375, 812)}
"""The screens the public pages are checked on: a laptop and a phone, in CSS px."""


@pytest.fixture
def screen_pages(browser: Any) -> Iterator[Callable[[str], tuple[Any, list[str]]]]:
    """Open a page in Vietnamese on one of `SCREENS`, recording its problems; closed after."""
    contexts: list[Any] = []

    def open_at(screen: str) -> tuple[Any, list[str]]:
        width, height = SCREENS[screen]
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        record_problems(page, problems)
        return page, problems

    yield open_at
    for context in contexts:
        context.close()
