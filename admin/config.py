"""Configuration of the web app, from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from delivery.transports import TargetLimits
    from workflow_model.supervision import Thresholds
    from workflow_model.target_secrets import SecretBox


class ConfigurationError(RuntimeError):
    """The environment does not let the app start safely."""


def instance_dir(environ: dict[str, str] | None = None) -> Path:
    """Return the folder for local state (SQLite file, secret): `SODO_INSTANCE` or ./instance."""
    env = os.environ if environ is None else environ
    return Path(env.get("SODO_INSTANCE") or "instance").resolve()


def _development_secret(folder: Path) -> str:
    from workflow_model.db import private_folder

    path = folder / "secret_key"
    if not path.exists():
        private_folder(folder)
        # Created private from the start, so the key is never readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(
    environ: dict[str, str] | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Flask configuration from `SECRET_KEY`, `DATABASE_URL` and `SODO_ENV`.

    `overrides` (e.g. from a test) win over the environment. In production
    (``SODO_ENV=production``) `SECRET_KEY` is required; in development a key is
    generated once into the instance folder. The delivery settings are read too:
    ``SODO_DELIVERY_ALLOW`` (non-public hosts, addresses and CIDRs targets may point
    at), ``SODO_DELIVERY_ROOT`` (the folder directory targets must lie in) and
    ``SODO_OLD_SECRET_KEYS`` (previous `SECRET_KEY` values, comma-separated, that still
    open targets' secrets until ``sodo targets reencrypt`` has run). The dossier lookup's
    rate limit is ``SODO_LOOKUP_LIMIT`` (per client address, ``10 per minute`` by default)
    and its counters' storage ``SODO_RATELIMIT_STORAGE_URI`` (``memory://`` by default).
    The supervision's flags of configured against actual times read ``SODO_LATE_RATE``
    (0.30), ``SODO_SLACK_SHARE`` (0.25) and ``SODO_SLACK_MIN_DOSSIERS`` (30), checked
    here (`supervision_thresholds`), so a wrong value stops the start with its reason.
    """
    # Imported here, not at the top: the console script imports this module at start, and
    # the database layer (SQLAlchemy) is wanted only once an app is made.
    from workflow_model.db import database_url

    env = dict(os.environ if environ is None else environ)
    env.update({k: str(v) for k, v in (overrides or {}).items() if isinstance(v, str)})
    mode = env.get("SODO_ENV", "development")
    folder = instance_dir(env)
    secret = env.get("SECRET_KEY")
    if not secret:
        if mode == "production":
            raise ConfigurationError("SECRET_KEY must be set when SODO_ENV=production")
        secret = _development_secret(folder)
    config = {
        "SODO_ENV": mode,
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url(env),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": mode == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "WTF_CSRF_TIME_LIMIT": None,
        "SODO_INSTANCE": str(folder),
        "SODO_DELIVERY_ALLOW": env.get("SODO_DELIVERY_ALLOW", ""),
        "SODO_DELIVERY_ROOT": env.get("SODO_DELIVERY_ROOT", ""),
        "SODO_OLD_SECRET_KEYS": env.get("SODO_OLD_SECRET_KEYS", ""),
        # Empty: the portal's defaults (`portal.lookup`), 10 per minute, in memory.
        "SODO_LOOKUP_LIMIT": env.get("SODO_LOOKUP_LIMIT", ""),
        "RATELIMIT_STORAGE_URI": env.get("SODO_RATELIMIT_STORAGE_URI", ""),
        # Empty: the defaults of `workflow_model.supervision.Thresholds`.
        **{name: env.get(name, "") for name in THRESHOLD_SETTINGS},
    } | dict(overrides or {})
    supervision_thresholds(config)
    return config


THRESHOLD_SETTINGS = {
    "SODO_LATE_RATE": ("late_rate", float, "a share from 0 to 1, such as 0.3 for 30 %"),
    "SODO_SLACK_SHARE": ("slack_share", float, "a share from 0 to 1, such as 0.25"),
    "SODO_SLACK_MIN_DOSSIERS": ("slack_min_dossiers", int, "a whole number of dossiers, ≥ 1"),
}
"""The settings of the supervision's flags: the `Thresholds` field, its type, what it takes."""


def supervision_thresholds(config: dict[str, Any]) -> Thresholds:
    """The thresholds of the configured-against-actual flags, from the settings.

    An empty or missing setting keeps the default. Raises `ConfigurationError` naming the
    setting and what it takes, for a value that is not one.
    """
    from workflow_model.supervision import Thresholds, ThresholdsError

    given: dict[str, Any] = {}
    for name, (field, kind, takes) in THRESHOLD_SETTINGS.items():
        value = config.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            number = kind(value.strip()) if isinstance(value, str) else value
            given[field] = number
            Thresholds(**{field: number})
        except (TypeError, ValueError, ThresholdsError):
            raise ConfigurationError(f"{name} must be {takes}, not {value!r}") from None
    return Thresholds(**given)


def delivery_limits(config: dict[str, Any]) -> TargetLimits:
    """Where delivery targets may point, from ``SODO_DELIVERY_ALLOW`` and ``…_ROOT``."""
    from delivery.transports import TargetLimits

    return TargetLimits.parse(
        config.get("SODO_DELIVERY_ALLOW") or "", config.get("SODO_DELIVERY_ROOT") or ""
    )


def old_secret_keys(config: dict[str, Any]) -> list[str]:
    """The previous `SECRET_KEY` values of ``SODO_OLD_SECRET_KEYS`` (a list, or comma-separated)."""
    value = config.get("SODO_OLD_SECRET_KEYS") or ""
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


def secret_box(config: dict[str, Any]) -> SecretBox:
    """What seals and opens delivery targets' secrets: `SECRET_KEY`, then the old keys."""
    from workflow_model.target_secrets import SecretBox

    return SecretBox.from_keys(config["SECRET_KEY"], old_secret_keys(config))
