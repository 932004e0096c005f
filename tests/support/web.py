"""Talking to the live server over real HTTP with `requests`, as a person's browser would."""

from __future__ import annotations

import requests
from conftest import LiveServer

from support.html import csrf_token


def logged_in(server: LiveServer, username: str = "admin") -> requests.Session:
    """A `requests` session logged in through the login form as `username`."""
    browser = requests.Session()
    page = browser.get(f"{server.url}/login")
    response = browser.post(
        f"{server.url}/login",
        data={
            "username": username,
            "password": server.passwords[username],
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 200 and 'id="counts"' in response.text
    return browser
