"""Delivery: approved versions out of `sodo`, into the systems that run them.

`exporting` reads stored versions and hands them to the exporters (the CLI, the export
page and the worker share it), `transports` sends an export's bytes (HTTP, Camunda 7, a
folder) and says how it went, and `worker` drains the outbox of
`workflow_model.delivery`: claim, export, one attempt, record. It uses the domain and the
exporters, never the web layer; ``sodo deliver`` is the command that starts the worker.
"""
