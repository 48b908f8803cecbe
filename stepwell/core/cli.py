"""The `stepwell` command: manage.py with the project's own verbs.

`stepwell seed-demo` runs the management command `seed_demo`; any Django command works
too (`stepwell migrate`, `stepwell runserver`). The settings module defaults to
production settings; set DJANGO_SETTINGS_MODULE=stepwell.settings.demo for a laptop.

The engines' verbs (`score`, `change`, `placement`, `schedule solve`) run without Django:
they need no settings, secret key or database. No input ends in a traceback: bad input is
an error on stderr naming the argument or field (exit code 2), a settings problem is one
sentence (exit code 1), and anything unexpected is one sentence too (exit code 1; set
STEPWELL_TRACEBACK=1 or pass --traceback to see the traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

EXIT_FAILED = 1


def _engine_verb(argv: list[str]) -> Callable[[list[str]], int] | None:
    """The pure function behind an engine verb, or None for a Django command."""
    verb = argv[1] if len(argv) > 1 else ""
    if verb in ("score", "change"):
        from stepwell.measures import commandline as measures

        return measures.score_main if verb == "score" else measures.change_main
    if verb == "placement":
        from stepwell.placement.commandline import main as placement_main

        return placement_main
    if verb == "schedule" and len(argv) > 2 and argv[2] == "solve":
        from stepwell.schedule.optimizer.commandline import run_solve

        return run_solve
    return None


def _run_django(argv: list[str]) -> None:
    from pathlib import Path

    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.production")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from stepwell.core.frames import in_roomy_frame

    try:
        # In a roomy frame, so that a long command (seed-demo, the job worker) does not map
        # and unmap chunks of frames over and over (core/frames.py).
        in_roomy_frame(execute_from_command_line, argv)
    except ImproperlyConfigured as error:
        if _wants_traceback(argv):
            raise
        module = os.environ.get("DJANGO_SETTINGS_MODULE")
        sys.stderr.write(f"stepwell: the settings ({module}) refuse to start: {error}\n")
        raise SystemExit(EXIT_FAILED) from None


def _wants_traceback(argv: list[str]) -> bool:
    return "--traceback" in argv or os.environ.get("STEPWELL_TRACEBACK", "") not in ("", "0")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    try:
        engine = _engine_verb(argv)
        if engine is None:
            _run_django(argv)
            return
        code = engine(argv[2:])
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:
        if _wants_traceback(argv):
            raise
        from stepwell.core.command_line import printable, shown

        verb = shown(" ".join(argv[1:3]))
        sys.stderr.write(
            f"stepwell {verb}: stopped by an unexpected error "
            f"({type(error).__name__}: {printable(error)[:300]}); "
            "set STEPWELL_TRACEBACK=1 to see where it happened.\n"
        )
        raise SystemExit(EXIT_FAILED) from None
    if code:
        raise SystemExit(code)
