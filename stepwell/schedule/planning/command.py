"""`stepwell schedule export`: a program week written in the optimizer's file format
(docs/schedule-instance.md), registered as a subcommand of the engine's command line.
"""

from __future__ import annotations

from stepwell.clinic.models import Program
from stepwell.core.errors import ApplicationError
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.calendar import services as calendar_services
from stepwell.schedule.planning.export import instance_patient_ids, schedule_instance_export


def _export_arguments(parser) -> None:
    parser.add_argument("--program", required=True, help="program id or exact name")
    parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W50")
    parser.add_argument("--out", help="where to write WEEK.json (default: standard output)")


def _export_command(arguments) -> int:
    import json
    import sys
    from pathlib import Path

    from stepwell.core.command_line import (
        EXIT_BAD_INPUT,
        CommandInputError,
        ascii_integer,
        emit,
        output_path,
        printable,
        shown,
        text_argument,
    )

    text = arguments.program.strip()
    number = ascii_integer(text)
    errors = []
    try:
        text_argument(text, "program")
    except CommandInputError as error:
        program = None
        errors.append({"field": error.field, "message": error.message})
    else:
        programs = (
            Program.objects.filter(pk=number) if number is not None else Program.objects.none()
        )
        program = programs.first() or Program.objects.filter(name=text).first()
        if program is None:
            errors.append(
                {"field": "program", "message": f"no program with id or name {shown(text)!r}"}
            )
    if arguments.out:
        try:
            output_path(arguments.out)
        except CommandInputError as error:
            errors.append({"field": error.field, "message": error.message})
    if program is not None and not errors:
        try:
            data = _export_week(program, arguments.week)
        except ApplicationError as error:
            errors.append({"field": "week", "message": error.message})
    if errors:
        return emit(EXIT_BAD_INPUT, {"status": "error", "errors": errors}, indent=2)
    output = json.dumps(data, indent=2) + "\n"
    if not arguments.out:
        sys.stdout.write(output)
        return 0
    try:
        Path(arguments.out).write_text(output, encoding="utf-8")
    except OSError as error:
        message = (
            f"cannot write {printable(arguments.out)}: {error.strerror or type(error).__name__}"
        )
        return emit(
            EXIT_BAD_INPUT, {"status": "error", "errors": [{"field": "out", "message": message}]}
        )
    return 0


def _export_week(program: Program, week: str) -> dict:
    """The command line prepares the week as a job and audits the export, naming each
    patient it writes out."""
    from stepwell.privacy.actors import system_actor

    job = system_actor("schedule-export")
    calendar_services.occurrences_generate(actor=job, program_id=program.pk, week=week)
    data = schedule_instance_export(program=program, week=week)
    audit_record(
        user=job,
        action=AuditAction.EXPORT,
        object_type="schedule_week",
        object_id=f"{program.pk}/{week.upper()}",
        detail={"patients": instance_patient_ids(data)},
    )
    return data


def export_subcommand():
    from stepwell.schedule.optimizer.commandline import Subcommand

    return Subcommand(
        "export",
        "write a program week from the calendar in the WEEK.json format",
        _export_arguments,
        _export_command,
    )
