"""Golden datasets: what ``prepare_dataset`` makes of a dozen tables, pinned before the reading path
stopped building pandas frames on the way (issue 15, docs/plans/pandas-free-first-frame.md).

The expectations in ``fixtures/golden_datasets.json`` were written by the code of the time
(``python tests/core/test_golden_datasets.py --write`` rewrites them; do that only on purpose). Each
case compares the dataset's frame with ``assert_frame_equal`` (values, dtypes, the ``RangeIndex``),
and the row numbers, categories, classes, task, notes and warnings; and what the dataset gives
training: the rows of a split and a preprocessor fitted on its training rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mlp_desktop.core.data import prepare_dataset, read_table
from mlp_desktop.core.preprocessing import fit_preprocessor, split_rows_three

GOLDEN = Path(__file__).parent / "fixtures" / "golden_datasets.json"
SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def _xlsx(rows):
    def write(path: Path) -> Path:
        path = path.with_suffix(".xlsx")
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
        return path
    return write


def _csv(text):
    def write(path: Path) -> Path:
        path = path.with_suffix(".csv")
        path.write_text(text, encoding="utf-8")
        return path
    return write


def _sample(name):
    return lambda path: SAMPLES / name


# name: (how the file is made, prepare_dataset's keyword arguments)
CASES = {
    "sample_health_score": (_sample("health_score.xlsx"), {}),
    "sample_iris": (_sample("iris.xlsx"), {}),
    "all_numbers_xlsx": (_xlsx([["a", "b", "y"], [1, 2.5, 3], [2, 3.5, 4.25], [3, -1, 5], [4, 0, 6.5]]), {}),
    "text_input": (_xlsx([["colour", "size", "price"], ["red", 1, 10.0], ["blue", 2, 12.5], ["red", 3, 9.0],
                          ["green", 4, 11.0]]), {}),
    "numeric_classes": (_csv("x1,x2,digit\n" + "".join(f"{i * 0.5},{(i * 7) % 11},{i % 10}\n" for i in range(60))),
                        {}),
    "text_classes": (_csv("w,h,kind\n1,2,cat\n2,3,dog\n3,1,cat\n4,4,bird\n5,2,dog\n6,1,cat\n"), {}),
    "missing_dropped": (_xlsx([["a", "b", "y"], [1, None, 3], [2, 3, 4], [None, 5, 6], [4, 6, 7], [5, 7, 8.5]]),
                        {"drop_missing": True}),
    "missing_kept": (_xlsx([["a", "b", "y"], [1, 2, 3], [2, 3, 4], [3, 5, None], [4, 6, 7]]),
                     {"inputs": ["a"], "targets": ["b"]}),
    "numbers_as_text": (_xlsx([["a", "y"], ["1", "10"], ["2.5", "20"], ["3", "35"], ["4", "41"]]), {}),
    "dates": (_xlsx([["when", "y"], ["2024-01-01", 1.0], ["2024-01-05", 2.0], ["2024-02-01", 3.5],
                     ["2024-03-01", 4.0]]), {}),
    "two_row_header": (_csv("height,weight,score\ncm,kg,points\n170,65,3.5\n180,80,4.5\n165,55,2.0\n175,70,3.0\n"),
                       {}),
    "messy_csv": (_csv("Dose;Price;Share;Outcome\n1,5;€ 1.200,50;12 %;yes\n2,0;€ 900,00;NA;no\n"
                       "n/a;€ 1.000,00;30 %;yes\n3,5;€ 750,25;45 %;no\n4,0;€ 1.100,00;50 %;yes\n"),
                  {"drop_missing": True}),
    "classification_forced": (_xlsx([["a", "y"], [1, 1.0], [2, 2.0], [3, 1.0], [4, 2.0], [5, 1.0]]),
                              {"task": "classification"}),
}


def _cell(value):
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _numbers(values) -> list:
    return [_cell(v) for v in np.asarray(values, dtype=float).ravel().tolist()]


def _training(dataset) -> dict:
    """The rows of a split (stratified by class) and a preprocessor fitted on its training rows."""
    labels = (dataset.frame[dataset.targets[0]].astype(str).to_numpy()  # (as the code before Dataset.columns)
              if dataset.task == "classification" else None)
    rows = split_rows_three(len(dataset.frame), 0.25, 0.2, 7, labels)
    pre = fit_preprocessor(dataset, rows[0], output_activation="softmax" if dataset.task == "classification"
                           else "identity")
    return {
        "split": [[int(r) for r in part] for part in rows],
        "input_offset": _numbers(pre.input_offset), "input_scale": _numbers(pre.input_scale),
        "target_offset": _numbers(pre.target_offset), "target_scale": _numbers(pre.target_scale),
        "input_ranges": {name: list(pair) for name, pair in pre.input_ranges.items()},
    }


def observed(name: str, folder: Path) -> dict:
    """What today's code makes of case ``name`` (a JSON-able dict)."""
    make, options = CASES[name]
    dataset = prepare_dataset(read_table(make(folder / name)), **options)
    frame = dataset.frame
    return {
        "training": _training(dataset),
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "values": {str(c): [_cell(v) for v in frame[c].tolist()] for c in frame.columns},
        "index": f"{type(frame.index).__name__}({len(frame)})",
        "row_numbers": [int(r) for r in dataset.row_numbers],
        "inputs": dataset.inputs, "targets": dataset.targets, "task": dataset.task,
        "detected_task": dataset.detected_task, "input_kinds": dataset.input_kinds,
        "categories": dataset.categories, "classes": [_cell(c) for c in dataset.classes],
        "n_dropped": int(dataset.n_dropped), "notes": dataset.notes, "warnings": dataset.warnings,
    }


def expected_frame(golden: dict) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([np.nan if v is None and dtype == "float64" else v for v in values],
                                         dtype=dtype)
                         for name, dtype, values in zip(golden["columns"], golden["dtypes"],
                                                        golden["values"].values())},
                        index=pd.RangeIndex(len(golden["row_numbers"])))


@pytest.mark.parametrize("name", sorted(CASES))
def test_prepare_dataset_makes_the_pinned_dataset(name, tmp_path):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))[name]
    got = observed(name, tmp_path)
    make, options = CASES[name]
    frame = prepare_dataset(read_table(make(tmp_path / name)), **options).frame
    pd.testing.assert_frame_equal(frame, expected_frame(golden), check_exact=True)
    assert type(frame.index) is pd.RangeIndex
    assert got == golden


def test_every_case_is_pinned():
    assert sorted(json.loads(GOLDEN.read_text(encoding="utf-8"))) == sorted(CASES)


@pytest.mark.parametrize("name", ["sample_iris", "text_input", "missing_dropped"])
def test_a_dataset_of_some_rows_is_those_rows(name, tmp_path):
    make, options = CASES[name]
    dataset = prepare_dataset(read_table(make(tmp_path / name)), **options)
    rows = np.arange(dataset.n_rows)[::-2]
    part = dataset.take(rows)
    pd.testing.assert_frame_equal(part.frame, dataset.frame.iloc[rows].reset_index(drop=True))
    assert part.row_numbers.tolist() == dataset.row_numbers[rows].tolist()
    assert part.frame is part.frame  # made once


def test_the_start_up_sample_is_made_ready_for_training_without_pandas():
    import os
    import subprocess

    code = ("import sys\nfrom mlp_desktop.core.data import prepare_dataset, read_table\n"
            "from mlp_desktop.core.preprocessing import fit_preprocessor, split_rows_three\n"
            "dataset = prepare_dataset(read_table(sys.argv[1]))\n"
            "rows = split_rows_three(dataset.n_rows, 0.25, 0.2, 7, dataset.class_labels)\n"
            "pre = fit_preprocessor(dataset, rows[0])\n"
            "print('pandas' in sys.modules, [round(x, 9) for x in pre.input_offset.tolist()])")
    result = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "health_score.xlsx")],
                            env={**os.environ, "PYTHONPATH": str(SAMPLES.parent)}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["sample_health_score"]["training"]
    assert result.stdout.strip() == f"False {[round(x, 9) for x in golden['input_offset']]}"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        result = {name: observed(name, Path(folder)) for name in sorted(CASES)}
    GOLDEN.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(result)} cases to {GOLDEN}")
