"""The web layer of `sodo`: app factory, login, pages, the `sodo` command line."""

from .app import create_app

__all__ = ["create_app"]
