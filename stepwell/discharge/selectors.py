"""Reads for the discharge pages, the portal page and the PDFs. Each starts from the
acting user (stepwell.privacy.access.discharge) and audits the read of the patient's
record."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page

from stepwell.clinic.models import Program
from stepwell.core.paging import page_of
from stepwell.patients.models import Disposition, Episode
from stepwell.privacy.access.discharge import (
    DischargeNeed,
    access_directory_program_by_id,
    access_discharge,
    access_discharge_episode_by_id,
    access_discharge_patient_by_id,
    access_own_aftercare_plan,
    directory_programs_of,
    discharge_episodes_visible_to,
)
from stepwell.privacy.access.patients import access_own_patient
from stepwell.privacy.access.predicates import holds_role_in, is_patient_user, is_staff_member
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .gate import discharge_gate_errors, program_gate_policy
from .models import (
    AftercarePlan,
    DischargePolicy,
    DischargeSummary,
    SupportGroup,
)

SUICIDE_AND_CRISIS_LIFELINE = "988"


@dataclass(frozen=True)
class CrisisLine:
    label: str
    number: str
    how: str


def crisis_resources(program: Program) -> list[CrisisLine]:
    """Who to call in a crisis: 988, the program's after-hours line when it has one, 911.
    (docs/clinical-sources.md §11.4.)"""
    lines = [
        CrisisLine(
            "988 Suicide & Crisis Lifeline",
            SUICIDE_AND_CRISIS_LIFELINE,
            "Call or text 988, any time, day or night.",
        )
    ]
    policy = DischargePolicy.objects.filter(program=program).first()
    if policy and policy.after_hours_line:
        lines.append(
            CrisisLine(
                f"{program.name} after-hours line",
                policy.after_hours_line,
                "Call when the clinic is closed.",
            )
        )
    lines.append(CrisisLine("Emergency", "911", "In danger now: call 911."))
    return lines


@dataclass(frozen=True)
class AftercareDocument:
    """What the aftercare plan shows, on the page, the portal and the PDF."""

    episode: Episode
    plan: AftercarePlan | None
    contacts: list = field(default_factory=list)
    appointments: list = field(default_factory=list)
    support_groups: list = field(default_factory=list)
    crisis: list[CrisisLine] = field(default_factory=list)


def _aftercare_document(episode: Episode) -> AftercareDocument:
    plan = AftercarePlan.objects.filter(episode=episode).first()
    return AftercareDocument(
        episode=episode,
        plan=plan,
        contacts=list(plan.contacts.all()) if plan else [],
        appointments=list(plan.appointments.all()) if plan else [],
        support_groups=list(plan.support_groups.all()) if plan else [],
        crisis=crisis_resources(episode.program),
    )


@dataclass(frozen=True)
class SummaryDocument:
    episode: Episode
    summary: DischargeSummary | None
    addenda: list = field(default_factory=list)


def _summary_document(episode: Episode) -> SummaryDocument:
    summary = (
        DischargeSummary.objects.select_related("signed_by", "drafted_by")
        .filter(episode=episode)
        .first()
    )
    addenda = list(summary.addenda.select_related("author")) if summary else []
    return SummaryDocument(episode=episode, summary=summary, addenda=addenda)


@dataclass(frozen=True)
class DischargePage:
    episode: Episode
    summary: SummaryDocument
    aftercare: AftercareDocument
    directory: list[SupportGroup]
    can_write_summary: bool
    can_write_plan: bool
    gate_required: bool
    gate_exempt: list[str]
    gate_blockers: dict[str, str]  # what would stop a completed discharge today


def _audit_read(user, episode: Episode, object_type: str, action=AuditAction.VIEW, **detail):
    audit_record(
        user=user,
        action=action,
        patient_id=episode.patient_id,
        object_type=object_type,
        object_id=episode.pk,
        detail=detail or None,
    )


def discharge_page(*, user, episode_id) -> DischargePage:
    """The discharge summary and aftercare plan of one episode, for the care team."""
    episode = access_discharge_episode_by_id(user, episode_id)
    _audit_read(user, episode, "discharge_summary")
    policy = program_gate_policy(episode.program_id)
    return DischargePage(
        episode=episode,
        summary=_summary_document(episode),
        aftercare=_aftercare_document(episode),
        directory=list(SupportGroup.objects.filter(program=episode.program, active=True)),
        can_write_summary=access_discharge(user, episode.patient, DischargeNeed.SUMMARY),
        can_write_plan=access_discharge(user, episode.patient, DischargeNeed.PLAN),
        gate_required=policy.documents_required,
        gate_exempt=[Disposition(d).label for d in sorted(policy.exempt_dispositions)],
        gate_blockers=discharge_gate_errors(episode, Disposition.COMPLETED),
    )


def summary_for_api(*, user, episode_id) -> DischargeSummary:
    """The stored summary of the episode (refused, audited, when the user may not read
    it); an ApplicationError when there is none yet."""
    episode = access_discharge_episode_by_id(user, episode_id)
    document = _summary_document(episode)
    _audit_read(user, episode, "discharge_summary")
    return document.summary


def aftercare_for_api(*, user, episode_id) -> AftercareDocument:
    """The episode's aftercare plan for the care team (JSON)."""
    episode = access_discharge_episode_by_id(user, episode_id, object_type="aftercare_plan")
    _audit_read(user, episode, "aftercare_plan")
    return _aftercare_document(episode)


def summary_pdf_document(*, user, episode_id) -> SummaryDocument:
    """The summary to print; printing is audited as an export."""
    episode = access_discharge_episode_by_id(user, episode_id, action=AuditAction.EXPORT)
    _audit_read(user, episode, "discharge_summary", AuditAction.EXPORT, format="pdf")
    return _summary_document(episode)


def aftercare_pdf_document(*, user, episode_id) -> AftercareDocument:
    """The aftercare plan to print, for the care team or the patient (their own);
    printing is audited as an export."""
    if is_patient_user(user):
        episode = access_own_aftercare_plan(
            user, episode_id=episode_id, action=AuditAction.EXPORT
        ).episode
    else:
        episode = access_discharge_episode_by_id(
            user, episode_id, action=AuditAction.EXPORT, object_type="aftercare_plan"
        )
    _audit_read(user, episode, "aftercare_plan", AuditAction.EXPORT, format="pdf")
    return _aftercare_document(episode)


def own_aftercare(*, user) -> AftercareDocument | None:
    """The signed-in patient's latest aftercare plan, also after discharge (None while
    they have none yet); an audited refusal for anyone who is not a patient."""
    patient = access_own_patient(user, object_type="aftercare_plan")
    plan = (
        AftercarePlan.objects.filter(episode__patient=patient)
        .select_related("episode__patient", "episode__program")
        .order_by("-episode__referred_on", "-pk")
        .first()
    )
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="aftercare_plan",
        object_id=plan.episode_id if plan else "",
    )
    return _aftercare_document(plan.episode) if plan else None


@dataclass(frozen=True)
class PatientDischarge:
    episode: Episode
    summary_status: str
    plan_status: str


def patient_discharge_overview(*, user, patient_id, page_number=None) -> Page:
    """Each admitted episode of the patient with where its documents are, latest admitted
    first, 50 a page."""
    patient = access_discharge_patient_by_id(user, patient_id, action=AuditAction.LIST)
    page = page_of(
        discharge_episodes_visible_to(user)
        .filter(patient=patient, admitted_on__isnull=False)
        .select_related("program")
        .order_by("-admitted_on", "-pk"),
        page_number,
    )
    episodes = list(page)
    summaries = dict(
        DischargeSummary.objects.filter(episode__in=episodes).values_list("episode_id", "status")
    )
    plans = dict(
        AftercarePlan.objects.filter(episode__in=episodes).values_list("episode_id", "status")
    )
    audit_record(
        user=user,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="discharge_summary",
        object_id=patient.pk,
    )
    rows = [
        PatientDischarge(e, summaries.get(e.pk, "none"), plans.get(e.pk, "none")) for e in episodes
    ]
    return Page(rows, page.number, page.paginator)


@dataclass(frozen=True)
class DirectoryPage:
    program: Program
    groups: Page  # the active support groups by meeting day and time, 50 a page
    policy: DischargePolicy | None
    can_manage: bool
    can_set_policy: bool


def directory_page(*, user, program_id, page_number=None) -> DirectoryPage:
    """A program's support-group directory, 50 groups a page, and discharge settings."""
    program = access_directory_program_by_id(user, program_id)
    groups = SupportGroup.objects.filter(program=program, active=True).order_by(
        "meeting_day", "meeting_time", "name", "pk"
    )
    return DirectoryPage(
        program=program,
        groups=page_of(groups, page_number),
        policy=DischargePolicy.objects.filter(program=program).first(),
        can_manage=program.pk in directory_programs_of(user, manage=True),
        can_set_policy=holds_role_in(user, program.pk, "program_director"),
    )


def directory_programs(*, user) -> list[Program]:
    """The programs whose directory the user reads (staff only; patients are refused)."""
    if not is_staff_member(user):
        raise refuse(actor=user, action=AuditAction.LIST, object_type="support_group")
    return list(Program.objects.filter(pk__in=directory_programs_of(user)).order_by("name"))
