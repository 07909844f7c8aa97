"""mlp_desktop.collector: the collector paused while the app starts, then what exists frozen."""

import gc

import pytest

from mlp_desktop import collector


@pytest.fixture
def collector_state():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


@pytest.mark.parametrize("running", [True, False])
def test_paused_inside_then_as_before_with_what_exists_frozen(collector_state, running):
    gc.enable() if running else gc.disable()
    with collector.paused():
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]  # (lists are tracked by the collector)
        frozen_before = gc.get_freeze_count()
    assert gc.isenabled() == running
    assert gc.get_freeze_count() >= frozen_before + 1000 and made


def test_an_error_inside_leaves_the_collector_as_it_was(collector_state):
    gc.enable()
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("a failed start")
    assert gc.isenabled()
