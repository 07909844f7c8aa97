"""Reading a user's spreadsheet and choosing the roles of its columns.

The work is done by :mod:`mlp_desktop.core.reading` (one reader, split by job: sniffing, text,
workbooks, column typing, datasets); this module keeps the names the rest of the app imports.

``read_table`` turns a workbook or a text table into a :class:`Table` (with ``notes`` and
``warnings`` on how it was read); ``column_info`` describes each column (its kind, how it was read,
a note); ``prepare_dataset`` checks the chosen input and target columns and returns a
:class:`Dataset` (with its own ``notes`` and ``warnings``) for preprocessing and training.
"""

from __future__ import annotations

from .reading import (
    KIND_CATEGORICAL,
    KIND_EMPTY,
    KIND_NUMERIC,
    LARGEST_TRAINABLE_VALUE,
    MAX_AUTO_CLASSES,
    MISSING_TOKENS,
    SKIP_INCOMPLETE_ADVICE,
    SUPPORTED_EXTENSIONS,
    TASKS,
    ColumnInfo,
    Dataset,
    Roles,
    Table,
    column_info,
    default_roles,
    is_text_table,
    list_sheets,
    missing_columns,
    prepare_dataset,
    prepare_inputs,
    read_table,
    table_from_frame,
)

__all__ = [
    "KIND_CATEGORICAL", "KIND_EMPTY", "KIND_NUMERIC", "LARGEST_TRAINABLE_VALUE", "MAX_AUTO_CLASSES",
    "MISSING_TOKENS", "SKIP_INCOMPLETE_ADVICE", "SUPPORTED_EXTENSIONS", "TASKS", "ColumnInfo", "Dataset", "Roles",
    "Table", "column_info", "default_roles", "is_text_table", "list_sheets", "missing_columns", "prepare_dataset",
    "prepare_inputs", "read_table", "table_from_frame",
]
