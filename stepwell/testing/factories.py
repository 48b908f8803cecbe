"""factory-boy factories for tests: synthetic people only."""

from __future__ import annotations

from datetime import date

import factory

from stepwell.accounts.models import RoleAssignment, User, UserKind
from stepwell.clinic.models import Organization, Program, ProgramStaff, Site, Track
from stepwell.patients.models import CareTeamMember, Episode, EpisodeState, Patient

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test password


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Test Behavioral Health {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    track = Track.MENTAL_HEALTH
    timezone = "America/Chicago"
    min_weekly_minutes = 540
    max_weekly_minutes = 1140


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    kind = UserKind.STAFF
    password = factory.django.Password(PASSWORD)  # hashed into the INSERT, no second save

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self._factory_roles = list(extracted or ())

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        """Each role is held in each of the programs (roles are per program); the
        administrator role in none. Use `grants` for a role in some programs only."""
        programs = list(extracted or ())
        for program in programs:
            ProgramStaff.objects.create(user=self, program=program)
        for role in self._factory_roles:
            if role == "administrator":
                RoleAssignment.objects.create(user=self, role=role, program=None)
                continue
            for program in programs:
                RoleAssignment.objects.create(user=self, role=role, program=program)

    @factory.post_generation
    def grants(self, create, extracted, **kwargs):
        """Extra (role, program) pairs; the program is added to those the person works in."""
        for role, program in extracted or ():
            if program is not None:
                ProgramStaff.objects.get_or_create(user=self, program=program)
            RoleAssignment.objects.get_or_create(user=self, role=role, program=program)
        self.forget_roles()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"SWT{n:07d}")
    legal_first_name = factory.Sequence(lambda n: f"Pat{n}")
    legal_last_name = "Example"
    date_of_birth = date(1990, 5, 17)
    sex_assigned_at_birth = "female"
    insurance_payer = "Synthetic Health Plan"
    insurance_member_id = "SYN123456"


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    program = factory.SubFactory(ProgramFactory)
    state = EpisodeState.REFERRED
    referred_on = date(2026, 10, 1)


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    team_role = "primary_clinician"


class PayerFactory(factory.django.DjangoModelFactory):
    """A payer with its rule's default numbers (care/hours/rules.py RULE_DEFAULTS)."""

    class Meta:
        model = "billing.Payer"

    name = factory.Sequence(lambda n: f"Synthetic Payer {n}")
    kind = "commercial"
    hours_rule = "h0015"
    min_weekly_minutes = factory.LazyAttribute(lambda o: _rule_default(o, "min_weekly_minutes"))
    min_daily_minutes = factory.LazyAttribute(lambda o: _rule_default(o, "min_daily_minutes"))
    min_days = factory.LazyAttribute(lambda o: _rule_default(o, "min_days"))
    day_counts_from_minutes = factory.LazyAttribute(
        lambda o: _rule_default(o, "day_counts_from_minutes")
    )


def _rule_default(payer, field: str):
    from stepwell.care.hours.rules import RULE_DEFAULTS, RuleKind

    return getattr(RULE_DEFAULTS[RuleKind(payer.hours_rule)], field)


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Coverage"

    patient = factory.SubFactory(PatientFactory)
    payer = factory.SubFactory(PayerFactory)
    priority = "primary"
    member_id = factory.Sequence(lambda n: f"SYN{n:06d}")
