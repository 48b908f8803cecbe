"""A clinic day for locust: clinicians, directors and patients at work on one Stepwell.

Started by bench/load/run.py, which seeds the database and writes the day's JSON (see
bench/load/prepare.py); STEPWELL_LOAD_DAY names that file. Each simulated person waits
2 to 6 seconds between steps, as someone reading a page before the next click.

- Clinicians read charts and the caseload, open a patient's notes, take attendance (the
  roster page, then marking a row again through the API: a time edit) and write notes
  (start a draft on the page, save its first section).
- Directors open reports, the plan worklist, the referral board, compliance and the
  caseload of their programs.
- Patients open a one-time questionnaire link and answer it (a PHQ-9, every item "not at
  all"), once per link.

A step fails when the answer is not the one a person would see when all goes well (a
refusal, an error page, a form sent back with an error).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import secrets
import string
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task

with open(os.environ["STEPWELL_LOAD_DAY"]) as day_file:
    DAY = json.load(day_file)

CLINIC_ZONE = ZoneInfo("America/Chicago")
REPORTS = ("census", "attendance", "hours", "referrals", "outcomes")
_clinician_seats = itertools.cycle(
    [(person, session) for person in DAY["clinicians"] for session in person["sessions"]]
)
_director_seats = itertools.cycle(
    [(person, session) for person in DAY["directors"] for session in person["sessions"]]
)
_links = iter(DAY["links"])
RADIO = re.compile(r'<input[^>]*type="radio"[^>]*>')
NAME = re.compile(r'name="([^"]+)"')
VALUE = re.compile(r'value="([^"]*)"')
NOTE_URL = re.compile(r"/care/notes/(\d+)/$")


def _csrf() -> str:
    """A CSRF secret the client picks itself (cookie and header carry the same one)."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


class Staff(HttpUser):
    abstract = True
    wait_time = between(2, 6)
    seats = None

    def on_start(self) -> None:
        self.person, session = next(self.seats)
        self.token = _csrf()
        self.client.cookies.set("sessionid", session)
        self.client.cookies.set("csrftoken", self.token)

    def page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    def post(self, url: str, name: str, data: dict, *, expect=(302,)):
        form = {"csrfmiddlewaretoken": self.token, **data}
        with self.client.post(
            url,
            data=form,
            name=name,
            allow_redirects=False,
            headers={"X-CSRFToken": self.token},
            catch_response=True,
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code}")
            return response


class Clinician(Staff):
    weight = 6
    seats = _clinician_seats

    def _patient(self) -> int:
        return random.choice(self.person["patients"])

    @task(5)
    def chart(self) -> None:
        self.page(f"/patients/{self._patient()}/", "chart")

    @task(2)
    def caseload(self) -> None:
        self.page("/caseload/", "caseload")

    @task(1)
    def notes(self) -> None:
        self.page(f"/care/patients/{self._patient()}/notes/", "patient notes")

    @task(2)
    def attendance(self) -> None:
        if not self.person["attendance"]:
            return
        row = random.choice(self.person["attendance"])
        self.page(f"/care/sessions/{row['occurrence_id']}/attendance/", "attendance roster")
        with self.client.post(
            f"/api/v1/care/attendance/{row['pk']}",
            json={"status": row["status"], "reason": "Times checked against the sign-in sheet"},
            headers={"X-CSRFToken": self.token},
            name="attendance mark (API)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(1)
    def write_note(self) -> None:
        now = datetime.now(CLINIC_ZONE)
        started = (now - timedelta(minutes=70)).strftime("%Y-%m-%dT%H:%M")
        ended = (now - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
        created = self.post(
            f"/care/patients/{self._patient()}/notes/new/",
            "note start",
            {
                "kind": "individual",
                "note_format": "birp",
                "modality": "in_person",
                "started_at": started,
                "ended_at": ended,
            },
        )
        found = NOTE_URL.search(created.headers.get("Location", ""))
        if found is None:
            return
        self.post(
            f"/care/notes/{found.group(1)}/",
            "note save",
            {"action": "save", "behavior": "Engaged; described the week's stressors."},
            expect=(200, 302),
        )


class Director(Staff):
    weight = 1
    seats = _director_seats

    def _program(self) -> int:
        return random.choice(self.person["programs"])

    @task(3)
    def report(self) -> None:
        name = random.choice(REPORTS)
        self.page(f"/reports/{name}/?program={self._program()}", f"report {name}")

    @task(1)
    def worklist(self) -> None:
        self.page("/plans/worklist/", "plan worklist")

    @task(1)
    def board(self) -> None:
        self.page("/intake/referrals/", "referral board")

    @task(1)
    def compliance(self) -> None:
        self.page(f"/care/programs/{self._program()}/compliance/", "compliance")

    @task(1)
    def caseload(self) -> None:
        self.page("/caseload/", "caseload")


class Patient(HttpUser):
    weight = 2
    wait_time = between(2, 6)

    @task
    def questionnaire(self) -> None:
        token = next(_links, None)
        if token is None:
            return  # every link of the day is answered
        url = f"/measures/q/{token}/"
        with self.client.get(url, name="questionnaire", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            answers: dict[str, str] = {}
            for radio in RADIO.findall(response.text):
                name, value = NAME.search(radio), VALUE.search(radio)
                if name and value:
                    answers.setdefault(name.group(1), value.group(1))  # the first: "0"
        csrf = self.client.cookies.get("csrftoken", "")
        form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        with self.client.post(
            url,
            data={**answers, "csrfmiddlewaretoken": form.group(1) if form else csrf},
            name="questionnaire answer",
            catch_response=True,
        ) as answered:
            if answered.status_code != 200 or "Your answers were sent" not in answered.text:
                answered.failure(f"{answered.status_code}")
