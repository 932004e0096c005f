"""Downloads for IT staff: one version, or every version in force, in each export format.

The pages only pick what to export and serve the bytes; `delivery.exporting` reads the
versions and `exporters` makes the files, exactly as `sodo export` does.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from delivery.exporting import (
    cases_without_version,
    export_item,
    export_version,
    options,
    versions_in_force,
)
from exporters import FORMATS, ExportRefused, export, file_names
from workflow_model.lifecycle import CorruptSnapshot, snapshot_problem
from workflow_model.models import FlowVersion, Role

from ..database import db_session
from ..vocabulary import refusal_message
from .base import has_any_role

EXPORT_ROLES = frozenset({Role.EXPORTER, Role.SUPERUSER})
# Administrators may download too: a preview of their draft (JSON or BPMN) included.
DOWNLOAD_ROLES = EXPORT_ROLES | {Role.ADMIN}
FORMAT_LABELS = {
    "json": _l("JSON (sodo.flow/1)"),
    "bpmn": _l("BPMN 2.0"),
    "xlsx": _l("Excel workbook"),
    "opencps": _l("OpenCPS import (zip)"),
}
REFUSALS = {
    "not-approved": _l(
        "Only approved versions can be exported; a draft only as a JSON or BPMN preview."
    ),
    "empty": _l("There is no approved version in force to export."),
    "no-transition": _l("OpenCPS needs at least one transition between the steps."),
}


def _label(version: FlowVersion) -> str:
    case = version.case
    return (
        f"{case.procedure.code}/{case.key} v{version.number}"
        if case.key
        else (f"{case.procedure.code} v{version.number}")
    )


def attachment(content: bytes, name: str, media_type: str) -> Response:
    """Serve `content` as a download called `name`."""
    response = Response(content, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


class ExportView(BaseView):
    """The export page (IT staff) and the download of one version in a format."""

    def is_accessible(self) -> bool:
        """Exporters, superusers and administrators (the latter for their drafts' previews)."""
        return has_any_role(DOWNLOAD_ROLES)

    def is_visible(self) -> bool:
        """In the menu for the export roles."""
        return has_any_role(EXPORT_ROLES)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        """Anonymous: to the login form; logged in without the role: 403."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The formats, each downloadable for the whole catalogue, and what would be skipped."""
        if not has_any_role(EXPORT_ROLES):
            abort(403)
        session = db_session()
        versions = list(versions_in_force(session))
        return self.render(
            "sodo/export.html",
            formats=FORMATS,
            labels=FORMAT_LABELS,
            count=len(versions),
            skipped=cases_without_version(session),
            corrupt=[_label(v) for v in versions if snapshot_problem(v) is not None],
        )

    @expose("/catalogue/<format_name>")
    def catalogue(self, format_name: str) -> ResponseReturnValue:
        """Every version in force in one file: a workbook or OpenCPS zip, else a zip of files."""
        if not has_any_role(EXPORT_ROLES):
            abort(403)
        fmt = FORMATS.get(format_name) or abort(404)
        session = db_session()
        chosen = options(session)
        items, refused = [], []
        for version in versions_in_force(session):
            try:
                items.append(export_item(session, version))
            except CorruptSnapshot as error:
                # That version alone is left out (and logged); the catalogue still exports.
                refused.append(refusal_message(error))
        for message in refused:
            flash(message, "error")
        if not items:
            flash(str(REFUSALS["empty"]), "warning")
            return redirect(url_for(".index"))
        if fmt.many:
            content = export(fmt.name, items, chosen)
            return attachment(content, f"sodo-catalogue.{fmt.extension}", fmt.media_type)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            # Codes that read alike ("COL/1", "COL 1") get names that do not clash.
            for item, name in zip(items, file_names(items, fmt), strict=True):
                archive.writestr(name, export(fmt.name, [item], chosen))
        return attachment(buffer.getvalue(), f"sodo-catalogue-{fmt.name}.zip", "application/zip")

    @expose("/version/<int:version_id>/<format_name>")
    def version(self, version_id: int, format_name: str) -> ResponseReturnValue:
        """One version in one format; a draft only as a JSON or BPMN preview, marked so."""
        session = db_session()
        version = session.get(FlowVersion, version_id) or abort(404)
        if format_name not in FORMATS:
            abort(404)
        try:
            exported = export_version(session, version, format_name, allow_draft=True)
        except ExportRefused as error:
            flash(str(REFUSALS.get(error.code, str(error))), "error")
            return redirect(url_for("versions.procedure", procedure_id=version.case.procedure_id))
        except CorruptSnapshot as error:
            flash(refusal_message(error), "error")
            return redirect(url_for("versions.procedure", procedure_id=version.case.procedure_id))
        return attachment(exported.content, exported.name, exported.media_type)
