"""How big a temporary block of numbers may be.

NumPy asks the kernel for huge pages for every array from 4 MB; touching fresh huge pages for the
first time took 0.2-0.4 s per 125 MB on the machines this was measured on (a VM), against 0.05 s in
normal pages, and a freed big array goes back to the system, so the next one is fresh again.
Work that goes through a table a block at a time keeps each block under that size: the blocks are
then reused from the process's own heap.
"""

from __future__ import annotations

BLOCK_BYTES = 2 * 2**20


def columns_per_block(n_rows: int, itemsize: int = 8) -> int:
    """How many columns of ``n_rows`` numbers fit in one :data:`BLOCK_BYTES` block (at least one)."""
    return max(1, BLOCK_BYTES // (itemsize * max(n_rows, 1)))
