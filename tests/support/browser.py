"""A real headless Chromium for the browser tests, and small helpers for its pages."""

from __future__ import annotations

import time
from collections.abc import Iterator

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
