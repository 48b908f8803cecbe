"""Which milestones an episode of care has earned, from facts Stepwell already holds.
No Django. The caller gathers the facts (facts.py); this module decides.

Rules (docs/clinical-sources.md §3.7 and §3.10 for the score rules, §2 for the hours, §7.4 for
abstinence, and docs/milestones.md):

- First week with the hours met: the first finished week whose weekly hours, as the
  care app's hours rule judges them, are met (the caller passes that judgement).
- 2, 4 and 8 weeks of attendance without an unexcused absence: consecutive finished
  weeks, each with at least one session attended and no unexcused absence. Any other
  finished week starts the count again. Earned on the Sunday of the last week.
- First reliable improvement, response and remission, per instrument: each later score
  of the episode is compared with the episode's first (the baseline) by the measures
  engine (stepwell.measures.change.change_between), never by a threshold of our own.
  Remission counts only when the baseline was not already in remission. An instrument
  whose reliable-change threshold is unverified never earns "reliable improvement".
- An objective met: each objective of the treatment plan marked achieved.
- Every psychoeducation module of the program's curriculum attended at least once.
- 30, 60 and 90 days abstinent by drug testing, counted by the medication app's rule
  (stepwell.meds.testing_rules.days_abstinent). Self-report is not recorded anywhere
  in Stepwell yet, so it is not counted.
- A step-down to a lower level of care.

Each milestone has a code; a code is earned once per episode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from stepwell.measures.change import ChangeClassification, ChangeError, change_between
from stepwell.measures.definitions.model import Instrument
from stepwell.meds.testing_rules import TestDay, days_abstinent

ATTENDANCE_STREAKS = (2, 4, 8)  # weeks
ABSTINENCE_DAYS = (30, 60, 90)


class Rule(StrEnum):
    """The kinds of computed milestone; a code is the rule, or the rule and a key."""

    FIRST_WEEK_HOURS_MET = "first_week_hours_met"
    ATTENDANCE_STREAK = "attendance_weeks"  # attendance_weeks_2, _4, _8
    RELIABLE_IMPROVEMENT = "reliable_improvement"  # reliable_improvement:phq9
    RESPONSE = "response"
    REMISSION = "remission"
    OBJECTIVE_MET = "objective_met"  # objective_met:<objective lineage>
    CURRICULUM_COMPLETE = "curriculum_complete"
    DAYS_ABSTINENT = "days_abstinent"  # days_abstinent_30, _60, _90
    STEP_DOWN = "step_down"


@dataclass(frozen=True)
class WeekFacts:
    """One finished week (Monday to Sunday, program dates) of the episode."""

    monday: date
    attended_sessions: int
    unexcused_absences: int
    hours_met: bool | None = None  # None: not judged (no rule, or not asked)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@dataclass(frozen=True)
class Score:
    on: date
    total: int


@dataclass(frozen=True)
class ScoreSeries:
    instrument: Instrument
    scores: tuple[Score, ...]  # oldest first; the first is the baseline


@dataclass(frozen=True)
class ObjectiveMet:
    key: str  # the objective's lineage: the same objective across plan versions
    description: str
    achieved_on: date


@dataclass(frozen=True)
class Module:
    title: str
    completed_on: date | None  # first attended session of this module


@dataclass(frozen=True)
class StepDown:
    on: date
    level_label: str


@dataclass(frozen=True)
class EpisodeFacts:
    today: date
    weeks: tuple[WeekFacts, ...] = ()  # finished weeks since admission, oldest first
    scores: tuple[ScoreSeries, ...] = ()
    objectives_met: tuple[ObjectiveMet, ...] = ()
    curriculum: tuple[Module, ...] = ()
    drug_tests: tuple[TestDay, ...] = ()
    step_downs: tuple[StepDown, ...] = ()


@dataclass(frozen=True)
class Earned:
    code: str
    title: str
    achieved_on: date
    evidence: dict = field(default_factory=dict, hash=False, compare=True)


def milestones_earned(facts: EpisodeFacts) -> list[Earned]:
    """Every milestone the facts earn, oldest first, each code once."""
    earned: list[Earned] = []
    earned += hours_milestones(facts.weeks)
    earned += attendance_milestones(facts.weeks)
    for series in facts.scores:
        earned += score_milestones(series)
    earned += objective_milestones(facts.objectives_met)
    earned += curriculum_milestones(facts.curriculum)
    earned += abstinence_milestones(facts.drug_tests, facts.today)
    earned += step_down_milestones(facts.step_downs)
    kept = [e for e in earned if e.achieved_on <= facts.today]
    return sorted(kept, key=lambda e: (e.achieved_on, e.code))


def hours_milestones(weeks: tuple[WeekFacts, ...]) -> list[Earned]:
    for week in weeks:
        if week.hours_met:
            return [
                Earned(
                    code=Rule.FIRST_WEEK_HOURS_MET,
                    title="First week with the program hours met",
                    achieved_on=week.sunday,
                    evidence={"week_of": week.monday.isoformat()},
                )
            ]
    return []


def attendance_milestones(weeks: tuple[WeekFacts, ...]) -> list[Earned]:
    earned = []
    run = 0
    for week in weeks:
        if week.attended_sessions > 0 and week.unexcused_absences == 0:
            run += 1
        else:
            run = 0
        if run in ATTENDANCE_STREAKS and not any(e.evidence["weeks"] == run for e in earned):
            first = week.monday - timedelta(weeks=run - 1)
            earned.append(
                Earned(
                    code=f"{Rule.ATTENDANCE_STREAK}_{run}",
                    title=f"{run} weeks of attendance without an unexcused absence",
                    achieved_on=week.sunday,
                    evidence={
                        "weeks": run,
                        "from": first.isoformat(),
                        "to": week.sunday.isoformat(),
                    },
                )
            )
    return earned


def score_milestones(series: ScoreSeries) -> list[Earned]:
    """First reliable improvement, response and remission against the first score."""
    if len(series.scores) < 2:
        return []
    instrument = series.instrument
    name = instrument.abbreviation
    baseline = series.scores[0]
    try:
        at_start = change_between(instrument, baseline.total, baseline.total)
    except ChangeError:
        return []
    found: dict[Rule, Earned] = {}
    for score in series.scores[1:]:
        result = change_between(instrument, baseline.total, score.total)
        evidence = {
            "instrument": instrument.key,
            "baseline": baseline.total,
            "baseline_on": baseline.on.isoformat(),
            "score": score.total,
            "score_on": score.on.isoformat(),
        }
        checks = (
            (
                Rule.RELIABLE_IMPROVEMENT,
                result.classification is ChangeClassification.RELIABLE_IMPROVEMENT,
                f"Reliable improvement on the {name}",
                {"threshold_points": result.threshold_points},
            ),
            (Rule.RESPONSE, result.response is True, f"Response on the {name}", {}),
            (
                Rule.REMISSION,
                result.remission is True and at_start.remission is False,
                f"Remission on the {name}",
                {},
            ),
        )
        for rule, met, title, extra in checks:
            if met and rule not in found:
                found[rule] = Earned(
                    code=f"{rule}:{instrument.key}",
                    title=title,
                    achieved_on=score.on,
                    evidence={**evidence, **extra},
                )
    return list(found.values())


def objective_milestones(objectives: tuple[ObjectiveMet, ...]) -> list[Earned]:
    earned: dict[str, Earned] = {}
    for objective in sorted(objectives, key=lambda o: o.achieved_on):
        code = f"{Rule.OBJECTIVE_MET}:{objective.key}"
        if code not in earned:
            earned[code] = Earned(
                code=code,
                title=f"Objective met: {_short(objective.description)}",
                achieved_on=objective.achieved_on,
                evidence={"objective": objective.description},
            )
    return list(earned.values())


def curriculum_milestones(modules: tuple[Module, ...]) -> list[Earned]:
    if not modules or any(m.completed_on is None for m in modules):
        return []
    return [
        Earned(
            code=Rule.CURRICULUM_COMPLETE,
            title="Every psychoeducation module completed",
            achieved_on=max(m.completed_on for m in modules),
            evidence={"modules": [m.title for m in modules]},
        )
    ]


def abstinence_milestones(tests: tuple[TestDay, ...], today: date) -> list[Earned]:
    """N days abstinent by drug testing, on the first day the medication app's count
    reaches N. The count restarts at each unexpected positive (and at the first test)."""
    anchors = sorted(
        {t.collected_on for t in tests if t.unexpected_positive}
        | {min((t.collected_on for t in tests), default=today)}
    )
    earned = []
    for days in ABSTINENCE_DAYS:
        for anchor in anchors:
            candidate = anchor + timedelta(days=days)
            if candidate > today:
                break
            if (days_abstinent(list(tests), candidate) or 0) >= days:
                earned.append(
                    Earned(
                        code=f"{Rule.DAYS_ABSTINENT}_{days}",
                        title=f"{days} days abstinent (by drug testing)",
                        achieved_on=candidate,
                        evidence={"days": days, "since": anchor.isoformat()},
                    )
                )
                break
    return earned


def step_down_milestones(step_downs: tuple[StepDown, ...]) -> list[Earned]:
    if not step_downs:
        return []
    first = min(step_downs, key=lambda s: s.on)
    return [
        Earned(
            code=Rule.STEP_DOWN,
            title=f"Stepped down to {first.level_label[:1].lower()}{first.level_label[1:]}",
            achieved_on=first.on,
            evidence={"level_of_care": first.level_label},
        )
    ]


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the patient's words ---------------------------------------------------------------


def trajectory_sentence(series: ScoreSeries) -> str:
    """A score trajectory in plain words for the patient, decided by the measures engine:
    "Your PHQ-9 went from 18 to 9: a reliable improvement." """
    instrument = series.instrument
    name = instrument.abbreviation
    if not series.scores:
        return ""
    first, last = series.scores[0], series.scores[-1]
    if len(series.scores) < 2:
        return f"Your first {name} score was {first.total}. Later scores will be compared with it."
    try:
        result = change_between(instrument, first.total, last.total)
    except ChangeError:
        return f"Your {name} went from {first.total} to {last.total}."
    opening = f"Your {name} went from {first.total} to {last.total}"
    if result.classification is ChangeClassification.RELIABLE_IMPROVEMENT:
        words = "a reliable improvement"
        if result.remission:
            words += ", and now in the remission range"
        elif result.response:
            words += ", and at least halved"
        return f"{opening}: {words}."
    if result.classification is ChangeClassification.RELIABLE_DETERIORATION:
        return f"{opening}: a change for the worse. Talk it over with your clinician."
    if result.classification is None:
        return f"{opening}. This questionnaire has no agreed cut for a reliable change."
    return f"{opening}: not a reliable change yet."
