"""Which paths are read: regular files and folders of them; never a pipe, a device, a socket or a loop of links.

A named pipe (FIFO) blocks its reader until something writes to it, ``/dev/zero`` never
ends, and a loop of symbolic links has no file at its end. Each is refused from what
``stat`` says of the path, which neither blocks nor reads, before a reader opens it
(:func:`not_readable`). Files that people write by hand (parameters, taxonomies) are read
only up to a bound (:func:`read_bounded`).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from ..formatting.quoting import shown
from .quality import DataError

__all__ = ["URL", "not_readable", "read_bounded"]

URL = re.compile(r"\s*[a-z][a-z0-9+.-]*://", re.IGNORECASE)  # https://, s3://, ...: not a path on this computer

KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
         (stat.S_ISSOCK, "a socket"))
FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".sav", ".zsav", ".dta", ".yaml", ".yml")  # never folders


def _mode(path: Path) -> tuple[int | None, str | None]:
    """The file type bits of ``path`` (links followed), or None and why there is no file to read."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        if getattr(exc, "errno", None) == errno.ELOOP:
            return None, f"{shown(str(path))} is a loop of symbolic links"
        try:
            target = os.readlink(path)
        except (OSError, ValueError):
            return None, f"no such file or folder: {shown(str(path))}"
        return None, f"{shown(str(path))} is a symbolic link to {shown(target)}, which does not exist"
    if not os.access(path, os.R_OK | (os.X_OK if stat.S_ISDIR(mode) else 0)):
        return None, f"{shown(str(path))} cannot be read: permission denied"
    return mode, None


def _kind(mode: int, path: Path, file: bool) -> str | None:
    """Why a path of this type is not read, or None for a regular file (or a folder where one may be)."""
    for test, kind in KINDS:
        if test(mode):
            return f"{shown(str(path))} is {kind}, not a file; save what it holds to a file and give that path"
    if stat.S_ISDIR(mode) and (file or path.suffix.lower() in FILE_SUFFIXES):
        return f"{shown(str(path))} is a folder, where a file is expected"
    return None


COMPRESSED = ((b"\x1f\x8b", "gzip", "gunzip"), (b"BZh", "bzip2", "bunzip2"), (b"\xfd7zXZ\x00", "xz", "unxz"),
              (b"\x28\xb5\x2f\xfd", "zstd", "unzstd"))  # magic bytes, format, the command that unpacks it


def _compressed(path: Path) -> str | None:
    """Why a compressed file is not read as it is (an .xlsx is a zip file, and read): unpack it first."""
    try:
        with path.open("rb") as handle:
            head = handle.read(6)
    except OSError:
        return None
    for magic, kind, command in COMPRESSED:
        if head.startswith(magic):
            return f"{shown(str(path))} is compressed ({kind}); unpack it first ({command} {shown(path.name)}) and give the unpacked file"
    return None


def not_readable(path: str | os.PathLike, *, file: bool = False) -> str | None:
    """Why ``path`` cannot be read as data, in words; None when it can.

    A regular file can be read, and a folder (unless ``file``) whose entries, and the
    ``.parquet`` files below it, are regular files or folders. A name that only files
    have (``responses.csv``) must not be a folder. A URL is to be downloaded first
    (database addresses are read by their database, not here), a compressed file (gzip,
    bzip2, xz, zstd) unpacked first.

    >>> not_readable("/dev/zero")
    "'/dev/zero' is a device, not a file; save what it holds to a file and give that path"
    """
    if URL.match(str(path)):
        return (f"{shown(str(path))} is a web or cloud address; cxlib reads files on this computer: download it "
                "first and give the file's path")
    path = Path(path)
    mode, missing = _mode(path)
    if mode is None:
        return missing
    problem = _kind(mode, path, file)
    if problem or not stat.S_ISDIR(mode):
        return problem or _compressed(path)
    for entry in [*path.iterdir(), *path.rglob("*.parquet")]:
        mode, missing = _mode(entry)
        problem = missing or _kind(mode, entry, file=False)
        if problem:
            return problem
    return None


def read_bounded(path: str | os.PathLike, limit: int, what: str) -> bytes:
    """The bytes of the regular file at ``path``; :class:`DataError` if it is not one, or holds over ``limit`` bytes.

    ``what`` names the file in messages ("parameters file"). The file is opened without
    blocking and checked again once open, so a pipe put in its place is not waited on.
    """
    problem = not_readable(path, file=True)
    if problem is None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            raise DataError(f"cannot read {what} {shown(str(path))}: {exc.strerror}", rule="a readable file") from None
        with os.fdopen(fd, "rb") as handle:
            problem = _kind(os.fstat(fd).st_mode, Path(path), file=True)
            data = b"" if problem else handle.read(limit + 1)
    if problem:
        raise DataError(f"{what}: {problem}", rule="a regular file")
    if len(data) > limit:
        raise DataError(f"{what} {shown(str(path))} holds more than {limit:,} bytes",
                        rule=f"at most {limit:,} bytes")
    return data
