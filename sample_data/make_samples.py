"""Regenerate the sample datasets shipped with MLP Desktop.

Usage::

    python sample_data/make_samples.py

Every dataset is written next to this script as both ``<name>.csv``
(UTF-8, comma separated, ``.`` decimals, header row) and ``<name>.xlsx``
(one sheet named after the dataset, bold header row).

Only numpy, pandas and openpyxl are needed.  All random data uses fixed
seeds, so running the script twice produces identical CSV files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent

# Fisher's Iris data (Fisher 1936, via the UCI Machine Learning Repository,
# public domain), in the commonly used corrected UCI version.  One record is
# "sepal_length sepal_width petal_length petal_width"; records are separated
# by "|"; 50 records per species, in the order setosa, versicolor, virginica.
_IRIS_DATA = """
# setosa (50 rows)
5.1 3.5 1.4 0.2 | 4.9 3.0 1.4 0.2 | 4.7 3.2 1.3 0.2 | 4.6 3.1 1.5 0.2 | 5.0 3.6 1.4 0.2
5.4 3.9 1.7 0.4 | 4.6 3.4 1.4 0.3 | 5.0 3.4 1.5 0.2 | 4.4 2.9 1.4 0.2 | 4.9 3.1 1.5 0.1
5.4 3.7 1.5 0.2 | 4.8 3.4 1.6 0.2 | 4.8 3.0 1.4 0.1 | 4.3 3.0 1.1 0.1 | 5.8 4.0 1.2 0.2
5.7 4.4 1.5 0.4 | 5.4 3.9 1.3 0.4 | 5.1 3.5 1.4 0.3 | 5.7 3.8 1.7 0.3 | 5.1 3.8 1.5 0.3
5.4 3.4 1.7 0.2 | 5.1 3.7 1.5 0.4 | 4.6 3.6 1.0 0.2 | 5.1 3.3 1.7 0.5 | 4.8 3.4 1.9 0.2
5.0 3.0 1.6 0.2 | 5.0 3.4 1.6 0.4 | 5.2 3.5 1.5 0.2 | 5.2 3.4 1.4 0.2 | 4.7 3.2 1.6 0.2
4.8 3.1 1.6 0.2 | 5.4 3.4 1.5 0.4 | 5.2 4.1 1.5 0.1 | 5.5 4.2 1.4 0.2 | 4.9 3.1 1.5 0.2
5.0 3.2 1.2 0.2 | 5.5 3.5 1.3 0.2 | 4.9 3.6 1.4 0.1 | 4.4 3.0 1.3 0.2 | 5.1 3.4 1.5 0.2
5.0 3.5 1.3 0.3 | 4.5 2.3 1.3 0.3 | 4.4 3.2 1.3 0.2 | 5.0 3.5 1.6 0.6 | 5.1 3.8 1.9 0.4
4.8 3.0 1.4 0.3 | 5.1 3.8 1.6 0.2 | 4.6 3.2 1.4 0.2 | 5.3 3.7 1.5 0.2 | 5.0 3.3 1.4 0.2
# versicolor (50 rows)
7.0 3.2 4.7 1.4 | 6.4 3.2 4.5 1.5 | 6.9 3.1 4.9 1.5 | 5.5 2.3 4.0 1.3 | 6.5 2.8 4.6 1.5
5.7 2.8 4.5 1.3 | 6.3 3.3 4.7 1.6 | 4.9 2.4 3.3 1.0 | 6.6 2.9 4.6 1.3 | 5.2 2.7 3.9 1.4
5.0 2.0 3.5 1.0 | 5.9 3.0 4.2 1.5 | 6.0 2.2 4.0 1.0 | 6.1 2.9 4.7 1.4 | 5.6 2.9 3.6 1.3
6.7 3.1 4.4 1.4 | 5.6 3.0 4.5 1.5 | 5.8 2.7 4.1 1.0 | 6.2 2.2 4.5 1.5 | 5.6 2.5 3.9 1.1
5.9 3.2 4.8 1.8 | 6.1 2.8 4.0 1.3 | 6.3 2.5 4.9 1.5 | 6.1 2.8 4.7 1.2 | 6.4 2.9 4.3 1.3
6.6 3.0 4.4 1.4 | 6.8 2.8 4.8 1.4 | 6.7 3.0 5.0 1.7 | 6.0 2.9 4.5 1.5 | 5.7 2.6 3.5 1.0
5.5 2.4 3.8 1.1 | 5.5 2.4 3.7 1.0 | 5.8 2.7 3.9 1.2 | 6.0 2.7 5.1 1.6 | 5.4 3.0 4.5 1.5
6.0 3.4 4.5 1.6 | 6.7 3.1 4.7 1.5 | 6.3 2.3 4.4 1.3 | 5.6 3.0 4.1 1.3 | 5.5 2.5 4.0 1.3
5.5 2.6 4.4 1.2 | 6.1 3.0 4.6 1.4 | 5.8 2.6 4.0 1.2 | 5.0 2.3 3.3 1.0 | 5.6 2.7 4.2 1.3
5.7 3.0 4.2 1.2 | 5.7 2.9 4.2 1.3 | 6.2 2.9 4.3 1.3 | 5.1 2.5 3.0 1.1 | 5.7 2.8 4.1 1.3
# virginica (50 rows)
6.3 3.3 6.0 2.5 | 5.8 2.7 5.1 1.9 | 7.1 3.0 5.9 2.1 | 6.3 2.9 5.6 1.8 | 6.5 3.0 5.8 2.2
7.6 3.0 6.6 2.1 | 4.9 2.5 4.5 1.7 | 7.3 2.9 6.3 1.8 | 6.7 2.5 5.8 1.8 | 7.2 3.6 6.1 2.5
6.5 3.2 5.1 2.0 | 6.4 2.7 5.3 1.9 | 6.8 3.0 5.5 2.1 | 5.7 2.5 5.0 2.0 | 5.8 2.8 5.1 2.4
6.4 3.2 5.3 2.3 | 6.5 3.0 5.5 1.8 | 7.7 3.8 6.7 2.2 | 7.7 2.6 6.9 2.3 | 6.0 2.2 5.0 1.5
6.9 3.2 5.7 2.3 | 5.6 2.8 4.9 2.0 | 7.7 2.8 6.7 2.0 | 6.3 2.7 4.9 1.8 | 6.7 3.3 5.7 2.1
7.2 3.2 6.0 1.8 | 6.2 2.8 4.8 1.8 | 6.1 3.0 4.9 1.8 | 6.4 2.8 5.6 2.1 | 7.2 3.0 5.8 1.6
7.4 2.8 6.1 1.9 | 7.9 3.8 6.4 2.0 | 6.4 2.8 5.6 2.2 | 6.3 2.8 5.1 1.5 | 6.1 2.6 5.6 1.4
7.7 3.0 6.1 2.3 | 6.3 3.4 5.6 2.4 | 6.4 3.1 5.5 1.8 | 6.0 3.0 4.8 1.8 | 6.9 3.1 5.4 2.1
6.7 3.1 5.6 2.4 | 6.9 3.1 5.1 2.3 | 5.8 2.7 5.1 1.9 | 6.8 3.2 5.9 2.3 | 6.7 3.3 5.7 2.5
6.7 3.0 5.2 2.3 | 6.3 2.5 5.0 1.9 | 6.5 3.0 5.2 2.0 | 6.2 3.4 5.4 2.3 | 5.9 3.0 5.1 1.8
"""

IRIS_SPECIES = ("setosa", "versicolor", "virginica")


def health_score() -> pd.DataFrame:
    """Six-person toy table from an MLP-from-scratch tutorial (regression)."""
    return pd.DataFrame(
        {
            "age": [60, 63, 17, 35, 90, 10],
            "exercise": [8, 2, 7, 4, 1, 9],
            "diet": [7, 2, 7, 5, 1, 7],
            "output": [7, 3, 9, 6, 1, 10],
        }
    )


def and_gate() -> pd.DataFrame:
    """Binary AND truth table."""
    return pd.DataFrame({"x1": [0, 0, 1, 1], "x2": [0, 1, 0, 1], "output": [0, 0, 0, 1]})


def xor_gate() -> pd.DataFrame:
    """Binary XOR truth table."""
    return pd.DataFrame({"x1": [0, 0, 1, 1], "x2": [0, 1, 0, 1], "output": [0, 1, 1, 0]})


def two_moons(n_samples: int = 200, noise: float = 0.15, seed: int = 7) -> pd.DataFrame:
    """Two interleaving half circles with Gaussian noise (two classes).

    Same construction as the usual "make_moons" generator: the upper moon is
    the half circle (cos t, sin t), the lower moon is (1 - cos t, 0.5 - sin t),
    t in [0, pi].  Rows are shuffled and coordinates rounded to 4 decimals.
    """
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_up = np.linspace(0.0, np.pi, n_upper)
    t_lo = np.linspace(0.0, np.pi, n_lower)
    x = np.concatenate([np.cos(t_up), 1.0 - np.cos(t_lo)])
    y = np.concatenate([np.sin(t_up), 0.5 - np.sin(t_lo)])
    labels = np.array(["upper"] * n_upper + ["lower"] * n_lower, dtype=object)
    x = x + rng.normal(0.0, noise, n_samples)
    y = y + rng.normal(0.0, noise, n_samples)
    order = rng.permutation(n_samples)
    return pd.DataFrame(
        {
            "x": np.round(x[order], 4),
            "y": np.round(y[order], 4),
            "class": labels[order],
        }
    )


def iris() -> pd.DataFrame:
    """Fisher's Iris dataset: 150 rows, 4 measurements (cm) + species."""
    records = []
    for line in _IRIS_DATA.strip().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        records.extend(r.split() for r in line.split("|"))
    if len(records) != 150:
        raise RuntimeError(f"expected 150 iris records, got {len(records)}")
    values = np.array(records, dtype=float)
    species = [name for name in IRIS_SPECIES for _ in range(50)]
    df = pd.DataFrame(
        values, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"]
    )
    df["species"] = species
    return df


DATASETS = {
    "health_score": health_score,
    "and_gate": and_gate,
    "xor_gate": xor_gate,
    "two_moons": two_moons,
    "iris": iris,
}


def _to_python(value):
    """Convert numpy scalars to plain Python values for openpyxl."""
    return value.item() if isinstance(value, np.generic) else value


def write_xlsx(df: pd.DataFrame, path: Path, sheet_name: str) -> None:
    """Write *df* to a one-sheet workbook with a bold header row."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    ws.append([str(c) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False, name=None):
        ws.append([_to_python(v) for v in row])
    for i, col in enumerate(df.columns):
        width = max(len(str(col)), *(len(str(v)) for v in df.iloc[:, i])) + 2
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = width
    ws.freeze_panes = "A2"
    wb.save(path)


def write_dataset(name: str, df: pd.DataFrame, folder: Path = HERE) -> None:
    df.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
    write_xlsx(df, folder / f"{name}.xlsx", sheet_name=name)


def main() -> None:
    for name, make in DATASETS.items():
        df = make()
        write_dataset(name, df)
        print(f"{name}: {df.shape[0]} rows x {df.shape[1]} columns")


if __name__ == "__main__":
    main()
