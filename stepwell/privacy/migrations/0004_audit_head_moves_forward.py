"""The chain head may move forward several events at once (privacy.audit.audit_batch).

Where the append-only triggers are installed, the head's UPDATE rule changes from "the
next number" to "forward, to an event that exists, when the event after the old head
chains from the head's old hash". Unapplying puts the one-step rule back.
"""

from django.db import migrations

from stepwell.privacy.triggers import (
    HEAD_ONE_STEP_IS_WRONG,
    HEAD_STEP_IS_WRONG,
    replace_head_step_rule,
)


def forwards(apps, schema_editor):
    replace_head_step_rule(schema_editor.connection, HEAD_STEP_IS_WRONG)


def backwards(apps, schema_editor):
    replace_head_step_rule(schema_editor.connection, HEAD_ONE_STEP_IS_WRONG)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_audit_chain_v2_head_checkpoints")]
    operations = [migrations.RunPython(forwards, backwards)]
