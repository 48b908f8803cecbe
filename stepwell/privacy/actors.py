"""Who acts when no person does: background jobs, commands and the demo builder.

Every service takes the acting user. A job passes an explicit `SystemActor` naming the job,
never `None`, so the audit trail says which job read or wrote a record
(username `system:<job>`, role `system`). A system actor holds no role: an access rule
lets a job do something only where the rule names system actors on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_KIND = "system"


@dataclass(frozen=True)
class SystemActor:
    job: str

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_patient_user = False
    is_administrator = False
    kind = SYSTEM_KIND
    pk = None
    id = None

    def get_username(self) -> str:
        return f"system:{self.job}"

    def role_keys(self) -> set[str]:
        return set()

    def has_role(self, *roles: str) -> bool:
        return False

    def program_ids_with(self, *roles: str) -> frozenset[int]:
        return frozenset()

    def has_role_in(self, program_id, *roles: str) -> bool:
        return False

    def __str__(self) -> str:
        return self.get_username()


def system_actor(job: str) -> SystemActor:
    if not job or not job.strip():
        raise ValueError("A system actor names its job.")
    return SystemActor(job=job.strip())


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def require_actor(actor) -> None:
    """Services refuse to run for nobody: pass a user or a SystemActor."""
    if actor is None:
        raise TypeError("No acting user: pass the user, or system_actor('<job>') for a job.")
