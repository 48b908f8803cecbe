"""The follow-up records of the matrix clinic (tests/access_matrix/expectations/
followups.py): a due follow-up for each patient with a full record, and a one-time link
to Avery's. The matrix clinic discharges nobody, so the follow-ups hang on the patients'
current episodes: what access looks at is the patient, the program and the care team."""

from __future__ import annotations

from django.utils import timezone

from .matrix_clinic import FULL_RECORD, MatrixClinic


def add_follow_ups(clinic: MatrixClinic) -> None:
    from stepwell.followups.models import FollowUp
    from stepwell.followups.services.links import new_link
    from stepwell.patients.models import Episode

    today = timezone.localdate()
    for key in FULL_RECORD:
        episode = Episode.objects.get(pk=clinic.ids["episode"][key])
        follow_up = FollowUp.objects.create(
            episode=episode,
            patient=episode.patient,
            program=episode.program,
            days_after_discharge=30,
            due_on=today,
            instruments=["phq9", "gad7"],
        )
        clinic.put("follow_up", key, follow_up.pk)
        if key == "A":
            clinic.tokens["follow_up:A"] = new_link(follow_up)[1]
