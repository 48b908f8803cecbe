"""The administrators' review as links (privacy.models.ADMINISTRATORS_REVIEW), as each
program's review is: every event written so far that concerns and names no patient is
linked under review number 0, which no program has.

An administrator's review read those events by asking each event whether it named a
patient, a row in another table no index on the events can hold: a filter that matched
many events of which an administrator may see few walked back through the whole trail
(a clinician's role: 337 to 361 ms on a trail of 461,000 events). From the links' index
it reads only the events it may see.

Servers still running the older code while this runs append events without the link;
`stepwell audit relink` adds them once the last has stopped, and `stepwell audit verify`
names any event missing from the review. Going back leaves the links: older code does
not read them, and the links are append-only.
"""

from django.db import migrations

LINK_EVERY_EVENT_ABOUT_NO_ONE = """
INSERT INTO privacy_auditeventprogram (event_seq, program_id)
SELECT event.seq, 0 FROM privacy_auditevent event
WHERE event.patient_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM privacy_auditeventpatient named
    WHERE named.event_seq = event.seq)
  AND NOT EXISTS (SELECT 1 FROM privacy_auditeventprogram link
    WHERE link.event_seq = event.seq AND link.program_id = 0)
"""


def link_events_about_no_one(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LINK_EVERY_EVENT_ABOUT_NO_ONE)


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0006_audit_filter_indexes'),
    ]

    operations = [
        migrations.RunPython(link_events_about_no_one, migrations.RunPython.noop),
    ]
