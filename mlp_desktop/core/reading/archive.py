"""Zip archives (``.xlsx``, ``.xlsm``, ``.ods``, ``.mlpd``) checked before anything is inflated.

A small file can declare, or hide, gigabytes: :func:`check_zip` reads only the archive's directory
and refuses members whose declared size or compression ratio is beyond what a real file has. It
takes milliseconds whatever the archive claims.
"""

from __future__ import annotations

import copy
import zipfile
import zlib
from pathlib import Path

from ..errors import DataError

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_TOTAL_BYTES", "check_member_sizes", "check_zip", "open_member",
           "read_member"]

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 4 * 2**30
"""Bytes all members may inflate to together (a 1,000,000 x 50 sheet of numbers is about 2 GiB)."""
MAX_RATIO = 100
"""Inflated / compressed size beyond which a large member is a "zip bomb": real sheets of numbers
compress 5-20x, a sheet of one repeated value about 50x."""
RATIO_FLOOR_BYTES = 50 * 2**20
"""Members smaller than this are never refused for their ratio (they cannot hurt)."""


def check_zip(archive: zipfile.ZipFile, name: str, what: str = "workbook",
              limits: dict[str, int] | None = None) -> None:
    """Refuse an archive whose directory declares too much.

    ``limits`` maps member names to their own largest inflated size (e.g. a project's manifest).
    Raises :class:`DataError` naming the file and the member.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise DataError(f"{name} is not a valid {what}: it holds {len(infos):,} parts.")
    total = 0
    for info in infos:
        size, packed = info.file_size, info.compress_size
        total += size
        limit = (limits or {}).get(info.filename)
        if limit is not None and size > limit:
            raise DataError(f"{name} is damaged or unsafe: its part {info.filename} would inflate to "
                            f"{_size(size)} (at most {_size(limit)} is expected); it was not opened.")
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(packed, 1):
            raise DataError(f"{name} is unsafe: its part {info.filename} would inflate from {_size(packed)} to "
                            f"{_size(size)} ({size // max(packed, 1):,}x, a \"zip bomb\"); it was not opened.")
        if info.compress_type != zipfile.ZIP_STORED and packed > 1024 and size < packed // 2:
            # Deflate never makes data much larger: a declared size this small hides the real one.
            raise DataError(f"{name} is damaged or unsafe: the declared size of its part {info.filename} "
                            f"is smaller than its compressed data; it was not opened.")
    if total > MAX_TOTAL_BYTES:
        raise DataError(f"{name} is too large to open: its parts would inflate to {_size(total)} "
                        f"(at most {_size(MAX_TOTAL_BYTES)}).")


class _CappedMember:
    """A member's inflated bytes, read in pieces, that refuses to give more than the member declares:
    a member whose declared size lies (smaller than what its data inflates to) raises
    :class:`DataError` as soon as one byte too many comes out, so no read inflates more than the
    declared sizes :func:`check_zip` accepted. (zipfile would stop at the declared size and blame a
    checksum, or, with a forged checksum, hand back the cut data without a word.)"""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, what: str):
        probe = copy.copy(info)
        probe.file_size = info.file_size + 1  # one byte beyond the declared size shows a lie
        del probe.CRC  # zipfile would check it at the probe's size; checked here at the real end
        self._stream = archive.open(probe)
        self._info, self._name, self._what, self._left = info, name, what, info.file_size
        self._crc = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(self._left + 1 if size < 0 else min(size, self._left + 1))
        self._left -= len(data)
        if self._left < 0 or (self._left == 0 and data and self._stream.read(1)):
            raise DataError(f"{self._name} is damaged or unsafe: its part {self._info.filename} holds more than "
                            f"the {_size(self._info.file_size)} it declares; it was not opened.")
        self._crc = zlib.crc32(data, self._crc)
        if not data or self._left == 0:
            if self._left > 0:
                raise DataError(f"{self._name} is damaged: its part {self._info.filename} is shorter than it "
                                f"declares.")
            if self._crc != self._info.CRC:
                raise DataError(f"{self._name} is damaged: its part {self._info.filename} fails its checksum.")
        return data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> "_CappedMember":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, name: str, what: str = "workbook"
                ) -> _CappedMember:
    """Open one member for reading in pieces, capped at its declared size (see :class:`_CappedMember`).
    ``name``: the archive's file name for messages."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    return _CappedMember(archive, info, name, what)


def read_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, name: str, what: str = "workbook") -> bytes:
    """The member's bytes, refused with :class:`DataError` if they exceed its declared size."""
    with open_member(archive, member, name, what) as stream:
        return b"".join(iter(stream.read, b""))  # to the end, where a short part is found


def check_member_sizes(archive: zipfile.ZipFile, name: str, what: str = "workbook",
                       members: list[str] | None = None) -> None:
    """Inflate ``members`` (default: all) as a stream, keeping nothing, to prove that each holds no
    more than it declares before a reader that trusts the sizes inflates it."""
    for info in archive.infolist():
        if members is not None and info.filename not in members:
            continue
        with open_member(archive, info, name, what) as stream:
            while stream.read(4 * 2**20):
                pass


def check_zip_file(path: Path, what: str = "workbook") -> None:
    """:func:`check_zip` for a file on disk; a damaged zip becomes a :class:`DataError`."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(archive, path.name, what)
    except DataError:
        raise
    except zipfile.BadZipFile:
        raise DataError(f"{path.name} could not be opened as a {what}: the file is damaged.") from None
    except (OSError, EOFError, ValueError) as error:
        raise DataError(f"{path.name} could not be opened as a {what}: the file is damaged ({error}).") from None


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,} bytes"


MAX_MANIFEST_BYTES = 64 * 2**20
"""A project's manifest.json is a few kB; a larger one is damage or a bomb."""


def check_project_zip(archive: zipfile.ZipFile, name: str) -> None:
    """:func:`check_zip` for a project file (``.mlpd``): its manifest may not exceed 64 MiB."""
    check_zip(archive, name, "project file", limits={"manifest.json": MAX_MANIFEST_BYTES})


def check_npz(raw: bytes, name: str, what: str = "arrays.npz") -> None:
    """Check a NumPy ``.npz`` (itself a zip) before any array is allocated: every array header must
    describe plain numbers whose size fits in the bytes actually stored (a header claiming 8 TiB in
    a small file is damage, refused without allocating)."""
    import io

    import numpy as np

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_zip(archive, name, "project file")
            for info in archive.infolist():
                check_member_sizes(archive, name, "project file", [info.filename])  # no lying size inside
                with archive.open(info) as stream:
                    version = np.lib.format.read_magic(stream)
                    if version not in ((1, 0), (2, 0), (3, 0)):
                        raise ValueError("unknown array format")
                    reader = {(1, 0): np.lib.format.read_array_header_1_0,
                              (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                    if reader is None:
                        raise ValueError("unsupported array format")
                    shape, _, dtype = reader(stream, max_header_size=10_000)
                if dtype.hasobject or dtype.kind not in "biuf":
                    raise DataError(f"{name} is damaged: {what} holds {info.filename} in a form that is not "
                                    f"plain numbers.")
                count = 1
                for size in shape:
                    count *= int(size)
                if count * dtype.itemsize > info.file_size:
                    raise DataError(f"{name} is damaged: {what} declares {info.filename} with shape "
                                    f"{tuple(int(s) for s in shape)} ({_size(count * dtype.itemsize)}) but stores "
                                    f"{_size(info.file_size)}; it was not loaded.")
    except DataError:
        raise
    except Exception:  # noqa: BLE001 - damage fails in many ways (BadZipFile, tokenize.TokenError, ValueError, ...)
        raise DataError(f"{name} is damaged: its weights ({what}) cannot be read.") from None
