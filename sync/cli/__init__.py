"""The ``leadloop`` command (click): one module per verb group, registered in :mod:`.main`.

``base`` holds what every verb shares (the root group, options, errors and exit codes).
"""

from sync.cli.main import cli, main

__all__ = ["cli", "main"]
