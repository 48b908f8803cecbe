"""The `stepwell` command: manage.py with the project's own verbs.

`stepwell seed-demo` runs the management command `seed_demo`; any Django command works
too (`stepwell migrate`, `stepwell runserver`). The settings module defaults to
production settings; set DJANGO_SETTINGS_MODULE=stepwell.settings.demo for a laptop.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    from pathlib import Path

    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.production")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
