"""A background job for tests of the job workers: it appends its number to a file, so a
test can see which jobs ran and how many times, across processes."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def job_probe(*, path: str, number: int) -> int:
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{number} {os.getpid()}\n")
    time.sleep(0.05)  # long enough that both workers get some of the queue
    return number
