"""Between the database and the flow document: read a version out, bring a document in."""

from .importing import create_draft_from_document, write_content
from .reading import KeyedDocument, document_from_version, documents_from_versions, keyed_document
from .references import reference_errors

__all__ = [
    "KeyedDocument",
    "create_draft_from_document",
    "document_from_version",
    "documents_from_versions",
    "keyed_document",
    "reference_errors",
    "write_content",
]
