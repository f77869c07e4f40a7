"""``python -m sync``: the same as the ``leadloop`` command."""

from sync.cli.main import main

if __name__ == "__main__":  # a spawned worker process imports this module too
    main()
