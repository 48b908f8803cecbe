"""Treatment-plan pages: the htmx plan editor for drafts, the signed plan with signatures,
progress, reviews and what changed, and the worklist of due reviews and recertifications."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from stepwell.accounts.models import User, UserKind
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as apply_errors
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.patients.models import Episode
from stepwell.patients.selectors import episode_for_user
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as denied

from . import access, selectors, services
from .certification import is_physician, physician_refusal
from .forms import (
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    PatientSignatureForm,
    PhysicianCertificationForm,
    ProblemForm,
    ReviewForm,
    ReviseForm,
    StatusForm,
)
from .models import Goal, Objective, Problem, TreatmentPlan
from .progress import objective_progress
from .revisions import plan_changes
from .services import ITEM_MODELS, MeasureIn


def _plan_or_denied(request, plan_id: int, action=AuditAction.VIEW):
    plan = selectors.plan_for_user(user=request.user, plan_id=plan_id)
    if plan is None:
        patient_id = (
            TreatmentPlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first()
        )
        return None, denied(
            request,
            object_type="treatment_plan",
            object_id=plan_id,
            patient_id=patient_id,
            action=action,
        )
    return plan, None


def _staff_of(plan):
    return (
        User.objects.filter(
            kind=UserKind.STAFF, is_active=True, program_memberships__program=plan.episode.program
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def _diagnoses(plan):
    return AssessmentDiagnosis.objects.filter(
        assessment__episode=plan.episode, assessment__status="signed"
    ).order_by("-primary", "code")


def _editor(plan, failed: tuple[str, object] | None = None):
    """The nested plan with a blank add-form under each item (or the one that failed)."""
    failed_key, failed_form = failed or (None, None)
    staff = _staff_of(plan)

    def pick(key, make):
        return failed_form if key == failed_key else make()

    tree = []
    for problem in plan.problems.prefetch_related(
        "diagnoses", "goals__objectives__status_updates", "goals__interventions__responsible"
    ):
        goals = []
        for goal in problem.goals.all():
            objectives = [
                (o, objective_progress(o, plan.patient), _status_of(o))
                for o in goal.objectives.all()
            ]
            goals.append(
                {
                    "goal": goal,
                    "objectives": objectives,
                    "interventions": list(goal.interventions.all()),
                    "objective_form": pick(
                        f"objective:{goal.pk}", lambda g=goal: ObjectiveForm(prefix=f"o{g.pk}")
                    ),
                    "intervention_form": pick(
                        f"intervention:{goal.pk}",
                        lambda g=goal: InterventionForm(prefix=f"i{g.pk}", staff=staff),
                    ),
                }
            )
        tree.append(
            {
                "problem": problem,
                "goals": goals,
                "goal_form": pick(
                    f"goal:{problem.pk}", lambda p=problem: GoalForm(prefix=f"g{p.pk}")
                ),
            }
        )
    problem_form = pick("problem", lambda: ProblemForm(prefix="p", diagnoses=_diagnoses(plan)))
    return {"tree": tree, "problem_form": problem_form}


def _status_of(objective: Objective) -> str:
    updates = list(objective.status_updates.all())
    return updates[-1].get_status_display() if updates else objective.get_status_display()


def _context(request, plan, failed=None, **extra):
    user = request.user
    editable = not plan.is_signed and access.access_plan_edit(user, plan.patient)
    superseded = selectors.plan_is_superseded(plan)
    latest = plan.is_signed and not superseded
    missing = selectors.missing_signatures(plan) if plan.is_signed else []
    prescriber = access.access_plan_sign_physician(user, plan.patient)
    physician = prescriber and is_physician(user.credentials)
    context = {
        "plan": plan,
        "patient": plan.patient,
        "editable": editable,
        "superseded": superseded,
        "versions": selectors.plans_of_episode(plan.episode),
        "changes": plan_changes(plan.previous, plan),
        "signatures": plan.signatures.select_related("signer"),
        "missing": missing,
        "signature_status": selectors.signature_status_of(locked=plan.is_signed, missing=missing),
        "needs_physician": plan.is_signed and "physician" in missing,
        "review_due_on": selectors.plan_review_due_on(plan),
        "certification": selectors.latest_certification(plan.episode),
        "reviews": plan.reviews.select_related("reviewer"),
        "can_edit": access.access_plan_edit(user, plan.patient),
        "can_sign_clinician": editable,
        "can_sign_patient": latest
        and "patient" in missing
        and access.access_plan_sign_patient(user, plan.patient),
        "can_sign_physician": latest
        and physician
        and not plan.signatures.filter(role="physician").exists(),
        "can_recertify": latest and physician,
        "physician_refusal": physician_refusal(user.credentials)
        if latest and prescriber and not physician
        else "",
        "latest": latest,
        "is_patient": user.kind == UserKind.PATIENT,
        "status_form": StatusForm(),
        "review_form": ReviewForm(),
        "revise_form": ReviseForm(),
        "patient_signature_form": PatientSignatureForm(),
        "physician_form": PhysicianCertificationForm(),
        "recertify_form": PhysicianCertificationForm(kind="recertification", prefix="recertify"),
        **_editor(plan, failed),
        **extra,
    }
    return context


def _render(request, plan, *, failed=None, status=200, **extra):
    template = (
        "plans/plan.html#editor" if request.htmx and not plan.is_signed else "plans/plan.html"
    )
    return render(request, template, _context(request, plan, failed, **extra), status=status)


@login_required
def plan_detail(request, plan_id: int):
    plan, refusal = _plan_or_denied(request, plan_id)
    if refusal:
        return refusal
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=plan.patient_id,
        object_type="treatment_plan",
        object_id=plan.pk,
    )
    return render(request, "plans/plan.html", _context(request, plan))


@login_required
@require_POST
def plan_start(request, episode_id: int):
    episode = episode_for_user(user=request.user, episode_id=episode_id)
    if episode is None:
        patient_id = (
            Episode.objects.filter(pk=episode_id).values_list("patient_id", flat=True).first()
        )
        return denied(
            request,
            object_type="treatment_plan",
            object_id="new",
            patient_id=patient_id,
            action=AuditAction.CREATE,
        )
    try:
        plan = services.plan_create(
            actor=request.user, episode_id=episode.pk, client_address=client_address_of(request)
        )
    except AccessDenied:
        return render(request, "core/denied.html", status=403)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("patients:chart", patient_id=episode.patient_id)
    return redirect("plans:plan", plan_id=plan.pk)


def _item_plan(model, item_id):
    item = model.objects.filter(pk=item_id).first()
    if item is None:
        return None
    return services.plan_of_item(item)


def _edit(request, plan, key, form, run):
    """Shared by the add-item endpoints: validate, call the service, re-render the editor."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            if request.htmx:
                return _render(request, plan)
            return redirect("plans:plan", plan_id=plan.pk)
    return _render(request, plan, failed=(key, form), status=400)


def _editable_plan(request, plan, object_type, object_id):
    if plan is None or not access.access_plan_edit(request.user, plan.patient):
        return denied(
            request,
            object_type=object_type,
            object_id=object_id,
            patient_id=plan.patient_id if plan else None,
            action=AuditAction.UPDATE,
        )
    return None


@login_required
@require_POST
def problem_add(request, plan_id: int):
    plan = TreatmentPlan.objects.select_related("patient", "episode").filter(pk=plan_id).first()
    if refusal := _editable_plan(request, plan, "treatment_plan", plan_id):
        return refusal
    form = ProblemForm(request.POST, prefix="p", diagnoses=_diagnoses(plan))
    return _edit(
        request,
        plan,
        "problem",
        form,
        lambda data: services.problem_add(
            actor=request.user, plan_id=plan.pk, client_address=client_address_of(request), **data
        ),
    )


@login_required
@require_POST
def goal_add(request, problem_id: int):
    plan = _item_plan(Problem, problem_id)
    if refusal := _editable_plan(request, plan, "problem", problem_id):
        return refusal
    form = GoalForm(request.POST, prefix=f"g{problem_id}")
    return _edit(
        request,
        plan,
        f"goal:{problem_id}",
        form,
        lambda data: services.goal_add(
            actor=request.user,
            problem_id=problem_id,
            client_address=client_address_of(request),
            **data,
        ),
    )


@login_required
@require_POST
def objective_add(request, goal_id: int):
    plan = _item_plan(Goal, goal_id)
    if refusal := _editable_plan(request, plan, "goal", goal_id):
        return refusal
    form = ObjectiveForm(request.POST, prefix=f"o{goal_id}")

    def run(data):
        measure = MeasureIn(
            kind=data["measure_kind"],
            instrument=data["instrument"],
            comparison=data["comparison"],
            target_value=data["target_value"],
            module=data["module"],
        )
        services.objective_add(
            actor=request.user,
            goal_id=goal_id,
            description=data["description"],
            target_date=data["target_date"],
            measure=measure,
            client_address=client_address_of(request),
        )

    return _edit(request, plan, f"objective:{goal_id}", form, run)


@login_required
@require_POST
def intervention_add(request, goal_id: int):
    plan = _item_plan(Goal, goal_id)
    if refusal := _editable_plan(request, plan, "goal", goal_id):
        return refusal
    form = InterventionForm(request.POST, prefix=f"i{goal_id}", staff=_staff_of(plan))
    return _edit(
        request,
        plan,
        f"intervention:{goal_id}",
        form,
        lambda data: services.intervention_add(
            actor=request.user, goal_id=goal_id, client_address=client_address_of(request), **data
        ),
    )


@login_required
@require_POST
def item_remove(request, kind: str, item_id: int):
    model = ITEM_MODELS.get(kind)
    plan = _item_plan(model, item_id) if model else None
    if refusal := _editable_plan(request, plan, kind, item_id):
        return refusal
    try:
        services.plan_item_remove(
            actor=request.user,
            kind=kind,
            item_id=item_id,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        return render(request, "core/denied.html", status=403)
    except ApplicationError as error:
        messages.error(request, error.message)
    if request.htmx:
        return _render(request, plan)
    return redirect("plans:plan", plan_id=plan.pk)


def _action(request, plan_id, run, ok: str, *, form_class=None, form_key=""):
    plan, refusal = _plan_or_denied(request, plan_id, AuditAction.UPDATE)
    if refusal:
        return refusal
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            result = run(plan, form.cleaned_data if form else {})
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            if form is None:
                return render(
                    request,
                    "plans/plan.html",
                    _context(request, plan, action_error=error),
                    status=400,
                )
            apply_errors(form, error)
        else:
            messages.success(request, ok)
            target = result.pk if isinstance(result, TreatmentPlan) else plan.pk
            return redirect("plans:plan", plan_id=target)
    return render(
        request, "plans/plan.html", _context(request, plan, **{form_key: form}), status=400
    )


@login_required
@require_POST
def plan_sign(request, plan_id: int, role: str):
    client = client_address_of(request)

    def run(plan, data):
        if role == "clinician":
            return services.plan_sign_clinician(
                actor=request.user, plan_id=plan.pk, client_address=client
            )
        if role == "physician":
            return services.plan_sign_physician(
                actor=request.user,
                plan_id=plan.pk,
                attests_nine_hours=data.get("attests_nine_hours", False),
                client_address=client,
            )
        if role == "patient":
            method = "portal" if request.user.kind == UserKind.PATIENT else "in_person"
            return services.plan_sign_patient(
                actor=request.user,
                plan_id=plan.pk,
                method=method,
                signer_name=data.get("signer_name", ""),
                client_address=client,
            )
        raise ApplicationError("Unknown signature role.")

    form_class, form_key = {
        "patient": (PatientSignatureForm, "patient_signature_form"),
        "physician": (PhysicianCertificationForm, "physician_form"),
    }.get(role, (None, ""))
    return _action(request, plan_id, run, "Signed.", form_class=form_class, form_key=form_key)


@login_required
@require_POST
def recertify(request, plan_id: int):
    return _action(
        request,
        plan_id,
        lambda plan, data: services.physician_recertify(
            actor=request.user,
            plan_id=plan.pk,
            attests_nine_hours=data["attests_nine_hours"],
            client_address=client_address_of(request),
        ),
        "Recertified.",
        form_class=partial(PhysicianCertificationForm, kind="recertification", prefix="recertify"),
        form_key="recertify_form",
    )


@login_required
@require_POST
def revise(request, plan_id: int):
    return _action(
        request,
        plan_id,
        lambda plan, data: services.plan_revise(
            actor=request.user, plan_id=plan.pk, client_address=client_address_of(request), **data
        ),
        "Revision started: a new draft version.",
        form_class=ReviseForm,
        form_key="revise_form",
    )


@login_required
@require_POST
def review(request, plan_id: int):
    return _action(
        request,
        plan_id,
        lambda plan, data: services.plan_review_record(
            actor=request.user, plan_id=plan.pk, client_address=client_address_of(request), **data
        ),
        "Review recorded.",
        form_class=ReviewForm,
        form_key="review_form",
    )


@login_required
@require_POST
def objective_status(request, objective_id: int):
    objective = Objective.objects.filter(pk=objective_id).first()
    plan = services.plan_of_item(objective) if objective else None
    if refusal := _editable_plan(request, plan, "objective", objective_id):
        return refusal
    return _action(
        request,
        plan.pk,
        lambda p, data: services.objective_status_record(
            actor=request.user,
            objective_id=objective_id,
            client_address=client_address_of(request),
            **data,
        ),
        "Objective status recorded.",
        form_class=StatusForm,
        form_key="status_form",
    )


@login_required
@require_GET
def worklist(request):
    user = request.user
    if user.kind != UserKind.STAFF:
        return redirect("core:home")
    items = selectors.plan_worklist(user=user)
    awaiting = selectors.physician_signature_worklist(user=user)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="plan_worklist",
        detail={"patients": sorted({item.patient.pk for item in [*items, *awaiting]})},
    )
    return render(
        request,
        "plans/worklist.html",
        {"items": items, "awaiting": awaiting, "is_prescriber": user.has_role("prescriber")},
    )
