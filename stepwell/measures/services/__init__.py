"""Use cases that write measures. Each takes the acting user (a person, or a system actor
for a job) and starts with one rule of stepwell.privacy.access.measures, before its one
transaction: calling a use case directly as a user who may not is refused and audited,
exactly as through a page or the API.

- ``instrument_definition_save``: store a licensed definition (versioned);
  ``instrument_setting_set``: switch an instrument off or on for the clinic.
- ``administration_record``: score answers given in session, store them, and raise safety
  alerts at once (paging the on-call clinician when the answer needs an immediate
  response); ``questionnaire_complete_by_link`` and ``questionnaire_complete_own`` do the
  same for a one-time link and the portal.
- ``questionnaire_send``: make a questionnaire due and a one-time link for it;
  ``questionnaire_link_open``: open a link, counting tokens that open nothing (throttling).
- ``alert_acknowledge``: close an alert with a note of the action taken.
- ``schedule_rule_set`` and ``due_questionnaires_generate``: the program's measurement
  schedule and the due questionnaires it creates (``stepwell measures-due`` runs it daily).
"""

from stepwell.measures.models import token_hash

from .administrations import (
    Recorded,
    administration_record,
    questionnaire_complete_by_link,
    questionnaire_complete_own,
)
from .definitions import instrument_definition_save, instrument_setting_set
from .links import (
    LinkOpening,
    SentQuestionnaire,
    questionnaire_link_open,
    questionnaire_send,
)
from .safety import alert_acknowledge
from .schedules import (
    ADMISSION_WINDOW_DAYS,
    DISCHARGE_WINDOW_DAYS,
    due_questionnaires_generate,
    schedule_rule_set,
)

__all__ = [
    "ADMISSION_WINDOW_DAYS",
    "DISCHARGE_WINDOW_DAYS",
    "LinkOpening",
    "Recorded",
    "SentQuestionnaire",
    "administration_record",
    "alert_acknowledge",
    "due_questionnaires_generate",
    "instrument_definition_save",
    "instrument_setting_set",
    "questionnaire_complete_by_link",
    "questionnaire_complete_own",
    "questionnaire_link_open",
    "questionnaire_send",
    "schedule_rule_set",
    "token_hash",
]
