"""Stepwell's own exports never carry Part 2 content without the label: the audit
trail's CSV labels each row about a patient whose record holds Part 2 records."""

from __future__ import annotations

import csv
import io

from stepwell.accounts.models import Role
from stepwell.consent.notices import PART2_LABEL
from stepwell.privacy.audit import audit_record
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory


def test_the_audit_csv_labels_rows_of_part2_patients(client, part2):
    director = UserFactory(
        username="dir_b", roles=[Role.PROGRAM_DIRECTOR], programs=[part2.program_a, part2.program_b]
    )
    audit_record(
        user=part2.clinician_b,
        action="view",
        patient_id=part2.patient_b.pk,
        object_type="chart_part2",
        object_id=part2.patient_b.pk,
    )
    audit_record(
        user=part2.clinician_b,
        action="view",
        patient_id=part2.team_patient_b.pk,
        object_type="chart_plain",
        object_id=part2.team_patient_b.pk,
    )
    audit_record(
        user=part2.clinician_a,
        action="view",
        patient_id=part2.patient_a.pk,
        object_type="chart_mental_health",
        object_id=part2.patient_a.pk,
    )
    verified_login(client, director)
    response = client.get("/privacy/audit/?action=view&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    labels = {row["object_type"]: row["label"] for row in rows}
    assert labels["chart_part2"].startswith(PART2_LABEL)
    # program B is a Part 2 program: its other patient's rows are labelled too
    assert labels["chart_plain"].startswith(PART2_LABEL)
    assert labels["chart_mental_health"] == ""
