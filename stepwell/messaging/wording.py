"""What Stepwell's messages say. No Django: the texts are data, tested on their own.

Minimum necessary (HIPAA) and Part 2: an email or text can be read by someone else on the
patient's phone, so a message never names the program, a diagnosis, a substance, a
clinician or the patient's record: only "Stepwell", what to do, and a link. The test
suite checks every text against the words it must never hold
(docs/clinical-sources.md §9.8).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Purpose(StrEnum):
    PORTAL_INVITE = "portal_invite"
    QUESTIONNAIRE = "questionnaire"
    FOLLOW_UP = "follow_up"
    APPOINTMENT_REMINDER = "appointment_reminder"
    ALUMNI_EVENT = "alumni_event"
    SAFETY_PAGE = "safety_page"
    RECORD_NOTICE = "record_notice"


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str  # with {link} and, for reminders, {when}


WORDING = {
    Purpose.PORTAL_INVITE: Wording(
        "Stepwell: your portal invitation",
        "Stepwell: you are invited to the patient portal. Set your password here: {link}",
    ),
    Purpose.QUESTIONNAIRE: Wording(
        "Stepwell: you have a new questionnaire",
        "Stepwell: you have a new questionnaire. {link}",
    ),
    Purpose.FOLLOW_UP: Wording(
        "Stepwell: a short check-in",
        "Stepwell: you have a short check-in to answer. {link}",
    ),
    Purpose.APPOINTMENT_REMINDER: Wording(
        "Stepwell: reminder for tomorrow",
        "Stepwell: a reminder that you have a session tomorrow, {when}. "
        "To stop reminders, change your settings at {link}",
    ),
    Purpose.ALUMNI_EVENT: Wording(
        "Stepwell: event reminder",
        "Stepwell: a reminder of the event on {when}. {link}",
    ),
    Purpose.SAFETY_PAGE: Wording(
        "Stepwell: urgent alert",
        "Stepwell: an urgent safety alert needs a response now. {link}",
    ),
    Purpose.RECORD_NOTICE: Wording(
        "Stepwell: a notice about your record",
        "Stepwell: there is a new notice about your record. Log in to read it: {link}",
    ),
}

# Never in a message: words that tell a reader what the treatment is for.
FORBIDDEN_WORDS = (
    "alcohol",
    "drug",
    "substance",
    "opioid",
    "addiction",
    "recovery",
    "rehab",
    "detox",
    "methadone",
    "buprenorphine",
    "depression",
    "anxiety",
    "suicide",
    "psychiatr",
    "mental health",
    "therapy",
    "therapist",
    "diagnosis",
    "iop",
    "intensive outpatient",
    "42 cfr",
)


def message_text(purpose: Purpose, *, link: str, when: str = "") -> tuple[str, str]:
    """The subject and body of a message: the fixed wording with the link (and time)."""
    wording = WORDING[Purpose(purpose)]
    return wording.subject, wording.body.format(link=link, when=when)


def without_link(body: str, link: str) -> str:
    """The body as the outbox keeps it once the message has gone: the link taken out."""
    return body.replace(link, "[link removed]") if link else body


def forbidden_words_in(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in FORBIDDEN_WORDS if word in lowered]
