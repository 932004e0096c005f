"""The rules, one module per concern; importing them registers them in rule-table order."""

from . import references, structure, time, contacts, one_stop  # noqa: F401, I001
