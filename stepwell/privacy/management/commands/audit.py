"""`stepwell audit`: verify the trail, write and export checkpoints, rotate the key."""

from __future__ import annotations

import getpass
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stepwell.daily.registry import DAILY_FLAG_GONE
from stepwell.privacy import chain
from stepwell.privacy.actors import system_actor
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.checkpoints import (
    CheckpointFileError,
    CheckpointRefused,
    audit_checkpoint_create,
    audit_key_rotate,
    checkpoint_export,
    checkpoint_load,
)
from stepwell.privacy.verify import (
    ChainReport,
    audit_chain_verify,
    audit_named_rows_verify,
    audit_review_links_repair,
    audit_review_links_verify,
)


def _operator(verb: str):
    """The operator at the server, named in the audit trail by their system account."""
    return system_actor(f"stepwell audit {verb} by {getpass.getuser()}")


class Command(BaseCommand):
    help = "Audit trail tools: verify, relink, checkpoint, rotate-key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser("verify", help="Find changed, inserted or deleted audit events.")
        verify.add_argument(
            "--against",
            metavar="FILE",
            help="Also check the chain against a checkpoint exported earlier.",
        )
        sub.add_parser(
            "relink",
            help="Add the program links (what each director reviews) that events lack.",
        )
        checkpoint = sub.add_parser(
            "checkpoint", help="Verify the trail and sign a checkpoint of where it stands."
        )
        checkpoint.add_argument(
            "--export", metavar="FILE", help="Write the checkpoint to FILE to keep off the machine."
        )
        checkpoint.add_argument("--daily", action="store_true", help="Gone: use `stepwell daily`.")
        rotate = sub.add_parser(
            "rotate-key", help="Sign a checkpoint under the current and a new audit key."
        )
        rotate.add_argument(
            "--new-key-file",
            metavar="FILE",
            required=True,
            help="File holding the new key (at least 32 characters).",
        )
        rotate.add_argument(
            "--generate",
            action="store_true",
            help="Write a new random key to --new-key-file first (refuses to overwrite).",
        )
        rotate.add_argument(
            "--export", metavar="FILE", help="Write the rotation checkpoint to FILE."
        )

    def handle(self, *args, verb: str, **options):
        if verb == "verify":
            return self._verify(options.get("against"))
        if verb == "relink":
            return self._relink()
        if verb == "checkpoint":
            return self._checkpoint(options.get("export"), options.get("daily", False))
        return self._rotate(Path(options["new_key_file"]), options["generate"], options["export"])

    def _fail(self, report: ChainReport) -> None:
        for problem in report.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"Audit trail is NOT intact: {len(report.problems)} problem(s). {report.summary()}"
        )

    def _verify(self, against: str | None) -> None:
        anchor = None
        if against:
            try:
                anchor = checkpoint_load(Path(against))
            except CheckpointFileError as error:
                raise CommandError(str(error)) from error
        report = audit_chain_verify(against=anchor)
        if not report.intact:
            self._fail(report)
        misfiled = audit_named_rows_verify() + audit_review_links_verify()
        if misfiled:
            for problem in misfiled:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Audit trail intact ({report.summary()}), but what its review reads is NOT: "
                f"{len(misfiled)} problem(s). A director's review reads the program links "
                "(`stepwell audit relink` adds missing ones) and a patient filter the named "
                "patients' rows."
            )
        self.stdout.write(f"Audit trail intact: {report.summary()}")
        self.stdout.write(
            "Every event names the patients its detail names and is in the review of each "
            "program its patients give (the administrators' review when it names none)."
        )
        if anchor is not None:
            self.stdout.write(
                f"Matches the exported checkpoint at event {anchor.seq} "
                f"({anchor.created_at:%Y-%m-%d %H:%M} UTC)."
            )

    def _relink(self) -> None:
        added = audit_review_links_repair()
        audit_record(
            user=_operator("relink"),
            action=AuditAction.UPDATE,
            object_type="audit_review_links",
            detail={"links_added": added},
        )
        self.stdout.write(
            f"Added {added} program link(s): each event is now in the review of the programs "
            "its patients give, or the administrators' when it names none (run `stepwell "
            "audit verify` to check)."
        )

    def _checkpoint(self, export: str | None, daily: bool) -> None:
        if daily:
            raise CommandError(DAILY_FLAG_GONE)
        target = self._export_target(export)
        try:
            checkpoint, report = audit_checkpoint_create(actor=_operator("checkpoint"))
        except CheckpointRefused as refused:
            self._fail(refused.report)
        self.stdout.write(
            f"Checkpoint {checkpoint.pk} signed at event {checkpoint.seq}: {report.summary()}"
        )
        if target is not None:
            self._export(checkpoint, target)

    def _export_target(self, export: str | None) -> Path | None:
        """Refuse an unusable --export path before anything is signed."""
        if not export:
            return None
        target = Path(export)
        if not target.parent.is_dir():
            raise CommandError(f"--export: the folder {target.parent} does not exist.")
        if target.is_dir():
            raise CommandError(f"--export: {target} is a folder; give a file name.")
        return target

    def _export(self, checkpoint, target: Path) -> None:
        try:
            checkpoint_export(checkpoint, target)
        except OSError as error:
            raise CommandError(f"--export: cannot write {target}: {error.strerror}.") from error
        self.stdout.write(f"Exported to {target}. Keep it off this machine.")

    def _rotate(self, key_file: Path, generate: bool, export: str | None) -> None:
        target = self._export_target(export)
        if generate:
            if key_file.exists():
                raise CommandError(f"--new-key-file: {key_file} exists; not overwriting it.")
            try:
                key_file.touch(mode=0o600)
                key_file.write_text(secrets.token_urlsafe(48) + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"--new-key-file: cannot write {key_file}.") from error
        try:
            new_key = chain.key_from_text(key_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"--new-key-file: cannot read {key_file}.") from error
        old_key = chain.current_key()
        try:
            checkpoint = audit_key_rotate(actor=_operator("rotate-key"), new_key=new_key)
        except ValueError as error:
            raise CommandError(f"--new-key-file: {error}") from error
        except CheckpointRefused as refused:
            self._fail(refused.report)
        self.stdout.write(
            f"Checkpoint {checkpoint.pk} at event {checkpoint.seq} signed under key {old_key.key_id} "
            f"(current) and key {new_key.key_id} (new)."
        )
        keep_old = (
            "The old key is derived from the secret key: it stays available while the secret "
            "key is unchanged."
            if chain.is_derived(old_key)
            else "Add the old key to STEPWELL_AUDIT_PREVIOUS_KEYS and keep it there at least "
            "until the next daily checkpoint; after that the checkpoints vouch for what it signed."
        )
        self.stdout.write(f"Now set STEPWELL_AUDIT_KEY to the new key and restart. {keep_old}")
        if target is not None:
            self._export(checkpoint, target)
