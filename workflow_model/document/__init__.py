"""The flow document `sodo.flow/1`: dataclasses, strict loader, canonical JSON and hash."""

from .canonical import canonical_number, document_hash, document_to_dict, dump_document
from .loader import DocumentError, load_document
from .types import (
    FORMAT,
    CaseEntry,
    DossierComponentEntry,
    Duration,
    Fee,
    FlowDocument,
    OfficerEntry,
    Position,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
)

__all__ = [
    "FORMAT",
    "CaseEntry",
    "DocumentError",
    "DossierComponentEntry",
    "Duration",
    "Fee",
    "FlowDocument",
    "OfficerEntry",
    "Position",
    "ProcedureEntry",
    "StepEntry",
    "TransitionEntry",
    "UnitEntry",
    "canonical_number",
    "document_hash",
    "document_to_dict",
    "dump_document",
    "load_document",
]
