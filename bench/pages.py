"""Server time of a page against a raw SQL query returning the same rows.

Run against a database that holds the demo clinic, with or without the chain:

    DJANGO_SETTINGS_MODULE=stepwell.settings.demo STEPWELL_DATABASE_URL=... \\
        stepwell seed-demo --patients 20000
    DJANGO_SETTINGS_MODULE=stepwell.settings.demo STEPWELL_DATABASE_URL=... \\
        python -m bench.pages

The page is served in-process by Django's test client (the whole request: middleware,
access checks, audit, selectors, template), as a program director of the chain's first
site, or of the demo when there is no chain. The raw query reads the same 50 episodes and
the total count the page shows. The median of several runs is printed as a Markdown table.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

REPEAT = 7
OPEN_STATES = ("referred", "screening", "assessed", "admitted", "active", "on_hold")

RAW_CASELOAD = """
SELECT e.id, e.state, e.referred_on, e.admitted_on, p.id, p.mrn, p.legal_first_name,
       p.legal_last_name, p.preferred_name, g.name
FROM patients_episode e
JOIN patients_patient p ON p.id = e.patient_id
JOIN clinic_program g ON g.id = e.program_id
WHERE e.program_id IN ({programs}) AND e.state IN ({states}) {search}
ORDER BY g.name, e.state, p.legal_last_name, e.id
LIMIT 50
"""
RAW_COUNT = """
SELECT COUNT(*) FROM patients_episode e JOIN patients_patient p ON p.id = e.patient_id
WHERE e.program_id IN ({programs}) AND e.state IN ({states}) {search}
"""


def _median_ms(run) -> float:
    run()  # warm the caches (sessions, content types, templates)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.demo")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from stepwell.accounts.models import Role, User
    from stepwell.patients.models import Episode
    from stepwell.testing.auth import verified_login

    director = User.objects.filter(username="chaindir1").first() or User.objects.get(
        username="director"
    )
    programs = sorted(director.program_ids_with(Role.PROGRAM_DIRECTOR))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = verified_login(Client(), director)
    in_programs = ",".join(str(p) for p in programs)
    states = ",".join(f"'{s}'" for s in OPEN_STATES)
    cases = [("/caseload/", ""), ("/caseload/?q=Adams", "AND p.legal_last_name LIKE '%%Adams%%'")]

    rows = []
    for url, search in cases:

        def page(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

        def raw(search=search):
            with connection.cursor() as cursor:
                cursor.execute(
                    RAW_CASELOAD.format(programs=in_programs, states=states, search=search)
                )
                cursor.fetchall()
                cursor.execute(RAW_COUNT.format(programs=in_programs, states=states, search=search))
                cursor.fetchone()

        server, sql = _median_ms(page), _median_ms(raw)
        rows.append((url, server, sql))

    patients = Episode.objects.filter(program_id__in=programs).count()
    print(
        f"Director {director.username}: {len(programs)} programs, {patients} episodes; "
        f"{connection.vendor}; median of {REPEAT}\n"
    )
    print("| page | server ms | raw SQL ms | ratio |")
    print("|---|---|---|---|")
    for url, server, sql in rows:
        print(f"| `{url}` | {server:.0f} | {sql:.1f} | {server / sql:.0f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
