"""The discharge gate over the database: called by the episode's discharge transition
(stepwell.patients.services) inside its transaction. A program without a discharge policy
row has no gate; the director turns it on on the Discharge settings page."""

from __future__ import annotations

from stepwell.patients.models import Episode

from .gate_rules import DischargeDocuments, GatePolicy, gate_errors
from .models import AftercarePlan, DischargePolicy, DischargeSummary, DocumentStatus


def program_gate_policy(program_id: int) -> GatePolicy:
    stored = DischargePolicy.objects.filter(program_id=program_id).first()
    if stored is None:
        return GatePolicy(documents_required=False, exempt_dispositions=frozenset())
    return GatePolicy(
        documents_required=stored.documents_required,
        exempt_dispositions=frozenset(stored.exempt_dispositions or ()),
    )


def episode_documents(episode_id: int) -> DischargeDocuments:
    return DischargeDocuments(
        summary_signed=DischargeSummary.objects.filter(
            episode_id=episode_id, status=DocumentStatus.SIGNED
        ).exists(),
        plan_signed=AftercarePlan.objects.filter(
            episode_id=episode_id, status=DocumentStatus.SIGNED
        ).exists(),
    )


def discharge_gate_errors(episode: Episode, disposition: str) -> dict[str, str]:
    """What stops discharging this episode with this disposition (empty: nothing)."""
    return gate_errors(
        program_gate_policy(episode.program_id), disposition, episode_documents(episode.pk)
    )
