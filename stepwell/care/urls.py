from django.urls import path

from stepwell.care.views import attendance, hours, notes

app_name = "care"
urlpatterns = [
    path("", hours.worklist, name="worklist"),
    path("sessions/<id:occurrence_id>/attendance/", attendance.roster, name="attendance"),
    path("sessions/<id:occurrence_id>/walk-in/", attendance.walk_in, name="attendance_walk_in"),
    path("attendance/<id:attendance_id>/", attendance.mark, name="attendance_mark"),
    path("sessions/<id:occurrence_id>/note/", notes.group_note, name="group_note"),
    path("sessions/<id:occurrence_id>/note/addendum/", notes.group_addendum, name="group_addendum"),
    path("patients/<id:patient_id>/notes/", notes.patient_notes, name="patient_notes"),
    path("patients/<id:patient_id>/notes/new/", notes.note_new, name="note_new"),
    path("notes/<id:note_id>/", notes.note_detail, name="note"),
    path("patients/<id:patient_id>/hours/", hours.patient_hours, name="patient_hours"),
    path("patients/<id:patient_id>/private-notes/", hours.private_notes, name="private_notes"),
    path("programs/<id:program_id>/compliance/", hours.compliance, name="compliance"),
]
