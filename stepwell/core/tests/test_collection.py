"""The collector's settings for batches (stepwell.core.collection)."""

from __future__ import annotations

import gc

import pytest

from stepwell.core.collection import FEWER_COLLECTIONS, collect_less, collecting_less


@pytest.fixture
def pythons_own():
    """Python's own settings, nothing frozen, for the test; the process's again after."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)
    if frozen:
        gc.freeze()


def test_a_batch_collects_less_and_leaves_the_settings_it_found(pythons_own):
    with collecting_less():
        assert gc.get_threshold() == FEWER_COLLECTIONS
        assert gc.get_freeze_count() > 0  # the modules and models loaded before it
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_a_batch_in_a_process_already_tuned_leaves_it_tuned(pythons_own):
    collect_less()
    frozen = gc.get_freeze_count()
    with collecting_less():
        assert gc.get_threshold() == FEWER_COLLECTIONS
    assert gc.get_threshold() == FEWER_COLLECTIONS
    assert gc.get_freeze_count() >= frozen  # what conftest.py froze stays frozen


def test_the_collector_stays_on(pythons_own):
    """Rarer, not off: a cycle made in a batch is still collected without being asked."""
    with collecting_less():
        assert gc.isenabled()
    assert gc.isenabled()
