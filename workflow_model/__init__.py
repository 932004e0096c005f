"""The domain of `sodo`: models, the flow document, and the services that change data.

Nothing here imports Flask, so the CLI, workers and tests use it without a web server.
"""

from . import (
    check_cache,  # noqa: F401 - keeps cached version checks true
    immutability,  # noqa: F401 - frozen versions stay frozen
)
