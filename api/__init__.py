"""The API for machines, under ``/api/v1``: token authentication, JSON in and out.

A Flask blueprint (`blueprint`) that the app factory registers with `init_api`. Every
request carries a source system's bearer token (`workflow_model.api_tokens`); a token
with a signing secret must also sign the body (``X-Sodo-Signature``). It reads and
writes through `workflow_model` services only, and never imports `admin` or `portal`.
"""

from . import dossiers  # noqa: F401 - its routes join the blueprint
from .errors import error_response, is_api_path
from .views import blueprint, init_api

__all__ = ["blueprint", "error_response", "init_api", "is_api_path"]
