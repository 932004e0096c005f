"""The domain of `sodo`: models, the flow document, and the services that change data.

Nothing here imports Flask, so the CLI, workers and tests use it without a web server.
Importing the package loads nothing else: the flow document, the enums and the graph
are used by the validators and the exporters without the ORM. The flush listeners that
keep cached checks true and frozen versions frozen are registered where engines and
sessions are made (`workflow_model.db`).
"""
