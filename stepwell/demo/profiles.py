"""Synthetic diagnosis profiles for the demo: what each diagnosis category brings to an
intake assessment and a treatment plan, so presenting problems, histories and goals agree
with the diagnoses. Every sentence here is invented."""

from __future__ import annotations

# What each diagnosis (by its category, the code's first three characters) brings to the
# assessment and the plan, so histories, presenting problems and goals agree with it:
# (presenting problem, history line, goal domain, problem, patient's words, clinical
# goal, measure or None). Substance lines go to the substance history, others to the
# psychiatric history.
PROFILES = {
    "F32": (
        "Low mood and missing work for two months",
        "First depressive episode this spring; started an antidepressant in primary care",
        "mental_health",
        "Depressed mood keeps me from work",
        "I want to enjoy things again",
        "Reduce depressive symptoms to the mild range",
        ("phq9", 10),
    ),
    "F33": (
        "Low mood and missing work for two months",
        "Two earlier depressive episodes, treated with weekly therapy and an antidepressant",
        "mental_health",
        "Depressed mood keeps me from work",
        "I want to enjoy things again",
        "Reduce depressive symptoms to the mild range",
        ("phq9", 10),
    ),
    "F41": (
        "Constant worry and panic at work; weekly therapy not enough",
        "Anxiety since college; one course of CBT that helped for a year",
        "coping_skills",
        "Worry and panic at work",
        "Stay at my desk when I panic",
        "Use two grounding skills when anxious, three times a week",
        ("gad7", 10),
    ),
    "F43": (
        "Nightmares and avoidance since an assault last year (synthetic)",
        "Post-traumatic symptoms for a year; partial response to outpatient therapy",
        "coping_skills",
        "Trauma reminders take over my day",
        "Feel safe going out again",
        "Use a grounding plan when reminded of the trauma, and keep a trigger log",
        None,
    ),
    "F31": (
        "Depressive episode after a hypomanic spring",
        "Bipolar II diagnosed at 24; on a mood stabiliser; one hospital stay",
        "mental_health",
        "Mood swings cost me my last job",
        "Keep a steady routine",
        "Keep a daily mood and sleep chart and bring depressive symptoms to the mild range",
        ("phq9", 10),
    ),
    "F10": (
        "Daily drinking after a job loss; family worried",
        "Drinking daily for two years, up to ten drinks; no withdrawal seizures",
        "relapse_prevention",
        "Return to drinking under stress",
        "I don't want to drink when things get hard",
        "Identify triggers and use a written relapse-prevention plan",
        None,
    ),
    "F11": (
        "Opioid use in early recovery; needs more structure than weekly therapy",
        "Prescription opioids after surgery, then heroin; on buprenorphine for three months",
        "addiction_recovery",
        "Cravings when alone in the evenings",
        "Stay in recovery and keep my job",
        "Take buprenorphine daily and use a craving plan every evening",
        None,
    ),
    "F12": (
        "Daily cannabis use affecting work and sleep",
        "Daily cannabis for five years; two attempts to cut down",
        "relapse_prevention",
        "Using cannabis to fall asleep",
        "Sleep without using",
        "Follow a sleep routine and use urge surfing instead of cannabis at night",
        None,
    ),
    "F14": (
        "Court-ordered evaluation after a DUI; cocaine on weekends",
        "Weekend cocaine use with alcohol for three years",
        "relapse_prevention",
        "Weekend binges with friends who use",
        "Spend weekends without using",
        "Plan each weekend with two sober activities and a support call",
        None,
    ),
}
GENERIC = PROFILES["F33"]
SUBSTANCE = ("F10", "F11", "F12", "F13", "F14", "F15", "F16", "F18", "F19")
RISK_SCREENING = {
    "none": "PHQ-9 item 9 scored 0; no history of self-harm or attempts (synthetic)",
    "low": "PHQ-9 item 9 scored 0; one passive thought of death years ago (synthetic)",
    "moderate": "Passive thoughts of death this month (PHQ-9 item 9 scored 1); no plan or "
    "intent; safety plan written together (synthetic)",
}


def profile(code: str):
    return PROFILES.get(code[:3], GENERIC)


def histories(codes: list[str]) -> dict:
    """Presenting problem and histories written from the diagnoses, so they agree."""
    substance = [profile(c)[1] for c in codes if c[:3] in SUBSTANCE]
    psychiatric = [profile(c)[1] for c in codes if c[:3] not in SUBSTANCE]
    return {
        "presenting_problems": profile(codes[0])[0],
        "substance_use_history": "; ".join(substance) or "Denies substance use (synthetic)",
        "psychiatric_history": "; ".join(psychiatric)
        or "No psychiatric history apart from substance use (synthetic)",
    }
