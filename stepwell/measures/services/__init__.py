"""Use cases that write measures. One transaction each, audited inside.

- ``instrument_definition_save``: store a licensed definition (versioned);
  ``instrument_setting_set``: switch an instrument off or on for the clinic.
- ``administration_record``: score answers given in session, store them, and raise safety
  alerts at once; ``questionnaire_complete_by_link`` and ``questionnaire_complete_own``
  do the same for a one-time link and the portal.
- ``questionnaire_send``: make a questionnaire due and a one-time link for it;
  ``link_lookup_failure_record``: count a token that opened nothing (throttling).
- ``alert_acknowledge``: close an alert with a note of the action taken;
  ``safety_alert_page_on_call``: page the program's on-call clinician.
- ``schedule_rule_set`` and ``due_questionnaires_generate``: the program's measurement
  schedule and the due questionnaires it creates (``stepwell measures-due`` runs it daily).
"""

from ._common import LINK_HOURS_DEFAULT, link_lifetime, remote_refusal, token_hash
from .administrations import (
    Recorded,
    administration_record,
    questionnaire_complete_by_link,
    questionnaire_complete_own,
)
from .definitions import instrument_definition_save, instrument_setting_set
from .links import (
    SentQuestionnaire,
    link_for_token,
    link_lookup_failure_record,
    questionnaire_send,
)
from .safety import alert_acknowledge, needs_immediate_response, safety_alert_page_on_call
from .schedules import (
    ADMISSION_WINDOW_DAYS,
    DISCHARGE_WINDOW_DAYS,
    due_questionnaires_generate,
    local_noon,
    schedule_rule_set,
)

__all__ = [
    "ADMISSION_WINDOW_DAYS",
    "DISCHARGE_WINDOW_DAYS",
    "LINK_HOURS_DEFAULT",
    "Recorded",
    "SentQuestionnaire",
    "administration_record",
    "alert_acknowledge",
    "due_questionnaires_generate",
    "instrument_definition_save",
    "instrument_setting_set",
    "link_for_token",
    "link_lifetime",
    "link_lookup_failure_record",
    "local_noon",
    "needs_immediate_response",
    "questionnaire_complete_by_link",
    "questionnaire_complete_own",
    "questionnaire_send",
    "remote_refusal",
    "safety_alert_page_on_call",
    "schedule_rule_set",
    "token_hash",
]
