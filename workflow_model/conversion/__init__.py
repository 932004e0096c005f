"""Between the database and the flow document: read a version out, bring a document in."""

from .importing import create_draft_from_document
from .reading import document_from_version, documents_from_versions
from .references import reference_errors

__all__ = [
    "create_draft_from_document",
    "document_from_version",
    "documents_from_versions",
    "reference_errors",
]
