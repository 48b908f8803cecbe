"""The care app's records, one module per room: attendance.py, notes.py, hours.py.
Django finds the models here; the app label and table names are unchanged."""

from stepwell.care.models.attendance import (
    ATTENDANCE_CHOICES,
    Attendance,
    AttendanceChange,
    AttendanceSource,
)
from stepwell.care.models.hours import (
    EpisodeTransitionWeek,
)
from stepwell.care.models.notes import (
    FORMAT_CHOICES,
    SIGNED_NOTE_MESSAGE,
    ClinicalNote,
    GroupNote,
    Modality,
    NoteAddendum,
    NoteCosignature,
    NoteKind,
    PsychotherapyNote,
    RiskCheck,
    SignedRecordGuard,
)

__all__ = [
    "ATTENDANCE_CHOICES",
    "FORMAT_CHOICES",
    "SIGNED_NOTE_MESSAGE",
    "Attendance",
    "AttendanceChange",
    "AttendanceSource",
    "ClinicalNote",
    "EpisodeTransitionWeek",
    "GroupNote",
    "Modality",
    "NoteAddendum",
    "NoteCosignature",
    "NoteKind",
    "PsychotherapyNote",
    "RiskCheck",
    "SignedRecordGuard",
]
