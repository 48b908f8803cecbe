from django.urls import path

from . import views

app_name = "alumni"
urlpatterns = [
    path("portal/", views.portal_home, name="portal-home"),
    path("portal/meetings/<int:meeting_id>/rsvp/", views.portal_rsvp, name="portal-rsvp"),
    path("portal/mentor/", views.portal_mentor, name="portal-mentor"),
    path("portal/leave/", views.portal_leave, name="portal-leave"),
    path("", views.staff_home, name="home"),
    path("programs/<int:program_id>/", views.program, name="program"),
    path("programs/<int:program_id>/events/", views.event_new, name="event-new"),
    path("programs/<int:program_id>/pairings/", views.pairing_new, name="pairing-new"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("mentors/<int:mentor_id>/approve/", views.mentor_approve, name="mentor-approve"),
    path("pairings/<int:pairing_id>/end/", views.pairing_end, name="pairing-end"),
    path("people/<int:patient_id>/opt-out/", views.alumnus_opt_out, name="opt-out"),
    path("people/<int:patient_id>/rejoin/", views.alumnus_rejoin, name="rejoin"),
]
