"""The public pages: each procedure and its process in force, for citizens, without login.

A Flask blueprint (`blueprint`, under ``/thu-tuc``) that the app factory registers. It
reads through `workflow_model.public` only, so it shows the versions in force and the
public contacts and nothing else, and draws diagrams with `exporters.svg`. It never
imports `admin`.
"""

from .views import blueprint

__all__ = ["blueprint"]
