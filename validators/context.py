"""What every rule reads: the document, its graph, and lookups by key, computed once."""

from __future__ import annotations

from functools import cached_property

from workflow_model.document import FlowDocument, OfficerEntry, StepEntry, UnitEntry
from workflow_model.flowgraph import FlowGraph


class FlowContext:
    """One flow document prepared for the rules: graph, lookups and names for messages.

    Of entries sharing a key, the first counts (the `duplicate-key` rule reports the rest).
    """

    def __init__(self, doc: FlowDocument) -> None:
        self.doc = doc
        self.flow = FlowGraph(doc)
        self.steps: dict[str, StepEntry] = self.flow.steps
        self.units: dict[str, UnitEntry] = {}
        for unit in doc.units:
            self.units.setdefault(unit.key, unit)
        self.officers: dict[str, OfficerEntry] = {}
        for officer in doc.officers:
            self.officers.setdefault(officer.key, officer)
        self.documents = {c.key for c in doc.procedure.dossier_components}

    def step_name(self, key: str) -> str:
        """A step as messages name it: its name in quotes and its key."""
        step = self.steps.get(key)
        return f"“{step.name}” ({key})" if step is not None and step.name else f"({key})"

    def step_names(self, keys: tuple[str, ...] | list[str]) -> str:
        """Several steps as messages name them."""
        return ", ".join(self.step_name(key) for key in keys)

    def unit_name(self, key: str) -> str:
        """A unit as messages name it."""
        unit = self.units.get(key)
        return f"“{unit.name}” ({key})" if unit is not None and unit.name else f"({key})"

    def officer_name(self, key: str) -> str:
        """An officer as messages name them."""
        officer = self.officers.get(key)
        return f"{officer.name} ({key})" if officer is not None and officer.name else f"({key})"

    @cached_property
    def unit_ancestors(self) -> dict[str, frozenset[str]]:
        """For each unit, itself and every unit above it (safe on a cycle of parents)."""
        ancestors: dict[str, frozenset[str]] = {}
        for key in self.units:
            chain, current = {key}, self.units[key].parent
            while current is not None and current in self.units and current not in chain:
                chain.add(current)
                current = self.units[current].parent
            ancestors[key] = frozenset(chain)
        return ancestors

    def within(self, unit: str, container: str) -> bool:
        """True when `unit` is `container` or lies below it in the unit tree."""
        return container in self.unit_ancestors.get(unit, frozenset({unit}))
