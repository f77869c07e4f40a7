"""``python -m sync``: the same as the ``leadloop`` command."""

from sync.cli.main import main

main()
