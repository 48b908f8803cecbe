"""Loading a clinic's RxNorm release: the ingredient concepts of RXNCONSO.RRF go into
the formulary's look-up table, so a code from the full release is accepted
(docs/clinical-sources.md §7). Only the `stepwell medications load-rxnorm` command (its
system actor) or an administrator loads it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from stepwell.privacy.access.predicates import is_administrator, is_system_actor
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from ..models import RxNormConcept
from ..rxnorm import concepts_from_rrf
from .common import meds_audit

LOAD_JOB = "medications-load-rxnorm"
BATCH = 2000


def rxnorm_load(*, actor, lines: Iterable[str]) -> int:
    """Load (or refresh) the concepts; returns how many. A malformed line refuses the
    whole file (RrfError names it) and nothing is written."""
    allowed = (is_system_actor(actor) and actor.job == LOAD_JOB) or (
        not is_system_actor(actor) and is_administrator(actor)
    )
    if not allowed:
        raise refuse(actor=actor, action=AuditAction.CREATE, object_type="rxnorm_release")
    count = 0
    with transaction.atomic():
        batch: list[RxNormConcept] = []
        for concept in concepts_from_rrf(lines):
            batch.append(
                RxNormConcept(rxcui=concept.rxcui, name=concept.name, term_type=concept.term_type)
            )
            if len(batch) >= BATCH:
                count += _save(batch)
                batch = []
        count += _save(batch)
        meds_audit(
            actor,
            AuditAction.CREATE,
            patient_id=None,
            object_type="rxnorm_release",
            object_id="",
            concepts=count,
        )
    return count


def _save(batch: list[RxNormConcept]) -> int:
    if not batch:
        return 0
    RxNormConcept.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["rxcui"],
        update_fields=["name", "term_type"],
    )
    return len(batch)
