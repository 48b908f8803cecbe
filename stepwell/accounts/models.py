"""People who log in: staff with roles and credentials, patients, and API tokens."""

from __future__ import annotations

from django.contrib import auth
from django.contrib.auth.models import AbstractUser
from django.db import models

from stepwell.core.kept import KeptRows


class UserKind(models.TextChoices):
    STAFF = "staff", "Staff"
    PATIENT = "patient", "Patient"


class Role(models.TextChoices):
    INTAKE_COORDINATOR = "intake_coordinator", "Intake coordinator"
    CLINICIAN = "clinician", "Clinician"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    PROGRAM_DIRECTOR = "program_director", "Program director"
    BILLING = "billing", "Billing"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    kind = models.CharField(max_length=16, choices=UserKind.choices, default=UserKind.STAFF)
    credentials = models.CharField(
        max_length=100, blank=True, help_text="Professional credentials, e.g. LCSW, LPC, MD, NP."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UserKind.values), name="user_kind_valid"
            )
        ]

    def __str__(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def is_patient_user(self) -> bool:
        return self.kind == UserKind.PATIENT

    def role_keys(self) -> set[str]:
        """Every role the user holds in any program. For labels and navigation only:
        access decisions ask which programs a role is held in (program_ids_with)."""
        return {role for role, _program in self._role_pairs()}

    def has_role(self, *roles: str) -> bool:
        """Holds one of the roles in some program (labels and navigation only)."""
        return bool(self.role_keys() & set(roles))

    def program_ids_with(self, *roles: str) -> frozenset[int]:
        """The programs in which the user holds one of the roles. Roles are per program:
        a director of program A who also works in program B is not a director in B."""
        pairs = self._role_pairs()
        # asked a few dozen times a page (each rule the page checks), so kept with the roles
        # read (roles read again, after forget_roles, start anew)
        known = self.__dict__.get("_programs_with_cache")
        if known is None or known[0] is not pairs:
            known = self._programs_with_cache = (pairs, {})
        found = known[1].get(roles)
        if found is None:
            wanted = set(roles)
            found = known[1][roles] = frozenset(
                program for role, program in pairs if role in wanted and program
            )
        return found

    def has_role_in(self, program_id: int | None, *roles: str) -> bool:
        return program_id is not None and program_id in self.program_ids_with(*roles)

    @property
    def is_administrator(self) -> bool:
        """Administrators configure the whole clinic; their role belongs to no program."""
        return (Role.ADMINISTRATOR, None) in self._role_pairs()

    def has_perm(self, perm: str, obj=None) -> bool:
        """Clinic setup's permissions come from the access rules, through the
        authentication backends (privacy.backends). Unlike Django's PermissionsMixin,
        `is_superuser` is no shortcut: it grants nothing."""
        return self.is_active and any(
            backend.has_perm(self, perm, obj)
            for backend in auth.get_backends()
            if hasattr(backend, "has_perm")
        )

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and any(
            backend.has_module_perms(self, app_label)
            for backend in auth.get_backends()
            if hasattr(backend, "has_module_perms")
        )

    def _role_pairs(self) -> frozenset[tuple[str, int | None]]:
        cached = getattr(self, "_role_pair_cache", None)
        if cached is None:
            if self.kind != UserKind.STAFF or not self.is_active or self.pk is None:
                cached = frozenset()
            else:
                cached = frozenset(_ROLE_PAIRS.rows(user=self.pk))
            self._role_pair_cache = cached
        return cached

    def forget_roles(self) -> None:
        """Drop the cached roles after they change."""
        self.__dict__.pop("_role_pair_cache", None)  # (and with them the programs_with answers)


class RoleAssignment(models.Model):
    """A role held in one program. An administrator's role belongs to no program: it is
    the clinic's configuration, not a program's patients."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    program = models.ForeignKey(
        "clinic.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "program"], name="role_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(program__isnull=True),
                name="role_assignment_unique_without_program",
            ),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="role_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(role="administrator", program__isnull=True)
                    | (~models.Q(role="administrator") & models.Q(program__isnull=False))
                ),
                name="role_program_iff_not_administrator",
            ),
        ]

    def __str__(self) -> str:
        where = f" in {self.program}" if self.program_id else ""
        return f"{self.user.username}: {self.get_role_display()}{where}"


class PersonalAccessToken(models.Model):
    """A staff member's token for integrations. Only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class EnrolmentCode(models.Model):
    """A one-time code an administrator gives a staff member out of band (in person, by
    phone) so they can enrol a new authenticator app. A stolen password alone cannot.

    Only a hash of the code is stored. A code expires, works once, and a new code voids
    the user's earlier ones.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(voided_at__isnull=True),
                name="enrolment_code_used_or_voided",
            )
        ]

    def __str__(self) -> str:
        return f"Enrolment code for {self.user.username}"


# A user's roles, (role, program id) each: read on every request, so kept compiled
# (stepwell/core/kept.py).
_ROLE_PAIRS = KeptRows(
    RoleAssignment,
    lambda user: RoleAssignment.objects.filter(user_id=user).values_list("role", "program_id"),
    user=User._meta.pk,
)
