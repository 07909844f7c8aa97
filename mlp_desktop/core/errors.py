"""The one error type for problems a user can cause.

A bad file, a bad cell or a bad setting raises :class:`DataError` with a message a non-programmer
understands. The GUI shows the message in a dialog; the command line prints ``error: ...``.
"""


class DataError(ValueError):
    """A problem the user can fix: a file, a cell, a column or a setting."""


class Cancelled(Exception):
    """The user stopped the work before it finished; nothing was written."""
