"""Reads about patients and episodes, always starting from the acting user."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from stepwell.clinic.models import Program
from stepwell.privacy import access
from stepwell.privacy.models import AuditEvent

from .models import OPEN_STATES, Episode, EpisodeState, Patient


def episode_days_in_program(episode: Episode, *, today: date | None = None) -> int | None:
    """Calendar days since admission, counting the admission day; None before admission."""
    if episode.admitted_on is None:
        return None
    end = episode.discharged_on or today or timezone.localdate()
    return (end - episode.admitted_on).days + 1


def _caseload_patients(user) -> QuerySet[Patient]:
    """Clinical scope plus, for billing staff, the patients whose billing fields they see."""
    return Patient.objects.filter(
        Q(pk__in=access.patients_visible_to(user).values("pk"))
        | Q(pk__in=access.patients_billing_visible_to(user).values("pk"))
    )


def caseload_episodes(
    *, user, program_id: int | None = None, state: str | None = None, query: str = ""
) -> QuerySet[Episode]:
    visible = _caseload_patients(user)
    episodes = Episode.objects.filter(patient__in=visible).select_related("patient", "program")
    if program_id:
        episodes = episodes.filter(program_id=program_id)
    if state == "open" or not state:
        episodes = episodes.filter(state__in=OPEN_STATES)
    elif state != "all":
        episodes = episodes.filter(state=state)
    if query:
        q = query.strip()
        episodes = episodes.filter(
            Q(patient__legal_last_name__icontains=q)
            | Q(patient__legal_first_name__icontains=q)
            | Q(patient__preferred_name__icontains=q)
            | Q(patient__mrn__iexact=q)
        )
    return episodes.order_by("program__name", "state", "patient__legal_last_name")


@dataclass(frozen=True)
class CensusRow:
    program: Program
    counts: dict[str, int]
    total_open: int


def census(*, user) -> list[CensusRow]:
    visible = _caseload_patients(user)
    rows = Episode.objects.filter(patient__in=visible).values_list("program_id", "state")
    counter: dict[int, Counter] = {}
    for program_id, state in rows:
        counter.setdefault(program_id, Counter())[state] += 1
    programs = Program.objects.filter(pk__in=counter).order_by("name")
    return [
        CensusRow(
            program=p,
            counts={
                label: counter[p.pk][value]
                for value, label in EpisodeState.choices
                if counter[p.pk].get(value)
            },
            total_open=sum(counter[p.pk].get(s, 0) for s in OPEN_STATES),
        )
        for p in programs
    ]


def patient_for_chart(*, user, patient_id: int) -> Patient | None:
    return access.patients_visible_to(user).filter(pk=patient_id).first()


def patient_for_billing(*, user, patient_id: int) -> Patient | None:
    return access.patients_billing_visible_to(user).filter(pk=patient_id).first()


def episode_for_user(*, user, episode_id: int) -> Episode | None:
    visible = access.patients_visible_to(user)
    return (
        Episode.objects.select_related("patient", "program")
        .filter(pk=episode_id, patient__in=visible)
        .first()
    )


def patient_recent_viewers(*, patient: Patient, limit: int = 10) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(patient_id=patient.pk, action="view", outcome="allowed")
        .exclude(username="")
        .order_by("-seq")[:limit]
    )
