from django.urls import path

from . import views

app_name = "alumni"
urlpatterns = [
    path("portal/", views.portal_home, name="portal-home"),
    path("portal/meetings/<id:meeting_id>/rsvp/", views.portal_rsvp, name="portal-rsvp"),
    path("portal/mentor/", views.portal_mentor, name="portal-mentor"),
    path("portal/leave/", views.portal_leave, name="portal-leave"),
    path("", views.staff_home, name="home"),
    path("programs/<id:program_id>/", views.program, name="program"),
    path("programs/<id:program_id>/events/", views.event_new, name="event-new"),
    path("programs/<id:program_id>/pairings/", views.pairing_new, name="pairing-new"),
    path("meetings/<id:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<id:meeting_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("mentors/<id:mentor_id>/approve/", views.mentor_approve, name="mentor-approve"),
    path("pairings/<id:pairing_id>/end/", views.pairing_end, name="pairing-end"),
    path("people/<id:patient_id>/opt-out/", views.alumnus_opt_out, name="opt-out"),
    path("people/<id:patient_id>/rejoin/", views.alumnus_rejoin, name="rejoin"),
]
