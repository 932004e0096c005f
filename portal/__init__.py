"""The public pages: each procedure and its process in force, for citizens, without login.

A Flask blueprint (`blueprint`, under ``/thu-tuc``, and the dossier lookup at
``/tra-cuu-ho-so``) that the app factory registers with `init_portal`. It reads through
`workflow_model.public` only, so it shows the versions in force and the public contacts
and nothing else, and draws diagrams with `exporters.svg`. It never imports `admin`.
"""

from flask import Flask

from workflow_model.tracking import CheckKeys

from .lookup import init_lookup  # importing it adds the lookup's route to the blueprint
from .views import blueprint

__all__ = ["blueprint", "init_portal"]


def init_portal(app: Flask, *, check_keys: CheckKeys) -> None:
    """Register the public pages on `app`; `check_keys` hash receipts' check values.

    The factory hands over the keys it derives from ``SECRET_KEY`` (the API gets the
    same), so the portal reads no secret itself.
    """
    app.register_blueprint(blueprint)
    init_lookup(app, check_keys=check_keys)
