"""How big a temporary block of numbers may be.

NumPy asks the kernel for huge pages for every array from 4 MB; touching fresh huge pages for the
first time took 0.2-0.4 s per 125 MB on the machines this was measured on (a VM), against 0.05 s in
normal pages, and a freed big array goes back to the system, so the next one is fresh again.
Work that goes through a table a block at a time keeps each block under that size: the blocks are
then reused from the process's own heap.
"""

from __future__ import annotations

import os
import sys

BLOCK_BYTES = 2 * 2**20


def columns_per_block(n_rows: int, itemsize: int = 8) -> int:
    """How many columns of ``n_rows`` numbers fit in one :data:`BLOCK_BYTES` block (at least one)."""
    return max(1, BLOCK_BYTES // (itemsize * max(n_rows, 1)))


def avoid_huge_page_stalls() -> None:
    """Ask NumPy not to request huge pages, in this process and the processes it starts.

    With the kernel's transparent huge pages in "madvise" mode (a common default), NumPy's request
    for every array from 4 MB makes the kernel compact memory before the array's first pages are
    handed out, and in a process that has been running a while that stalls: reading the 20,000 x 785
    CSV in the window took 0.46 s (0.37-0.51 s) with the request and 0.37 s (0.35-0.41 s) without.
    The app's command calls this for its own process only; NumPy documents the variable for this.
    """
    os.environ["NUMPY_MADVISE_HUGEPAGE"] = "0"  # read when NumPy is imported (the training process)
    numpy = sys.modules.get("numpy")
    multiarray = getattr(getattr(numpy, "_core", None), "multiarray", None)
    set_hugepage = getattr(multiarray, "_set_madvise_hugepage", None)
    if set_hugepage is not None:  # NumPy is imported already: tell it now
        set_hugepage(False)
