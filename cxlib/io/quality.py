"""The DataQuality record: every row excluded or value changed on the way in, and why."""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..formatting import labels
from ..formatting.narrative import ngettext, plural
from ..formatting.quoting import printable
from ..formatting.tables import pretty
from .hints import date_hint, scale_hint, value_hint

__all__ = ["EXCLUDED", "FIGURES_ONLY", "NOTE", "SET_MISSING", "DataError", "DataQuality", "QualityIssue",
           "check_columns", "columns_error", "fix_hint", "short_error"]

EXCLUDED = "excluded"
SET_MISSING = "set to missing"
NOTE = "note"
FIGURES_ONLY = "left out of that column's figures"  # a blank answer: the row stays, each figure uses who answered
MAX_EXAMPLES = 5


FIXES = (  # a rule's words -> the parameter that changes how such values are read; the first that fits
    ("not a number above 0", "a weight of 0 (or below) gives an answer no say, so it is left out; give the answers "
                             "that should count a weight above 0"),
    ("a number below 0", "a refund or a credit (an amount below 0, also written in parentheses) is left out of the "
                          "figures that need 0 or more; nothing to do unless the sign is wrong"),
    ("decimal mark unclear", "set decimal and thousands"),
    ("not a number", "numbers written with a decimal comma read by themselves; otherwise set decimal, or list "
                     "codes such as 'n/a' in missing_codes"),
    ("a date in the future", "check the year: 2568 and the like are the Thai Buddhist calendar (543 years ahead: "
                             "subtract 543); a day and month read the wrong way round show here too (set "
                             "date_format)"),
    ("not a date (%", "the dates do not match the date_format given: make it cover every part written (a time "
                      "%H:%M:%S; with AM/PM %I:%M %p), or leave date_format out to have the dates detected"),
    ("not a date (", "set date_format, e.g. %d.%m.%Y"),
    ("not a whole number from", "answers off the scale: check the column, or list codes such as 99 in missing_codes"),
    ("missing value", "blank values: fill them, or choose another column"),
    ("with different values", "the study reads one row per id: keep one row for each (a table with one row per "
                              "period or interval needs one per customer), or leave id_col unset if they are "
                              "different records"),
)


def fix_hint(rule: str, examples: Iterable[str] = ()) -> str:
    """" -> how to fix: ..." for a rule the reading options can fix, judged first from what the values that broke
    it look like (:func:`~cxlib.io.hints.value_hint`, for values that do not read); empty otherwise."""
    examples = tuple(examples)
    shaped = (value_hint(examples) if rule.startswith("not a number")
              else date_hint(examples) if rule.startswith("not a date")
              else scale_hint(rule, examples) if rule.startswith("not a whole number from") else None)
    if shaped:
        return f" -> {shaped}"
    for words, fix in FIXES:
        if words in rule:
            return f" -> {fix}"
    return ""


class DataError(ValueError):
    """Input that a study cannot use: names the table, the column, the rule and example rows.

    The message quotes the data, so it is kept :func:`~cxlib.formatting.quoting.printable`:
    control characters escaped, over-long lines cut.
    """

    def __init__(self, message: str, *, table: str | None = None, column: str | None = None,
                 rule: str | None = None, rows: Iterable[int] = ()):
        super().__init__(printable(message))
        self.table, self.column, self.rule, self.rows = table, column, rule, tuple(rows)

    def _render_traceback_(self) -> list[str]:
        """What IPython shows in a notebook: the message, not a traceback into the library (:func:`short_error`)."""
        return short_error(self)


def short_error(error: Exception) -> list[str]:
    """An error as a notebook shows it to an analyst: its kind and message, in red, without the frames of the
    library that raised it (IPython shows an exception's ``_render_traceback_`` in place of its traceback)."""
    return [f"\x1b[0;31m{type(error).__name__}\x1b[0m: {line}" if i == 0 else line
            for i, line in enumerate(str(error).splitlines() or [""])]


def check_columns(needed, present, noun: str = "column") -> None:
    """Refuse (:class:`DataError`) when a column ``needed`` is not among ``present`` (:func:`columns_error`).

    >>> check_columns(["nps", "plan"], ["NPS score", "plan"])
    Traceback (most recent call last):
    ...
    cxlib.io.quality.DataError: column 'nps' is not in the data; its 2 columns are 'NPS score', 'plan'
    """
    present = [str(c) for c in present]
    absent = [c for c in dict.fromkeys(needed) if c not in present]
    if absent:
        raise columns_error(absent, present, noun)


def columns_error(absent, present, noun: str = "column", hint: str = "") -> DataError:
    """The error of columns not in the data: which ones, in words, the columns the data do have (the first
    :data:`MAX_LISTED`), and ``hint`` (what to do, where the caller knows)."""
    present = [str(c) for c in present]
    shown = ", ".join(map(repr, present[:MAX_LISTED])) + (f" and {len(present) - MAX_LISTED} more"
                                                           if len(present) > MAX_LISTED else "")
    folded = [p.casefold() for p in present]
    close = difflib.get_close_matches(str(absent[0]).casefold(), folded, n=1, cutoff=0.6)
    meant = f" (did you mean {present[folded.index(close[0])]!r}?)" if close else ""
    return DataError(f"{ngettext(noun, noun + 's', len(absent))} {', '.join(map(repr, absent))}{meant} "
                     f"{ngettext('is', 'are', len(absent))} not in the data; its {len(present)} columns are "
                     f"{shown}{hint}", column=absent[0], rule="column present")


MAX_LISTED = 30  # columns a message lists before "and N more"


@dataclass(frozen=True)
class QualityIssue:
    """One rule that some rows broke.

    ``rows`` are 1-based data-row numbers in the source (row 1 is the first row after
    the header), at most five of them, with the offending values in ``examples``.
    """

    table: str
    column: str | None
    rule: str
    action: str
    n_rows: int
    rows: tuple[int, ...] = ()
    examples: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        if self.examples:
            shown = ", ".join(f"row {r}: {v!r}" for r, v in zip(self.rows, self.examples, strict=False))
        else:
            shown = f"{ngettext('row', 'rows', len(self.rows))} {', '.join(map(str, self.rows))}" if self.rows else ""
        return f"{where}: {self.rule} ({plural(self.n_rows, 'row', 'rows')} {self.action})" + (
            f"; e.g. {shown}" if shown else "")


@dataclass(frozen=True)
class DataQuality:
    """What validation did to each table: rows read and kept, and every issue found.

    ``DataQuality`` records add up (``dq1 + dq2``), so a study can show one record for
    all its inputs.
    """

    issues: tuple[QualityIssue, ...] = ()
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_kept: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: DataQuality) -> DataQuality:
        return DataQuality(self.issues + other.issues, {**self.rows_read, **other.rows_read},
                           {**self.rows_kept, **other.rows_kept})

    @property
    def n_excluded(self) -> int:
        """Rows excluded over all tables (a row that broke several rules counts once)."""
        return sum(self.rows_read[t] - self.rows_kept[t] for t in self.rows_read)

    def excluded(self, table: str) -> int:
        return self.rows_read[table] - self.rows_kept[table]

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: table, column, rule, action, rows, example rows and values, and what to do about
        values a reading option (or another column) would read (:func:`fix_hint`), for rows left out or blanked."""
        return pd.DataFrame(
            [{"table": i.table, "column": i.column, "rule": i.rule, "action": i.action, "rows": i.n_rows,
              "example_rows": ", ".join(map(str, i.rows)), "example_values": ", ".join(map(repr, i.examples)),
              "what_to_do": fix_hint(i.rule, i.examples).removeprefix(" -> ") if i.action != NOTE else ""}
             for i in self.issues],
            columns=["table", "column", "rule", "action", "rows", "example_rows", "example_values", "what_to_do"])

    def summary_frame(self) -> pd.DataFrame:
        """One row per table: rows read, excluded and kept."""
        return pd.DataFrame(
            [{"table": t, "rows_read": self.rows_read[t], "rows_excluded": self.excluded(t),
              "rows_kept": self.rows_kept[t]} for t in self.rows_read],
            columns=["table", "rows_read", "rows_excluded", "rows_kept"])

    def to_dict(self) -> dict:
        return {"tables": self.summary_frame().to_dict(orient="records"),
                "issues": [{"table": i.table, "column": i.column, "rule": i.rule, "action": i.action,
                            "rows": i.n_rows, "example_rows": list(i.rows), "example_values": list(i.examples)}
                           for i in self.issues]}

    def reasons(self, table: str, limit: int = 5) -> list[str]:
        """The main exclusions of ``table``, largest first: rule, column, rows, examples and the parameter to change."""
        excluded = sorted((i for i in self.issues if i.table == table and i.action == EXCLUDED),
                          key=lambda i: -i.n_rows)
        return [i.describe() + fix_hint(i.rule, i.examples) for i in excluded[:limit]]

    def left_out(self, table: str, noun: str = "rows", threshold: float = 0.01) -> str | None:
        """One plain sentence when ``threshold`` or more of ``table``'s rows were left out; None otherwise.

        >>> dq = DataQuality((QualityIssue("survey", "nps", "not a number", EXCLUDED, 312, (4,), ("ten",)),),
        ...                  {"survey": 19500}, {"survey": 19188})
        >>> dq.left_out("survey", "answers")
        "312 answers (1.6%) were left out: not a number in NPS (312), e.g. 'ten'."
        """
        read, kept = self.rows_read.get(table, 0), self.rows_kept.get(table, 0)
        if not read or (read - kept) / read < threshold:
            return None
        excluded = sorted((i for i in self.issues if i.table == table and i.action == EXCLUDED),
                          key=lambda i: -i.n_rows)
        causes = "; ".join(f"{i.rule}{' in ' + labels.name(i.column) if i.column else ''} ({i.n_rows:,})"
                           + (f", e.g. {i.examples[0]!r}" if i.examples else "") for i in excluded[:2])
        more = (f"; {plural(len(excluded) - 2, 'more reason', 'more reasons')} in the data quality table"
                if len(excluded) > 2 else "")
        n = read - kept
        counted = f"{plural(n, noun.removesuffix('s'), noun)} ({n / read:.1%}) {ngettext('was', 'were', n)}"
        return f"{counted} left out: {causes}{more}."

    def raise_for_exclusions(self) -> None:
        """Raise :class:`DataError` listing every exclusion (``strict=True`` loading)."""
        excluded = [i for i in self.issues if i.action == EXCLUDED]
        if excluded:
            first = excluded[0]
            raise DataError("strict mode: rows would be excluded:\n  " + "\n  ".join(i.describe() for i in excluded),
                            table=first.table, column=first.column, rule=first.rule, rows=first.rows)

    def __repr__(self) -> str:
        lines = [f"DataQuality: {self.n_excluded:,} rows excluded of {sum(self.rows_read.values()):,} read"]
        lines += [f"  {i.describe()}" for i in self.issues]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        out = f"<p>{html.escape(self.describe())}</p>" + pretty(self.summary_frame()).to_html()
        if self.issues:
            out += pretty(self.to_frame(), as_written=["column"]).to_html()
        return out

    def describe(self) -> str:
        """The account (:meth:`account`) and where its reasons are."""
        if not self.issues:
            return self.account()
        return f"{self.account()} The table below lists each rule with its rows."

    def account(self) -> str:
        """The account every report gives, in plain words: for each table, rows read and used, and what was left out.

        >>> DataQuality((QualityIssue("responses", "nps", "not answered (blank)", EXCLUDED, 573),),
        ...             {"customers": 5000, "responses": 19729}, {"customers": 5000, "responses": 19156}).account()
        'Of 19,729 rows of responses, 19,156 were used and 573 left out; every row of customers (5,000) was read and kept.'
        """
        if not self.issues:
            return "Every row read was used: none was left out and no value was changed."
        used = [f"of {self.rows_read[t]:,} rows of {_words(t)}, {self.rows_kept[t]:,} {ngettext('was', 'were', self.rows_kept[t])} "
                f"used and {self.excluded(t):,} left out" for t in self.rows_read if self.excluded(t)]
        whole = [t for t in self.rows_read if not self.excluded(t)]
        if whole:  # read and kept: a table a study reads but does not analyse (tickets in a segment study) too
            tables = ", ".join(f"{_words(t)} ({self.rows_read[t]:,})" for t in whole)
            used.append(f"every row of {tables} was read and kept" if used or len(whole) == 1
                        else f"every row was read and kept: {tables}")
        changed = sum(i.n_rows for i in self.issues if i.action == SET_MISSING)
        if changed:
            used.append(f"{plural(changed, 'value was', 'values were')} set to missing")
        text = "; ".join(used)
        return f"{text[:1].upper()}{text[1:]}."


def _words(table: str) -> str:
    """A table's name as a sentence writes it ("competitor_nps" -> "competitor NPS")."""
    return labels.value(table)
