"""Dossier tracking: events from the processing software, and each dossier's progress.

- `progress`: `derive`, the pure state function (pinned document, events, calendar →
  `DossierProgress`), `progress_at`, `judge`, and the frozen `EventFact` and `StepRun`.
- `items`: `parse_item`, one event's fields checked, without a database.
- `ingest`: `ingest_events`, the one way events get in, with an `ItemResult` per item.
- `state`: the derived state stored per dossier (`refresh_states`, `rebuild_states`) and
  read back (`find_dossier`, `lookup_dossier` → `TrackedDossier`).
- `checks`: `CheckKeys`, the keyed hash of a receipt's check value.
- `listing`: `list_dossiers`, the staff's dossier list (`DossierFilter` → `DossierPage`).
- `records`: `dossier_record` (a dossier's state, event log and names, for the staff)
  and `control_slip`, the phiếu kiểm soát as a `ControlSlip` of `Handover`s.
- `overlay`: `step_states`, a `StepState` for every step of the pinned diagram.
- `wording`: the words for statuses, verdicts, events and step states, in vi and en.
- `demo_dossiers`: the demo's dossiers, generated from the flows and ingested
  (`load_demo_dossiers`); imported on its own, by the demo only.

The models (`Dossier`, `DossierEvent`, `DossierStepRun`) are in `workflow_model.models`.
"""

from .checks import CheckKeys
from .ingest import MAX_CLOCK_SKEW, ItemOutcome, ItemResult, ingest_events
from .items import EventItem, parse_item
from .listing import DossierFilter, DossierPage, DossierRow, FilterError, list_dossiers
from .overlay import StepState, step_states
from .progress import DossierProgress, EventFact, StepRun, derive, judge, progress_at
from .records import ControlSlip, DossierRecord, Handover, Party, control_slip, dossier_record
from .state import (
    TrackedDossier,
    find_dossier,
    lookup_dossier,
    rebuild_states,
    refresh_states,
    tracked_dossier,
)

__all__ = [
    "MAX_CLOCK_SKEW",
    "CheckKeys",
    "ControlSlip",
    "DossierFilter",
    "DossierPage",
    "DossierProgress",
    "DossierRecord",
    "DossierRow",
    "EventFact",
    "EventItem",
    "FilterError",
    "Handover",
    "ItemOutcome",
    "ItemResult",
    "Party",
    "StepRun",
    "StepState",
    "TrackedDossier",
    "control_slip",
    "derive",
    "dossier_record",
    "find_dossier",
    "ingest_events",
    "judge",
    "list_dossiers",
    "lookup_dossier",
    "parse_item",
    "progress_at",
    "rebuild_states",
    "refresh_states",
    "step_states",
    "tracked_dossier",
]
