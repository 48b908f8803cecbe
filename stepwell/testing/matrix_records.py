"""The records of the matrix clinic (stepwell/testing/matrix_clinic.py), one function per
area, each run in order by build_matrix_clinic: assessments, plans, measures, attendance
and notes, the calendar, staff hours, bulk exports and clinic setup."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from stepwell.care.attendance import services as attendance_services
from stepwell.care.notes import group_notes, psychotherapy
from stepwell.care.notes import services as note_services

from .matrix_clinic import (
    ADMITTED,
    AUTHORS,
    FULL_RECORD,
    PATIENTS,
    PHQ9_WITH_RISK,
    MatrixClinic,
    psychotherapy_text,
)
from .matrix_followups import add_follow_ups


def _assessments(clinic: MatrixClinic) -> None:
    """A draft reassessment with a diagnosis and a previous treatment, ready to sign, and
    every admitted patient's weekly availability (7:00 to 22:00 every day)."""
    from stepwell.intake import services as intake

    for key in FULL_RECORD:
        author = clinic.users[AUTHORS[key][0]]
        patient = clinic.patients[key]
        draft = intake.assessment_start(actor=author, episode_id=clinic.ids["episode"][key])
        intake.assessment_update(
            actor=author,
            assessment_id=draft.pk,
            data={
                "presenting_problems": f"Reassessment of {patient.legal_first_name}",
                "risk_level": "low",
                "patient_goals": "Keep working",
            },
        )
        diagnosis = intake.assessment_diagnosis_add(
            actor=author, assessment_id=draft.pk, code="F41.1"
        )
        treatment = intake.previous_treatment_add(
            actor=author, assessment_id=draft.pk, level_of_care="outpatient", outcome="completed"
        )
        clinic.put("assessment", key, draft.pk)
        clinic.put("diagnosis", key, diagnosis.pk)
        clinic.put("previous_treatment", key, treatment.pk)
    for key in ADMITTED:
        author = clinic.users[AUTHORS[key][0]]
        for weekday in range(7):
            window = intake.availability_window_add(
                actor=author,
                patient_id=clinic.patients[key].pk,
                weekday=weekday,
                start=time(7, 0),
                end=time(22, 0),
            )
            if weekday == 0:
                clinic.put("window", key, window.pk)


def _plan(clinic: MatrixClinic, key: str, *, sign: bool) -> None:
    from stepwell.plans import services as plans
    from stepwell.plans.services import MeasureIn

    author = clinic.users[AUTHORS[key][0]]
    plan = plans.plan_create(actor=author, episode_id=clinic.ids["episode"][key])
    problem = plans.problem_add(actor=author, plan_id=plan.pk, statement="Low mood most days")
    goal = plans.goal_add(
        actor=author,
        problem_id=problem.pk,
        domain="mental_health",
        patient_words="Feel like myself again",
        clinical_wording="Reduce depressive symptoms",
    )
    objective = plans.objective_add(
        actor=author,
        goal_id=goal.pk,
        description="Attend three group days a week",
        target_date=clinic.now.date() + timedelta(days=60),
        measure=MeasureIn(),
    )
    intervention = plans.intervention_add(
        actor=author,
        goal_id=goal.pk,
        modality="group_therapy",
        minutes_per_session=180,
        sessions_per_week=3,
        duration_weeks=8,
        responsible=author,
    )
    if sign:
        plans.plan_sign_clinician(actor=author, plan_id=plan.pk)
    prefix = "plan" if sign else "draft_plan"
    clinic.put(prefix, key, plan.pk)
    clinic.put(f"{prefix}_problem", key, problem.pk)
    clinic.put(f"{prefix}_goal", key, goal.pk)
    clinic.put(f"{prefix}_objective", key, objective.pk)
    clinic.put(f"{prefix}_intervention", key, intervention.pk)


def _plans(clinic: MatrixClinic) -> None:
    """A signed plan (waiting for the patient's and the physician's signatures) for the
    full records; a complete draft plan for Ellis (Ad) and Frankie (Bd)."""
    for key in FULL_RECORD:
        _plan(clinic, key, sign=True)
    for key in ("Ad", "Bd"):
        _plan(clinic, key, sign=False)


def _measures(clinic: MatrixClinic) -> None:
    """A PHQ-9 with a suicide-risk answer (an open alert) and a questionnaire due with its
    one-time link."""
    from stepwell.measures import services as measures
    from stepwell.measures.models import Alert

    for key in FULL_RECORD:
        author = clinic.users[AUTHORS[key][0]]
        patient = clinic.patients[key]
        recorded = measures.administration_record(
            actor=author, patient_id=patient.pk, instrument_key="phq9", answers=PHQ9_WITH_RISK
        )
        clinic.put("administration", key, recorded.administration.pk)
        clinic.put("alert", key, Alert.objects.get(administration=recorded.administration).pk)
        sent = measures.questionnaire_send(
            actor=author, patient_id=patient.pk, instrument_key="gad7"
        )
        clinic.put("due_administration", key, sent.administration.pk)
        clinic.tokens[f"questionnaire:{key}"] = sent.token


def _occurrence(program, *, starts_at, facilitators, patients, title):
    from stepwell.schedule.models import Enrollment, SessionOccurrence

    occurrence = SessionOccurrence.objects.create(
        program=program,
        kind="process_group",
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        capacity=12,
        enrolled_count=len(patients),
    )
    occurrence.facilitators.set(facilitators)
    for patient in patients:
        Enrollment.objects.create(occurrence=occurrence, patient=patient)
    return occurrence


def _birp(patient) -> dict:
    name = patient.legal_first_name
    return {
        "behavior": f"{name} engaged, affect brighter.",
        "intervention": f"DBT distress tolerance practised with {name}.",
        "response": f"{name} named two triggers and a coping step.",
        "plan": f"{name} logs urges daily until next group.",
        "risk_check": "no_risk",
    }


def _group(clinic: MatrixClinic, program_key: str, *, days_ago: int, sign: bool) -> int:

    # Ellis and Frankie are in the signed group only: walk-ins of the other.
    members = [k for k in ADMITTED if PATIENTS[k][2] == program_key and (sign or k in FULL_RECORD)]
    facilitator = clinic.users["clinician" if program_key == "A" else "clinician_other"]
    day = (clinic.now - timedelta(days=days_ago)).date()
    occurrence = _occurrence(
        clinic.programs[program_key],
        starts_at=datetime.combine(day, time(15, 0), tzinfo=UTC),
        facilitators=[facilitator],
        patients=[clinic.patients[k] for k in members],
        title=f"Process group {program_key}",
    )
    _, rows = attendance_services.attendance_roster_open(
        actor=facilitator, occurrence_id=occurrence.pk
    )
    during = occurrence.starts_at + timedelta(minutes=20)
    for row in rows:
        attendance_services.attendance_mark(
            actor=facilitator, attendance_id=row.pk, status="present", now=during
        )
    note = group_notes.group_note_open(actor=facilitator, occurrence_id=occurrence.pk)
    sections = {section.patient_id: section for section in note.sections.all()}
    group_notes.group_note_update(
        actor=facilitator,
        group_note_id=note.pk,
        shared={"topic": "Distress tolerance", "interventions": "DBT skills"},
        sections={
            section.pk: _birp(clinic.patients[k])
            for k in members
            if (section := sections.get(clinic.patients[k].pk))
        },
    )
    suffix = "_signed" if sign else ""
    if sign:
        group_notes.group_note_sign(
            actor=facilitator, group_note_id=note.pk, now=occurrence.ends_at + timedelta(hours=1)
        )
    for k in members:
        clinic.put(f"occurrence{suffix}", k, occurrence.pk)
        clinic.put(f"group_section{suffix}", k, sections[clinic.patients[k].pk].pk)
        row = next(r for r in rows if r.patient_id == clinic.patients[k].pk)
        clinic.put(f"attendance{suffix}", k, row.pk)
    return occurrence.pk


def _individual_notes(clinic: MatrixClinic) -> None:
    """Per full record: an appointment with attendance, a draft note by the care team's
    clinician, a signed note by a counsellor that waits for a co-signature, and two
    psychotherapy notes (the clinician's and the counsellor's)."""
    from stepwell.schedule.models import Appointment

    for key in FULL_RECORD:
        program_key = PATIENTS[key][2]
        patient = clinic.patients[key]
        author_key = AUTHORS[key][0]
        counsellor_key = "counsellor" if program_key == "A" else "counsellor_b"
        author = clinic.users[author_key]
        counsellor = clinic.users[counsellor_key]
        start = datetime.combine((clinic.now - timedelta(days=1)).date(), time(20, 0), tzinfo=UTC)
        appointment = Appointment.objects.create(
            patient=patient,
            staff=author,
            program=clinic.programs[program_key],
            kind="individual",
            starts_at=start,
            ends_at=start + timedelta(minutes=50),
        )
        clinic.put("appointment", key, appointment.pk)
        row = attendance_services.attendance_for_appointment_open(
            actor=author, appointment_id=appointment.pk
        )
        clinic.put("appointment_attendance", key, row.pk)
        draft = note_services.note_create(
            actor=author,
            patient_id=patient.pk,
            kind="individual",
            started_at=start,
            ended_at=start + timedelta(minutes=50),
            appointment_id=appointment.pk,
        )
        note_services.note_update(actor=author, note_id=draft.pk, data=_birp(patient))
        clinic.put("note", key, draft.pk)
        signed = note_services.note_create(
            actor=counsellor,
            patient_id=patient.pk,
            kind="individual",
            started_at=start - timedelta(days=2),
            ended_at=start - timedelta(days=2) + timedelta(minutes=50),
        )
        note_services.note_update(actor=counsellor, note_id=signed.pk, data=_birp(patient))
        note_services.note_sign(actor=counsellor, note_id=signed.pk)
        clinic.put("note_signed", key, signed.pk)
        for which, writer_key in (("author", author_key), ("other_author", counsellor_key)):
            if which == "other_author" and writer_key == author_key:
                continue
            text = psychotherapy_text(key, writer_key)
            note = psychotherapy.psychotherapy_note_create(
                actor=clinic.users[writer_key], patient_id=patient.pk, text=text
            )
            clinic.put(f"psychotherapy_note_{which}", key, note.pk)
            clinic.psychotherapy.append((writer_key, text))


def _care(clinic: MatrixClinic) -> None:
    for program_key in ("A", "B"):
        _group(clinic, program_key, days_ago=2, sign=True)
        _group(clinic, program_key, days_ago=1, sign=False)
    _individual_notes(clinic)


def _schedule(clinic: MatrixClinic) -> None:
    """Per program: a group next week (for booking and cancelling), an optimizer run that
    failed (nothing to accept), and calendar feeds of the patients and clinicians."""
    from stepwell.schedule.booking import feeds
    from stepwell.schedule.calendar.weeks import iso_week_of
    from stepwell.schedule.models import PlanRunStatus, SchedulePlanRun

    next_week = (clinic.now + timedelta(days=7)).date()
    for program_key in ("A", "B"):
        program = clinic.programs[program_key]
        facilitator = clinic.users["clinician" if program_key == "A" else "clinician_other"]
        occurrence = _occurrence(
            program,
            starts_at=datetime.combine(next_week, time(15, 0), tzinfo=UTC),
            facilitators=[facilitator],
            patients=[],
            title=f"Skills group {program_key}",
        )
        clinic.put("future_occurrence", program_key, occurrence.pk)
        run = SchedulePlanRun.objects.create(
            program=program,
            week=iso_week_of(next_week),
            requested_by=clinic.users["director" if program_key == "A" else "director_b"],
            status=PlanRunStatus.FAILED,
            message="No feasible plan (a fixture run).",
        )
        clinic.put("run", program_key, run.pk)
        clinic.weeks[program_key] = iso_week_of(next_week)
    for patient_key, owner in (("A", "patient"), ("B", "other_patient")):
        feed = feeds.feed_create(
            actor=clinic.users[owner], patient_id=clinic.patients[patient_key].pk
        )
        clinic.tokens[f"feed:{patient_key}"] = feed.token
    for staff_key in ("clinician", "clinician_other"):
        user = clinic.users[staff_key]
        feed = feeds.feed_create(actor=user, staff_id=user.pk)
        clinic.tokens[f"feed:{staff_key}"] = feed.token


def _staff_hours(clinic: MatrixClinic) -> None:
    """The clinicians work every day, 7:00 to 21:00: appointments can be booked with them."""
    from stepwell.schedule.models import StaffAvailability

    for key in ("clinician", "clinician_other", "prescriber", "prescriber_b"):
        for weekday in range(7):
            StaffAvailability.objects.create(
                user=clinic.users[key], weekday=weekday, start=time(7, 0), end=time(21, 0)
            )


def _setup_records(clinic: MatrixClinic) -> None:
    """One record of each kind clinic setup (/setup/) edits, so its pages have one to show.
    Dates are far ahead, so nothing here changes the weeks the matrix looks at."""
    from stepwell.billing.models import ProgramHoursRule
    from stepwell.measures.models import InstrumentSetting, ScheduleRule
    from stepwell.plans.models import ProgramPlanPolicy
    from stepwell.schedule.models import (
        CurriculumModule,
        GroupSeries,
        Holiday,
        Room,
        StaffLeave,
        StaffSchedulingProfile,
    )

    from .factories import PayerFactory

    program = clinic.programs["B"]
    far = clinic.now.date() + timedelta(days=730)
    room = Room.objects.create(site=program.site, name="Room 1")
    CurriculumModule.objects.create(program=program, position=1, title="Urge surfing")
    GroupSeries.objects.create(
        program=program,
        kind="skills_group",
        title="Evening skills",
        room=room,
        start_time=time(18, 0),
        duration_minutes=180,
        recurrence="FREQ=WEEKLY;BYDAY=MO",
        starts_on=far,
    )
    Holiday.objects.create(program=program, date=far, name="A far holiday")
    StaffLeave.objects.create(user=clinic.users["counsellor_b"], starts_on=far, ends_on=far)
    StaffSchedulingProfile.objects.create(user=clinic.users["counsellor_b"])
    ProgramPlanPolicy.objects.create(program=program)
    ProgramHoursRule.objects.create(
        program=program, min_daily_minutes=180, min_days=3, day_counts_from_minutes=180
    )
    ScheduleRule.objects.create(program=program, instrument_key="gad7", every_days=7)
    InstrumentSetting.objects.create(instrument_key="asq", enabled=True)
    PayerFactory(name="Matrix Synthetic Payer")


def _exports(clinic: MatrixClinic) -> None:
    """A finished bulk FHIR export per program, asked for by its director."""
    from stepwell.interop import bulk

    for program_key, director in (("A", "director"), ("B", "director_b")):
        job = bulk.bulk_export_start(
            actor=clinic.users[director], program_id=clinic.programs[program_key].pk
        )
        job.refresh_from_db()
        clinic.put("export", program_key, job.pk)
        clinic.export_files[program_key] = job.output[0]["file"] if job.output else ""


def _claim_batches(clinic: MatrixClinic) -> None:
    """A claims file per program (no claim in it: the matrix judges access to it)."""
    from stepwell.billing.models import ClaimBatch

    for program_key in ("A", "B"):
        batch = ClaimBatch.objects.create(
            program=clinic.programs[program_key],
            date_from=date(2020, 1, 6),
            date_to=date(2020, 1, 12),
            file_format="837i",
            content="",
            created_by_name="matrix",
            created_at=clinic.now,
        )
        clinic.put("claim_batch", program_key, batch.pk)


def _meds(clinic: MatrixClinic) -> None:
    """Per full record: a medication (sertraline) and "no known allergies" recorded by the
    care team's prescriber, an admission reconciliation with its one decision made but not
    signed, a draft medication visit by that prescriber, and a point-of-care drug test with
    negative results recorded by the care team's clinician."""
    from stepwell.meds import services as meds
    from stepwell.meds.services import DecisionIn, MedicationData

    for key in FULL_RECORD:
        clinician, prescriber = (clinic.users[k] for k in AUTHORS[key])
        patient = clinic.patients[key]
        medication = meds.medication_create(
            actor=prescriber,
            patient_id=patient.pk,
            data=MedicationData(
                formulary_key="sertraline",
                dose="50",
                unit="mg",
                frequency="once daily",
                start_date=clinic.now.date() - timedelta(days=20),
            ),
        )
        clinic.put("medication", key, medication.pk)
        meds.allergy_record(actor=prescriber, patient_id=patient.pk, kind="no_known_allergies")
        reconciliation = meds.reconciliation_start(
            actor=prescriber, episode_id=clinic.ids["episode"][key], occasion="admission"
        )
        meds.reconciliation_decide(
            actor=prescriber,
            reconciliation_id=reconciliation.pk,
            decision=DecisionIn(medication_id=medication.pk, decision="continue"),
        )
        clinic.put("reconciliation", key, reconciliation.pk)
        visit = meds.visit_start(
            actor=prescriber,
            patient_id=patient.pk,
            started_at=clinic.now - timedelta(hours=3),
            ended_at=clinic.now - timedelta(hours=2, minutes=30),
        )
        clinic.put("visit", key, visit.note_id)
        test = meds.drug_test_point_of_care(
            actor=clinician,
            patient_id=patient.pk,
            collected_at=clinic.now - timedelta(hours=4),
            observed=True,
            results={"cocaine": "negative", "opiates": "negative"},
        )
        clinic.put("drug_test", key, test.pk)


def _consent(clinic: MatrixClinic) -> None:
    """Per patient A and B: a signed release (paper) to a named recipient, a consent
    waiting for the portal signature, a disclosure under the release, an amendment request
    of the patient, and an emergency access by a clinician of the other program."""
    from stepwell.consent import services as consent

    # The programs' date, not UTC's: the consent service refuses a signature dated in the
    # patient's future.
    today = clinic.today
    keepers = {"A": "clinician", "B": "clinician_other"}
    outsiders = {"A": "clinician_other", "B": "clinician"}
    for key in ("A", "B"):
        patient = clinic.patients[key]
        actor = clinic.users[keepers[key]]
        program_id = clinic.programs[key].pk
        terms = {
            "actor": actor,
            "patient_id": patient.pk,
            "kind": "part2",
            "program_ids": [program_id],
            "recipient_kind": "named",
            "recipients": MATRIX_RECIPIENT,
            "purpose": "treatment",
            "sections": ["diagnoses", "measures"],
            "information_description": "Diagnoses and questionnaire scores.",
            "expires_on": today + timedelta(days=365),
        }
        signed = consent.consent_record(
            **terms,
            signature_method="paper",
            signer_name=patient.legal_name,
            signed_on=today,
            scan=b"%PDF-1.4 matrix",
            scan_content_type="application/pdf",
        )
        waiting = consent.consent_record(**terms, signature_method="portal")
        disclosure = consent.disclosure_make(
            actor=actor,
            patient_id=patient.pk,
            basis="consent",
            consent_id=signed.pk,
            data=consent.DisclosureInput(
                recipient=MATRIX_RECIPIENT,
                purpose="treatment",
                sections=("diagnoses",),
                date_from=None,
                date_to=None,
                document_format="pdf",
            ),
        )
        amendment = consent.amendment_request(
            actor=patient.user, section="diagnoses", request="Please correct the diagnosis."
        )
        grant = consent.break_glass_open(
            actor=clinic.users[outsiders[key]],
            record_number=patient.mrn,
            reason="Matrix: patient in crisis, the care team is away.",
            now=clinic.now - timedelta(hours=3),  # over: it widens nobody's view
        )
        clinic.put("consent", key, signed.pk)
        clinic.put("consent_waiting", key, waiting.pk)
        clinic.put("disclosure", key, disclosure.pk)
        clinic.put("amendment", key, amendment.pk)
        emergency = consent.emergency_disclosure_make(
            actor=actor,
            patient_id=patient.pk,
            emergency="Matrix: collapsed at work; the emergency department asks for diagnoses.",
            data=consent.DisclosureInput(
                recipient="Dr. Matrix Lee",
                recipient_affiliation="County General emergency department",
                purpose="treatment",
                sections=("diagnoses",),
                date_from=None,
                date_to=None,
                document_format="pdf",
            ),
        )
        clinic.put("grant", key, grant.pk)
        clinic.put("emergency_disclosure", key, emergency.pk)


MATRIX_RECIPIENT = "Dr. Matrix Rivera, Harbor Family Medicine"
MATRIX_MILESTONE = "Matrix milestone: spoke up in group"


def _milestones(clinic: MatrixClinic) -> None:
    """Per full record: a milestone recorded by the care team's clinician."""
    from stepwell.milestones import services as milestones

    for key in FULL_RECORD:
        milestones.milestone_record(
            actor=clinic.users[AUTHORS[key][0]],
            patient_id=clinic.patients[key].pk,
            title=MATRIX_MILESTONE,
            text="Shared a coping plan with the group.",
            achieved_on=clinic.today - timedelta(days=1),
        )


# Three former patients per program (never shown as matrix people): an alumnus who is an
# approved peer mentor paired with Ad/Bd, a volunteer waiting for approval, one who left.
ALUMNI_NAMES = {"alumnus": "Ardent", "volunteer": "Verity", "former": "Fenwick"}


def _alumni(clinic: MatrixClinic) -> None:
    """Per program: the three former patients above, an alumni group meeting tomorrow and
    a one-off that met yesterday (attendance can be taken)."""
    from stepwell.alumni import services as alumni
    from stepwell.patients.models import EpisodeState

    from .factories import EpisodeFactory, PatientFactory, UserFactory

    now, today = clinic.now, clinic.today
    for key in ("A", "B"):
        program, staff = clinic.programs[key], clinic.users[FACILITATOR_OF[key]]
        people = {}
        for kind, last in ALUMNI_NAMES.items():
            person = PatientFactory(
                legal_first_name=f"{kind.title()}{key}",
                legal_last_name=f"{last}{key}",
                user=UserFactory(username=f"m_{kind}_{key}", kind="patient"),
            )
            EpisodeFactory(
                patient=person,
                program=program,
                state=EpisodeState.DISCHARGED,
                referred_on=today - timedelta(days=120),
                admitted_on=today - timedelta(days=100),
                discharged_on=today - timedelta(days=30),
                discharge_disposition="completed",
            )
            clinic.put(kind, key, person.pk)
            people[kind] = person
            if kind != "former":
                mentor = alumni.peer_mentor_volunteer(actor=person.user, about="I listen.", now=now)
                clinic.put(f"mentor_{kind}", key, mentor.pk)
        alumni.alumni_opt_out_self(actor=people["former"].user, reason="Matrix", now=now)
        alumni.peer_mentor_approve(
            actor=staff, mentor_id=clinic.ids["mentor_alumnus"][key], now=now
        )
        pairing = alumni.mentor_pair(
            actor=staff,
            mentor_id=clinic.ids["mentor_alumnus"][key],
            patient_id=clinic.patients[f"{key}d"].pk,
            patient_agreed_on=today - timedelta(days=1),
            agreed_how="in_person",
            now=now,
        )
        clinic.put("mentor_pairing", key, pairing.pk)
        terms = {"actor": staff, "program_id": program.pk, "format": "in_person"}
        coming = alumni.alumni_event_create(
            **terms,
            title=f"Matrix alumni circle {key}",
            place="Room 1",
            recurrence="weekly",
            first_day=today + timedelta(days=1),
            start_time=time(18, 0),
            duration_minutes=90,
            repeats_until=today + timedelta(days=15),
            now=now,
        )
        past = alumni.alumni_event_create(
            **terms,
            title=f"Matrix alumni picnic {key}",
            place="Park",
            recurrence="once",
            first_day=today - timedelta(days=1),
            start_time=time(12, 0),
            duration_minutes=120,
            now=now - timedelta(days=2),
        )
        clinic.put("alumni_meeting", key, coming.meetings.order_by("starts_at")[0].pk)
        clinic.put("alumni_meeting_past", key, past.meetings.get().pk)


FACILITATOR_OF = {"A": "clinician", "B": "clinician_other"}


def _chart_people(clinic: MatrixClinic) -> None:
    """A family contact and a primary coverage for each patient with a full record."""
    from stepwell.billing.services import coverage_add
    from stepwell.patients.contacts import family_contact_add

    from .factories import PayerFactory

    payer = PayerFactory(name="Matrix Coverage Payer")
    for key in FULL_RECORD:
        director = clinic.users["director"] if key != "B" else clinic.users["director_b"]
        patient_id = clinic.patients[key].pk
        contact = family_contact_add(
            actor=director,
            patient_id=patient_id,
            data={"name": f"Family of {key}", "relationship": "parent"},
        )
        coverage = coverage_add(
            actor=director, patient_id=patient_id, payer_id=payer.pk, member_id=f"MX-{key}"
        )
        clinic.put("family_contact", key, contact.pk)
        clinic.put("coverage", key, coverage.pk)


def _discharge(clinic: MatrixClinic) -> None:
    """A, A2, B: a draft discharge summary ready to sign and a draft aftercare plan with a
    contact and an appointment; Ad, Bd: a signed summary (for addenda); each program: a
    support group in its directory."""
    from stepwell.discharge import services as discharge

    for key in ("A", "A2", "B", "Ad", "Bd"):
        author = clinic.users[AUTHORS[key][0]]
        episode_id = clinic.ids["episode"][key]
        discharge.discharge_summary_draft(actor=author, episode_id=episode_id)
        discharge.discharge_summary_update(
            actor=author,
            episode_id=episode_id,
            changes={
                "course_of_treatment": "Matrix: attended groups.",
                "condition_at_discharge": "Matrix: stable.",
                "recommendations": "Matrix: weekly therapy.",
                "disposition": "completed",
            },
        )
        if key in ("Ad", "Bd"):
            discharge.discharge_summary_sign(actor=author, episode_id=episode_id)
            continue
        plan = discharge.aftercare_plan_start(actor=author, episode_id=episode_id)
        discharge.aftercare_plan_update(
            actor=author,
            episode_id=episode_id,
            changes={"warning_signs": "Matrix: sleeping late", "coping_strategies": "Walks"},
        )
        contact = discharge.aftercare_contact_add(
            actor=author,
            episode_id=episode_id,
            name="Matrix Sister",
            relationship="Sister",
            phone="555-0100",
            consent_given=True,
        )
        appointment = discharge.aftercare_appointment_add(
            actor=author,
            episode_id=episode_id,
            kind="therapist",
            provider="Dr. Matrix",
            starts_at=clinic.now + timedelta(days=10),
            place="Main St",
        )
        clinic.put("aftercare_plan", key, plan.pk)
        clinic.put("aftercare_contact", key, contact.pk)
        clinic.put("aftercare_appointment", key, appointment.pk)
    for key in ("A", "B"):
        group = discharge.support_group_add(
            actor=clinic.users["director" if key == "A" else "director_b"],
            program_id=clinic.programs[key].pk,
            kind="aa",
            name=f"Matrix AA {key}",
            meeting_day=1,
            meeting_time=time(19),
            place="Hall",
        )
        clinic.put("support_group", key, group.pk)


def _billing_work(clinic: MatrixClinic) -> None:
    """Billing work (issue 17): per patient A, A2, B an approved authorization and a
    pending request with its open review; per program a claim on its claims file and an
    imported remittance. The payer is the one of the patients' coverages."""
    from decimal import Decimal

    from stepwell.billing.models import Claim, Coverage, Remittance
    from stepwell.billing.services import authorization_create

    for key in ("A", "A2", "B"):
        director = clinic.users["director" if key != "B" else "director_b"]
        patient = clinic.patients[key]
        coverage = Coverage.objects.get(pk=clinic.ids["coverage"][key])
        common = {
            "actor": director,
            "patient_id": patient.pk,
            "program_id": clinic.programs[PROGRAM_OF_KEY[key]].pk,
            "payer_id": coverage.payer_id,
        }
        approved = authorization_create(
            **common,
            starts_on=date(2020, 1, 1),
            ends_on=date(2020, 3, 31),
            number=f"MX-AUTH-{key}",
            units_approved=12,
        )
        pending = authorization_create(
            **common, starts_on=date(2020, 4, 1), ends_on=date(2020, 5, 31), status="pending"
        )
        clinic.put("authorization", key, approved.pk)
        clinic.put("review", key, pending.reviews.get().pk)
    for program_key in ("A", "B"):
        program = clinic.programs[program_key]
        coverage = Coverage.objects.get(pk=clinic.ids["coverage"][program_key])
        claim = Claim.objects.create(
            batch_id=clinic.ids["claim_batch"][program_key],
            program=program,
            patient=coverage.patient,
            coverage=coverage,
            payer=coverage.payer,
            claim_number=f"SWMX{program_key}0001",
            statement_from=date(2020, 1, 6),
            statement_to=date(2020, 1, 10),
            total_charge=Decimal("250.00"),
            created_at=clinic.now,
        )
        remittance = Remittance.objects.create(
            program=program,
            payer_name="MATRIX PAYER",
            trace_number=f"MX-{program_key}",
            total_paid=Decimal("0"),
            content="",
            created_by_name="matrix",
            created_at=clinic.now,
        )
        clinic.put("claim", program_key, claim.pk)
        clinic.put("remittance", program_key, remittance.pk)


PROGRAM_OF_KEY = {"A": "A", "A2": "A", "B": "B"}


ADDITIONS = (
    _assessments,
    _plans,
    _measures,
    _care,
    _schedule,
    _staff_hours,
    _exports,
    _setup_records,
    _claim_batches,
    _meds,
    _consent,
    _milestones,
    _alumni,
    _chart_people,
    _billing_work,
    add_follow_ups,
    _discharge,
)
