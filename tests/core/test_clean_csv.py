"""The fast path for clean text tables must give exactly what the careful cell reader gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlp_desktop.core import clean_csv, data
from mlp_desktop.core.errors import DataError


def _read_carefully(path, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(data, "_read_clean_text_table", lambda path, head: None)
        return data.read_table(path)


def _outcome(read):
    try:
        return read()
    except DataError as error:
        return str(error)


def _assert_same_table(fast, careful):
    if isinstance(careful, str) or isinstance(fast, str):
        assert fast == careful
        return
    assert list(fast.frame.columns) == list(careful.frame.columns)
    np.testing.assert_array_equal(fast.row_numbers, careful.row_numbers)
    for name in careful.frame.columns:
        expected, got = careful.frame[name], fast.frame[name]
        assert got.dtype == expected.dtype, name
        if expected.dtype == np.float64:
            np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
        else:
            assert got.tolist() == expected.tolist()


_cells = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.6g}"),
    st.sampled_from(["", " ", "NA", "n/a", "nan", "inf", "1e400", "-", "TRUE", "false", "x", "y",
                     "1,5", "1.234,5", "1,234", " 7 ", "+.5", "5.", "0x10", "99999999999999999999999",
                     "caf\u00e9", "\u00fc\u00df", '"a,b"', '"line\nbreak"', "#N/A"]),
    st.text(alphabet="abc 1.,;", max_size=4),
)


@st.composite
def _csv_files(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    width = draw(st.integers(1, 4))
    header = [draw(st.sampled_from(["a", "b", "", "a", "output", "x y"])) for _ in range(width)]
    lines = [delimiter.join(header)]
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 9)) == 0:
            lines.append("")  # a blank line
            continue
        length = width + draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
        lines.append(delimiter.join(draw(_cells) for _ in range(max(length, 0))))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return delimiter, ending.join(lines) + draw(st.sampled_from(["", ending, ending * 2]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_csv_files(), suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_fast_and_careful_readers_agree(case, suffix, tmp_path, monkeypatch):
    _, text = case
    path = tmp_path / f"table{suffix}"
    path.write_bytes(text.encode("utf-8"))
    fast = _outcome(lambda: data.read_table(path))
    careful = _outcome(lambda: _read_carefully(path, monkeypatch))
    _assert_same_table(fast, careful)


@pytest.mark.parametrize("text", [
    "a,b,output\n1,2,3\n4.5,,6\n\n7,8,9\n",  # numbers, a blank cell, a blank line
    "name,age,output\nAnn,31,1\nBob,,0\n",  # a text column
    "a;b\n1;2\n3;4\n",  # semicolons, whole numbers
    "a;b\n1,5;2\n3;4,25\n",  # decimal commas
    "\ufeffa,b\n1,2\n",  # a byte order mark
    "a,,b\n1,,2\n3,,4\n",  # a blank column without a header
])
def test_clean_files_take_the_fast_path_and_agree(text, tmp_path, monkeypatch):
    path = tmp_path / "clean.csv"
    path.write_bytes(text.encode("utf-8"))
    taken = []
    original = clean_csv.parse_clean_text

    def spy(*args):
        result = original(*args)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(data, "parse_clean_text", spy)
    fast = data.read_table(path)
    assert taken == [True]
    _assert_same_table(fast, _read_carefully(path, monkeypatch))


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n3,4,5\n",  # a row longer than the header: the careful reader names it
    "a,b\n1,inf\n",  # a missing marker pandas would read as infinity
    "a,b\n1,1e400\n",  # an overflowing number, named by the magnitude check
    '"a\nb",c\n1,2\n',  # a header over two lines
    "a;b\n1,5;x\n",  # text where the decimal mark is voted on
    "a,b\nTRUE,1\nFALSE,2\n",  # true/false, which pandas would turn into booleans
])
def test_files_needing_care_are_left_to_the_careful_reader(text, tmp_path, monkeypatch):
    path = tmp_path / "messy.csv"
    path.write_bytes(text.encode("utf-8"))
    _assert_same_table(_outcome(lambda: data.read_table(path)),
                       _outcome(lambda: _read_carefully(path, monkeypatch)))
    head = path.read_bytes()
    assert data._read_clean_text_table(path, head) is None


def test_a_large_clean_file_reads_like_pandas(tmp_path):
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(5000, 6)).round(6),
                         columns=list("abcde") + ["output"])
    path = tmp_path / "large.csv"
    frame.to_csv(path, index=False)
    table = data.read_table(path)
    np.testing.assert_array_equal(table.frame.to_numpy(), pd.read_csv(path).to_numpy())
    np.testing.assert_array_equal(table.row_numbers, np.arange(2, 5002))
