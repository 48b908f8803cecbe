"""The care pages' forms: typed fields, so bad input is a field error, never a crash.

Times are typed on the program's wall clock (a `datetime-local` input) and read in the
program's time zone. Records chosen from a list (a curriculum module, plan goals and
objectives, a section) are ids of plain ASCII digits: anything else ('abc', '٣', '²', 40
digits) is "Choose one of the listed options." Whether the chosen record is one of this
patient's or this program's is the service's rule, which names the field.
"""

from __future__ import annotations

from datetime import datetime

from django import forms

from stepwell.care.attendance.states import AttendanceStatus
from stepwell.care.models import FORMAT_CHOICES, ClinicalNote, Modality, NoteKind, RiskCheck
from stepwell.care.notes.formats import SECTION_LABELS, sections_of
from stepwell.core.converters import record_id_or_none
from stepwell.schedule.calendar.weeks import local_to_utc, utc_to_local

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
NOT_LISTED = "Choose one of the listed options."


def local_input(zone: str, moment: datetime | None) -> str:
    """An instant as the program's wall clock, for a datetime-local input."""
    return utc_to_local(zone, moment).strftime(LOCAL_INPUT) if moment else ""


class ProgramTimeField(forms.CharField):
    """A date and time on the program's wall clock, cleaned to an aware UTC instant."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}))
        super().__init__(*args, **kwargs)
        self.zone = "UTC"

    def to_python(self, value) -> datetime | None:
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            naive = datetime.strptime(value, LOCAL_INPUT)  # noqa: DTZ007 - zone applied next
        except ValueError as error:
            raise forms.ValidationError("Give a date and time like 2026-12-08T09:30.") from error
        try:
            return local_to_utc(self.zone, naive.date(), naive.time())
        except OverflowError as error:  # 0001-01-01 or 9999-12-31 shifted out of the calendar
            raise forms.ValidationError("Give a date and time within the calendar.") from error


class RecordIdField(forms.CharField):
    """A record chosen from a list (a select's value): None when left empty."""

    default_error_messages = {"not_listed": NOT_LISTED}

    def to_python(self, value) -> int | None:
        value = super().to_python(value).strip()
        if not value:
            return None
        number = record_id_or_none(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["not_listed"], code="not_listed")
        return number


class RecordIdsField(forms.Field):
    """Records ticked in a list of checkboxes: every value must be a record id."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        numbers = []
        for item in value or []:
            number = record_id_or_none(str(item).strip())
            if number is None:
                raise forms.ValidationError(NOT_LISTED)
            numbers.append(number)
        return numbers


class ZonedForm(forms.Form):
    """A form whose times are read in the program's time zone."""

    def __init__(self, *args, zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, ProgramTimeField):
                field.zone = zone


# ---- attendance ----------------------------------------------------------------------


class AttendanceMarkForm(ZonedForm):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in AttendanceStatus])
    check_in_at = ProgramTimeField(required=False)
    check_out_at = ProgramTimeField(required=False)
    reason = forms.CharField(required=False, max_length=2000)


class WalkInForm(forms.Form):
    patient_id = RecordIdField(error_messages={"required": "Choose the patient."})
    status = forms.ChoiceField(
        choices=[
            (AttendanceStatus.PRESENT.value, "Present"),
            (AttendanceStatus.LATE.value, "Late"),
        ],
        required=False,
    )

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or AttendanceStatus.PRESENT


# ---- notes ---------------------------------------------------------------------------


def _add_section_fields(form: forms.Form, note: ClinicalNote, prefix: str) -> None:
    """One note's section fields, named `<prefix><field>` as the services name them."""
    for field in sections_of(note.note_format):
        form.fields[f"{prefix}{field}"] = forms.CharField(
            required=False, label=SECTION_LABELS[field], widget=forms.Textarea
        )
    form.fields[f"{prefix}risk_check"] = forms.ChoiceField(
        choices=RiskCheck.choices, required=False, label="Risk check"
    )
    form.fields[f"{prefix}risk_notes"] = forms.CharField(required=False, label="Risk notes")
    form.fields[f"{prefix}goal_ids"] = RecordIdsField(required=False, label="Plan goals")
    form.fields[f"{prefix}objective_ids"] = RecordIdsField(required=False, label="Plan objectives")
    if note.kind == NoteKind.MEDICATION:
        form.fields[f"{prefix}medication_changes"] = forms.CharField(
            required=False, label="Medication changes discussed", widget=forms.Textarea
        )


def _section_data(form: forms.Form, note: ClinicalNote, prefix: str) -> dict:
    """A section's values for the services. A text field the request did not send is left
    as it is (None); unticked goals and objectives are unlinked."""
    data = {}
    for name in form.fields:
        if not name.startswith(prefix):
            continue
        field = name[len(prefix) :]
        if field in ("goal_ids", "objective_ids") or name in form.data:
            data[field] = form.cleaned_data[name]
        else:
            data[field] = None
    return data


def section_rows(form: forms.Form | None, note: ClinicalNote, prefix: str) -> list[dict]:
    """The text fields of a section as the page shows them: label, value (as posted, when
    a form was), error."""
    bound = form is not None and form.is_bound
    rows = []
    for field in sections_of(note.note_format):
        name = f"{prefix}{field}"
        value = form.data.get(name, getattr(note, field)) if bound else getattr(note, field)
        errors = form.errors.get(name) if bound else None
        rows.append(
            {
                "name": name,
                "label": SECTION_LABELS[field],
                "value": value,
                "error": errors[0] if errors else None,
            }
        )
    return rows


class GroupNoteForm(ZonedForm):
    """The shared section, and one section per participant present (`section-<id>-`)."""

    topic = forms.CharField(required=False, max_length=300)
    interventions = forms.CharField(required=False, widget=forms.Textarea)
    curriculum_module = RecordIdField(required=False)
    started_at = ProgramTimeField(required=False)
    ended_at = ProgramTimeField(required=False)
    modality = forms.ChoiceField(choices=Modality.choices, required=False)
    note_format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)
    action = forms.ChoiceField(choices=[("save", "Save"), ("sign", "Sign")], required=False)

    def __init__(self, *args, sections: list[ClinicalNote], **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            _add_section_fields(self, section, f"section-{section.pk}-")

    def shared(self, group_note) -> dict:
        """The shared section for group_note_update; a blank time keeps the stored one."""
        data = self.cleaned_data
        return {
            "topic": data["topic"],
            "interventions": data["interventions"],
            "modality": data["modality"] or group_note.modality,
            "note_format": data["note_format"] or group_note.note_format,
            "started_at": data["started_at"],
            "ended_at": data["ended_at"],
            "curriculum_module_id": data["curriculum_module"],
        }

    def section_data(self) -> dict[int, dict]:
        return {s.pk: _section_data(self, s, f"section-{s.pk}-") for s in self.sections}

    def wants_signing(self) -> bool:
        return self.cleaned_data["action"] == "sign"


class NoteEditForm(forms.Form):
    """A draft individual or medication note: its format's sections, risk check, goals."""

    note_format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def __init__(self, *args, note: ClinicalNote, **kwargs):
        super().__init__(*args, **kwargs)
        self.note = note
        _add_section_fields(self, note, "")

    def note_data(self) -> dict:
        data = _section_data(self, self.note, "")
        data.pop("note_format", None)
        if self.cleaned_data["note_format"]:
            data["note_format"] = self.cleaned_data["note_format"]
        return data


NOTE_ACTIONS = [
    ("save", "Save draft"),
    ("sign", "Sign"),
    ("addendum", "Add addendum"),
    ("cosign", "Co-sign"),
]


class NoteActionForm(forms.Form):
    """Which button of the note page was pressed."""

    action = forms.ChoiceField(choices=NOTE_ACTIONS, required=False)

    def clean_action(self) -> str:
        return self.cleaned_data["action"] or "save"


class NoteStartForm(ZonedForm):
    kind = forms.ChoiceField(
        choices=[
            (NoteKind.INDIVIDUAL.value, "Individual"),
            (NoteKind.MEDICATION.value, "Medication"),
        ],
        error_messages={"invalid_choice": "Choose individual or medication."},
    )
    note_format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)
    modality = forms.ChoiceField(choices=Modality.choices, required=False)
    started_at = ProgramTimeField(error_messages={"required": "Required."})
    ended_at = ProgramTimeField(error_messages={"required": "Required."})


class AddendumForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea, max_length=10000)


SECTION_NOT_HERE = "That section is not part of this group note."


class GroupAddendumForm(AddendumForm):
    """An addendum to the shared section, or (with `section`) to one participant's."""

    section = RecordIdField(required=False, error_messages={"not_listed": SECTION_NOT_HERE})

    def __init__(self, *args, section_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.section_ids = section_ids

    def clean_section(self) -> int | None:
        section = self.cleaned_data["section"]
        if section is not None and section not in self.section_ids:
            raise forms.ValidationError(SECTION_NOT_HERE)
        return section


class PrivateNoteForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea)


# ---- hours ---------------------------------------------------------------------------


class WeekForm(forms.Form):
    """The ISO week a page shows (`?week=2026-W50`); the current week when left out."""

    week = forms.CharField(required=False, max_length=16)


class TransitionWeekForm(forms.Form):
    week = forms.CharField(required=False, max_length=16)
    reason = forms.CharField(required=False, widget=forms.Textarea)


def form_errors(*forms_: forms.Form | None, message: str = "") -> tuple[str | None, dict]:
    """The top message and the first error of each field, as the care templates show
    them. Without a message, the top repeats the errors (a few), so none goes unseen."""
    field_errors: dict[str, str] = {}
    top: list[str] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            if name == "__all__":
                top.extend(errors)
            else:
                field_errors.setdefault(name, errors[0])
    if not (top or field_errors):
        return None, {}
    if not message:
        unique = list(dict.fromkeys([*top, *field_errors.values()]))
        message = " ".join(unique[:5])
    return message, field_errors
