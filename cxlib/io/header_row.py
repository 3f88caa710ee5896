"""Where a table's header is: the first row that holds the named columns, below title or logo rows.

BI and CRM exports, and workbooks with a merged title cell, put a title ("ACME Corp - NPS
Report"), a date or the empty rows of a logo above the column names. The header is the
first of the first :data:`SCAN_ROWS` rows that holds every column a study names (compared
as column names are everywhere: :func:`normal_name`); reading notes the row. Where no row
holds them the first row is the header, and the missing column is named as usual. Where
two rows hold them differently (a legend or a second header above the data), reading stops
and asks which. The ``header_row`` reading option (1 for the first row) says which row it
is instead.

>>> header_index([["ACME Corp - NPS Report"], [], ["Response ID", "LTR", "Region"], ["R1", "9", "N"]],
...              ["ltr", "region"])
2
>>> header_index([["a", "b"]], ["ltr"]), header_index([["x"], ["ltr"]], ["ltr"], header_row=1)
(0, 0)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..formatting.narrative import plural
from .quality import DataError

__all__ = ["INVISIBLE", "MAX_COLUMNS", "SCAN_ROWS", "check_unique_names", "header_index", "header_note", "normal_name"]

SCAN_ROWS = 30  # rows searched for the header; title blocks are a few rows
MAX_COLUMNS = 16_384  # as many as a worksheet holds (Excel's XFD): more is no table of answers


# characters that show nothing: zero-width spaces and joiners, the soft hyphen, the byte order mark, and the
# marks that set the direction of right-to-left text (an Arabic or Hebrew export writes them before a value)
INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\u061c\u202a-\u202e\u2066-\u2069]")


def normal_name(name) -> str:
    """A column name compared without case, Unicode form, spaces, dashes or invisible characters (Turkish "İl" and
    "IL" are "il")."""
    folded = unicodedata.normalize("NFKC", INVISIBLE.sub("", str(name))).casefold().replace("\u0307", "").replace(
        "ı", "i")
    return re.sub(r"[\s\-]+", "_", folded.strip())


def header_index(rows: Sequence[Sequence], columns: Sequence[str], header_row: int | None = None) -> int:
    """The header's index (0 for the first row) among ``rows``: ``header_row - 1`` when given, else the first row
    that holds every name of ``columns``, else 0."""
    if header_row is not None:
        return header_row - 1
    widest = max((len(row) for row in rows[:SCAN_ROWS]), default=0)
    if widest > MAX_COLUMNS:
        raise DataError(f"a row holds {widest:,} fields, more than the {MAX_COLUMNS:,} columns a worksheet holds: "
                        "is the separator right (sep)? A table of answers has a column per question",
                        rule=f"at most {MAX_COLUMNS:,} columns")
    wanted = {normal_name(c) for c in columns}
    found = [index for index, row in enumerate(rows[:SCAN_ROWS])
             if wanted and wanted <= {normal_name(cell) for cell in row if cell is not None}]
    if not found:
        return 0
    different = [i for i in found if _names(rows[i]) != _names(rows[found[0]])]
    if different:  # a legend or a second header above the data: which one the data follow is not for a reader to guess
        raise DataError(f"rows {found[0] + 1} and {different[0] + 1} both hold the columns "
                        f"{', '.join(map(repr, columns))}, in different places; set header_row to the row whose names "
                        "head the data", rule="one header row")
    return found[0]


def _names(row: Sequence) -> list[str]:
    return [normal_name(cell) for cell in row if cell is not None and str(cell).strip()]


def header_note(index: int, header_row: int | None, unit: str = "row") -> str | None:
    """What reading notes about the header's place (None when it is the first row)."""
    if index == 0:
        return None
    how = "as header_row says" if header_row is not None else "the first that holds the named columns"
    return (f"the header is {unit} {index + 1} ({how}): the {plural(index, unit, unit + 's')} above it "
            "skipped (a title?); header_row sets it")


def check_unique_names(names: Sequence, table: str, where: str) -> None:
    """Refuse a header that gives two columns one name (a survey tool's export with a question twice): which
    name, at which column numbers, and what to do.

    >>> check_unique_names(["id", "Q1", "Q1", "Q2"], "survey", "q.csv")
    Traceback (most recent call last):
    ...
    cxlib.io.quality.DataError: survey: q.csv names 2 columns 'Q1' (columns 2 and 3). Rename one of them in the file (e.g. 'Q1' and 'Q1 group') so that each column has a name of its own, then name the one the study should read
    """
    named = [str(n) for n in names if n is not None and str(n).strip()]
    repeated = sorted({n for n in named if named.count(n) > 1})
    if not repeated:
        return
    first = repeated[0]
    at = [str(i + 1) for i, n in enumerate(names) if n is not None and str(n) == first]
    also = f"; also {', '.join(map(repr, repeated[1:]))}" if len(repeated) > 1 else ""
    raise DataError(f"{table}: {where} names {plural(len(at), 'column', 'columns')} {first!r} (columns "
                    f"{', '.join(at[:-1])} and {at[-1]}){also}. Rename one of them in the file (e.g. {first!r} and "
                    f"{first + ' group'!r}) so that each column has a name of its own, then name the one the study "
                    "should read", table=table, rule="unique column names")
