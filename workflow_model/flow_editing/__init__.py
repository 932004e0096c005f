"""Changes to a draft's content: the one write path for steps and transitions.

Every change of a version's steps and transitions goes through these services, whether
it comes from the graph editor, the step and transition forms, undo and redo, or an
import: each checks the acting user's role, the version's lock and status, and every
value it is given; refuses with a `ChangeRefused` code; journals every element it
touches before and after; and commits once. A refusal changes nothing.

- `gestures`: one function per gesture (`add_step`, `create_step`, `update_step`,
  `move_steps`, `connect`, `set_label`, `delete_elements`, `restore`).
- `checks`: what values and results must satisfy.
- `changes`: loading, remembering, journaling and committing a change; undo snapshots.
"""

from .changes import EditResult, Snapshot, snapshot, step_state, transition_state
from .checks import (
    MAX_COORDINATE,
    MAX_DURATION,
    parse_duration,
    split_transition_id,
    transition_id,
)
from .gestures import (
    add_step,
    connect,
    create_step,
    delete_elements,
    move_steps,
    new_step_values,
    restore,
    set_label,
    step_row,
    transition_row,
    update_step,
)

__all__ = [
    "MAX_COORDINATE",
    "MAX_DURATION",
    "EditResult",
    "Snapshot",
    "add_step",
    "connect",
    "create_step",
    "delete_elements",
    "move_steps",
    "new_step_values",
    "parse_duration",
    "restore",
    "set_label",
    "snapshot",
    "split_transition_id",
    "step_row",
    "step_state",
    "transition_id",
    "transition_row",
    "transition_state",
    "update_step",
]
