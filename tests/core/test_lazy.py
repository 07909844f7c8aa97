"""core/lazy.py: pandas imported on first use, and what stands in for it before."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from mlp_desktop.core import lazy

ROOT = Path(__file__).resolve().parents[2]


def test_the_stand_in_gives_pandas_own_objects():
    assert lazy.pd.DataFrame is pd.DataFrame
    assert lazy.pd.api.types.infer_dtype is pd.api.types.infer_dtype
    assert lazy.infer_dtype([1.0, None], skipna=False) == pd.api.types.infer_dtype([1.0, None], skipna=False)
    assert lazy.pandas_loaded()


def test_pandas_is_imported_on_the_first_attribute_read_only():
    code = ("import sys; from mlp_desktop.core.lazy import pd, pandas_loaded\n"
            "before = pandas_loaded()\n"
            "frame = pd.DataFrame({'a': [1.0]})\n"
            "print(before, pandas_loaded(), type(frame).__module__.split('.')[0])")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "pandas"]


def test_the_fixture_pretends_pandas_is_not_loaded(without_pandas_loaded):
    assert "pandas" in sys.modules and not lazy.pandas_loaded()


def test_a_project_read_error_from_pandas_is_still_one_of_the_read_errors():
    from mlp_desktop.core.project import _READ_ERRORS

    assert issubclass(pd.errors.ParserError, _READ_ERRORS)
    assert issubclass(pd.errors.EmptyDataError, _READ_ERRORS)


def test_a_background_import_cut_short_by_the_app_closing_says_nothing():
    # The main thread ends while pandas is being imported in the background: pandas' own imports
    # register an exit hook, which Python refuses once the main thread has ended.
    code = "from mlp_desktop.core import lazy; lazy.import_in_background()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
