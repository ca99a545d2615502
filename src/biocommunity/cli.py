"""The ``biocommunity`` command: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biocommunity.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["biocommunity", *argv])
    args[0] = "biocommunity"
    # Commands are documented with hyphens (load-dataset); Django names them with underscores.
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
