"""Medication reconciliation at admission, at a level-of-care change and at discharge:
the prescriber or nurse decides for each medication (continue, change, stop) and adds
new ones, then signs. Signing applies the changes and stops; a signed reconciliation is
never changed, and the signed discharge reconciliation is the discharge medication list
(docs/clinical-sources.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.patients.models import EpisodeState
from stepwell.privacy.access.meds import (
    MedsNeed,
    access_episode_meds_by_id,
    access_reconciliation_by_id,
)
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from ..models import (
    Decision,
    Medication,
    MedicationStatus,
    Reconciliation,
    ReconciliationItem,
    ReconciliationOccasion,
)
from .common import meds_audit, refused
from .medications import MedicationData, _dose, medication_create, medication_update

NOT_ADMITTED = (EpisodeState.REFERRED, EpisodeState.SCREENING, EpisodeState.ASSESSED)


@dataclass(frozen=True)
class DecisionIn:
    medication_id: int
    decision: str
    new_dose: object = None
    new_frequency: str = ""
    note: str = ""


def reconciliation_start(*, actor, episode_id: int, occasion: str) -> Reconciliation:
    """Open a reconciliation listing every active and on-hold medication."""
    episode = access_episode_meds_by_id(actor, episode_id)
    if occasion not in ReconciliationOccasion.values:
        raise refused("occasion", "Choose admission, level-of-care change or discharge.")
    if episode.state in NOT_ADMITTED:
        raise refused("occasion", "Reconcile medications once the patient is admitted.")
    with transaction.atomic():
        if Reconciliation.objects.filter(
            episode=episode, occasion=occasion, signed_at__isnull=True
        ).exists():
            raise refused(
                "occasion",
                f"A {ReconciliationOccasion(occasion).label.lower()} reconciliation is already "
                "open for this episode: finish it.",
            )
        reconciliation = Reconciliation.objects.create(
            episode=episode, occasion=occasion, started_by=actor
        )
        medications = Medication.objects.filter(
            patient=episode.patient,
            status__in=(MedicationStatus.ACTIVE, MedicationStatus.ON_HOLD),
        )
        ReconciliationItem.objects.bulk_create(
            ReconciliationItem(reconciliation=reconciliation, medication=m) for m in medications
        )
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=episode.patient_id,
            object_type="reconciliation",
            object_id=reconciliation.pk,
            occasion=occasion,
        )
    return reconciliation


def _open(actor, reconciliation_id, action, episode_id=None) -> Reconciliation:
    reconciliation = access_reconciliation_by_id(
        actor, reconciliation_id, need=MedsNeed.WRITE, action=action
    )
    if episode_id is not None and reconciliation.episode_id != episode_id:
        raise refuse(
            actor=actor,
            action=action,
            object_type="reconciliation",
            object_id=reconciliation_id,
            patient_id=reconciliation.episode.patient_id,
        )
    if reconciliation.is_signed:
        raise refused("reconciliation", "This reconciliation is signed and cannot change.")
    return reconciliation


def _decide(reconciliation: Reconciliation, decision: DecisionIn) -> ReconciliationItem:
    item = reconciliation.items.filter(medication_id=decision.medication_id).first()
    if item is None:
        raise refused("medication_id", "That medication is not on this reconciliation.")
    if decision.decision not in (Decision.CONTINUE, Decision.CHANGE, Decision.STOP):
        raise refused("decision", "Choose continue, change or stop.")
    item.decision = decision.decision
    item.note = (decision.note or "").strip()[:300]
    item.new_dose, item.new_frequency = None, ""
    if decision.decision == Decision.CHANGE:
        frequency = (decision.new_frequency or "").strip()[:100]
        dose = None if decision.new_dose in (None, "") else _dose(decision.new_dose)
        if dose is None and not frequency:
            raise refused("new_dose", "A change needs a new dose or a new frequency.")
        medication = item.medication
        if dose in (None, medication.dose) and frequency in ("", medication.frequency):
            raise refused("new_dose", "Give a dose or a frequency different from today's.")
        item.new_dose, item.new_frequency = dose, frequency
    if decision.decision == Decision.STOP and not item.note:
        raise refused("note", "Say why the medication is stopped.")
    item.save()
    return item


def reconciliation_decide(
    *, actor, reconciliation_id: int, decision: DecisionIn
) -> ReconciliationItem:
    reconciliation = _open(actor, reconciliation_id, AuditAction.UPDATE)
    with transaction.atomic():
        item = _decide(reconciliation, decision)
        meds_audit(
            actor,
            AuditAction.UPDATE,
            patient_id=reconciliation.episode.patient_id,
            object_type="reconciliation",
            object_id=reconciliation.pk,
            medication=item.medication_id,
            decision=item.decision,
        )
    return item


def reconciliation_record(
    *, actor, episode_id: int, occasion: str, decisions: list[DecisionIn]
) -> Reconciliation:
    """Open a reconciliation and record its decisions in one go (the API). Access is
    checked before the transaction, so a refusal stays in the audit trail."""
    access_episode_meds_by_id(actor, episode_id)
    with transaction.atomic():
        reconciliation = reconciliation_start(actor=actor, episode_id=episode_id, occasion=occasion)
        for decision in decisions:
            _decide(reconciliation, decision)
    return reconciliation


def reconciliation_new_medication(
    *, actor, reconciliation_id: int, data: MedicationData
) -> ReconciliationItem:
    """A medication started at this transition: added to the list and marked new."""
    reconciliation = _open(actor, reconciliation_id, AuditAction.UPDATE)
    with transaction.atomic():
        medication = medication_create(
            actor=actor,
            patient_id=reconciliation.episode.patient_id,
            data=data,
            reconciliation=reconciliation,
        )
        item = ReconciliationItem.objects.create(
            reconciliation=reconciliation, medication=medication, decision=Decision.NEW
        )
    return item


def reconciliation_sign(
    *,
    actor,
    reconciliation_id: int,
    episode_id: int | None = None,
    now: datetime | None = None,
) -> Reconciliation:
    """Sign once every medication has a decision; changes and stops are applied. Given
    an episode, the reconciliation must be that episode's (the API's path)."""
    reconciliation = _open(actor, reconciliation_id, "sign", episode_id)
    with transaction.atomic():
        reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if reconciliation.is_signed:
            raise refused("reconciliation", "This reconciliation is already signed.")
        items = list(reconciliation.items.select_related("medication"))
        undecided = [item.medication.name for item in items if not item.decision]
        if undecided:
            raise refused("items", f"Decide continue, change or stop for: {', '.join(undecided)}.")
        for item in items:
            if item.decision == Decision.CHANGE:
                medication_update(
                    actor=actor,
                    medication_id=item.medication_id,
                    dose=item.new_dose,
                    frequency=item.new_frequency or None,
                    status_reason=item.note,
                    reconciliation=reconciliation,
                )
            elif item.decision == Decision.STOP:
                medication_update(
                    actor=actor,
                    medication_id=item.medication_id,
                    status=MedicationStatus.STOPPED,
                    status_reason=item.note,
                    reconciliation=reconciliation,
                )
        reconciliation.signed_by = actor
        reconciliation.signer_name = str(actor)
        reconciliation.signed_at = now or timezone.now()
        reconciliation.save()
        meds_audit(
            actor,
            "sign",
            patient_id=reconciliation.episode.patient_id,
            object_type="reconciliation",
            object_id=reconciliation.pk,
            occasion=reconciliation.occasion,
        )
    return reconciliation
