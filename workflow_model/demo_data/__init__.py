"""Real internal processes shipped as demo data (see flows/*.json and their `source`)."""

from __future__ import annotations

from importlib import resources

from ..document import FlowDocument, load_document


def demo_flow(name: str) -> FlowDocument:
    """One of the shipped demo flows, by file name, as a document.

    >>> doc = demo_flow("caobang-1_004944-1.json")
    >>> doc.procedure.code, len(doc.steps), len(doc.transitions)
    ('1.004944', 7, 6)
    """
    return load_document(resources.files(__name__).joinpath("flows", name).read_bytes())
