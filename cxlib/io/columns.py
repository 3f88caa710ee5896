"""Column rules: what a column must hold, and parsing a raw column against them.

A :class:`Column` says what kind of values a column holds and their valid range. Parsing
turns raw values (text from a CSV, or typed values from Parquet or SQL) into typed ones
and reports every value that breaks a rule, so the caller can exclude those rows and
count them. Nothing is coerced silently: a value is either parsed exactly, set to
missing because it is a missing marker (counted), or reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..formatting.narrative import plural
from .amounts import NEGATIVE, accounting_negatives, apostrophe_marks, without_currency
from .dates import (
    ANSWERS_FROM,
    EARLY_ANSWER,
    FUTURE_DATE,
    implausible,
    parse_dates,
    placeholder_dates,
    tomorrow,
)
from .header_row import INVISIBLE
from .ids import PLACEHOLDER_RATIO, nines_placeholder, read_ids
from .nps_groups import normal_word
from .numbers import ascii_digits, is_number, parse_numbers, written_plain
from .options import ReadOptions
from .quality import DataError
from .scale import scale_rule
from .score_answers import (
    group_scores,
    labelled_scores,
    numbers_from_labels,
    qualtrics_group_codes,
    recommend_anchors,
    refuse_other_scales,
)

__all__ = [
    "LEFT_WORDS", "LONGEST_STAY_YEARS", "MISSING_VALUE", "NOT_YES_NO", "STANDARD_MISSING_MARKERS", "STAYED_WORDS", "UNIT_DAYS",
    "YES_NO_CODES", "Column", "amount", "as_text", "category", "check_yes_no_codes", "count", "date", "duration",
    "flag", "identifier", "left_flag", "longest_duration", "number", "parse", "rating", "score", "text", "timestamp",
    "weight", "yes_no_names", "yes_no_read",
]

Kind = Literal["id", "integer", "number", "category", "text", "date", "datetime", "boolean"]

# Text that means "no value" in a numeric, date or boolean column (never in a text column,
# where "NA" may be North America). Each such value is counted in the DataQuality record.
STANDARD_MISSING_MARKERS = frozenset({"na", "n/a", "nan", "null", "none", "-", "?", "missing"})
# what Excel writes in a cell whose formula failed (any case, as exports write them)
EXCEL_ERRORS = frozenset({"#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!", "#spill!", "#calc!",
                          "#getting_data", "#n/a n/a"})
# yes and no in the reports' languages (en, tr, sr in Latin and Cyrillic script), with and without diacritics
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t", "evet", "da", "да"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", "hayır", "hayir", "ne", "не"})
# a "has left" flag written as the customer's status (CRM exports): yes where the status says gone
LEFT_WORDS = frozenset({"cancelled", "canceled", "churned", "left", "closed", "terminated", "inactive", "lost",
                        "lapsed", "expired", "ended", "former", "iptal", "iptal edildi", "ayrıldı", "kapandı",
                        "pasif", "otkazan", "otkazano", "napustio", "napustila", "neaktivan",
                        "отказан", "неактиван"})
STAYED_WORDS = frozenset({"active", "current", "retained", "open", "renewed", "existing", "aktif", "aktivan",
                          "aktivna", "активан", "активна"})
# true and false say yes and no: a true/false category is shown as yes/no. 0 and 1 stay as written: a 0/1 gender
# or plan type is no yes/no question, and the data do not say which one a column is
YES_NO_CODES = {"false": "no", "true": "yes"}
YES_NO_NOTE = "true/false shown as yes and no"
SMALLEST_WEIGHT = 1e-12  # a weight below this is an export error (1e-200): its square underflows to 0
PLACEHOLDER_AMOUNT = f"a placeholder (all nines, {PLACEHOLDER_RATIO} times the median or more), not an amount"
WHOLE_TOLERANCE = 1e-9  # a score this close to a whole number is that number, stored with a double's rounding noise
LARGEST = 1e15  # an amount, weight or duration this large is an export error (1.5e308), not a customer's figure
LONGEST_STAY_YEARS = 150  # no customer stays longer: a longer duration is a placeholder (999999) or the wrong unit
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}  # the time units of a duration
MISSING_VALUE = "missing value"  # the rule of a blank in a column that must have a value
NOT_YES_NO = "not yes/no (true/false, yes/no, 1/0)"  # the rule of a flag that reads as neither


@dataclass(frozen=True)
class Column:
    """What one column must hold.

    Parameters
    ----------
    kind : {"id", "integer", "number", "category", "text", "date", "datetime", "boolean"}
    low, high : float, optional
        Inclusive valid range of a numeric column.
    low_exclusive : bool
        ``low`` itself is invalid (weights must be > 0).
    required : bool
        The column must be present in the table.
    nullable : bool
        Blank values are allowed; otherwise a blank makes the row excluded.
    unique : bool
        Values identify rows (duplicates are resolved at table level).
    answer : bool
        The column holds answers (scores, ratings, categories, yes/no), so that ``missing_codes``
        given for all columns apply to it; ids, amounts, counts, weights, durations and dates
        take only codes named for them (99 is a customer's id, or a price of 99.00).
    missing_level : str, optional
        For a category: blanks become this level (``"(missing)"``; "(missing, blank)" where
        the data already hold the word), counted in a note,
        so that a segment without a value is reported rather than dropped.
    answer_labels : bool
        For an answer on a scale: a value written with its label ("10 - Extremely
        likely", "9 (Promoter)") reads as its number, noted; on the 0-10 scale an NPS
        group ("Promoter") reads as its group (:mod:`cxlib.io.nps_groups`). Scores have it.
    optional_view : bool
        Only an optional view reads the column (revenue, tenure): a value that breaks its
        rule is set to missing and counted, so that the answer leaves that view only and stays
        in every headline, as a blank does.
    past : bool
        For a date: the day something happened (an answer). A date after today is wrong
        (a day-month swap, a two-digit year in the wrong century), one before 1990 a
        placeholder (1970-01-01); either would make a period of its own: it breaks the rule,
        so its row is left out, or, in a nullable column, the date is set to missing,
        counted either way.
    high_in_words : str
        ``high`` as a reader knows it, shown after it in the rule ("150 years").
    local : bool
        For a time: the time of day where it was written, as a date keeps the day where it
        was written (an answer at 01:30+03:00 on 1 June is on 1 June); otherwise a time with
        an offset is read in UTC, so that two times subtract exactly (a ticket's wait).
    """

    kind: Kind
    low: float | None = None
    high: float | None = None
    low_exclusive: bool = False
    required: bool = True
    nullable: bool = True
    unique: bool = False
    description: str = ""
    missing_level: str | None = None
    answer_labels: bool = False
    choose_with: str | None = None
    optional_view: bool = False
    past: bool = False
    high_in_words: str = ""
    local: bool = False
    status_words: bool = False  # a "has left" flag: a status (active, cancelled) reads as no and yes
    answer: bool = True  # an answer, where a code such as 99 may mean "don't know"; not an id, an amount or a date

    @property
    def rule(self) -> str:
        """The range rule in words, e.g. ``'a whole number from 0 to 10'``."""
        noun = "a whole number" if self.kind == "integer" else "a number"
        if self.kind == "integer" and self.low is not None and self.high is not None:
            return scale_rule(self.low, self.high)
        if self.low is not None and self.high is not None:
            return f"{noun} from {self.low:,g} to {self.high:,g}" + (f" ({self.high_in_words})"
                                                                   if self.high_in_words else "")
        if self.low is not None:
            return f"{noun} {'above' if self.low_exclusive else 'of at least'} {self.low:g}"
        return noun


def score(low: int, high: int, **kw) -> Column:
    """A survey score: a whole number in ``[low, high]`` (NPS 0-10, CSAT 1-5, CES 1-7)."""
    return Column("integer", low, high, required=kw.pop("required", False), answer_labels=True, **kw)


def rating(low: float = 0, high: float = 10, **kw) -> Column:
    """A driver rating: a number in ``[low, high]`` (averages of items allowed)."""
    return Column("number", low, high, required=kw.pop("required", False), **kw)


def number(low: float | None = None, high: float | None = None, **kw) -> Column:
    return Column("number", low, high, required=kw.pop("required", False), **kw)


def amount(**kw) -> Column:
    """Money or a duration: a number of at least 0."""
    return Column("number", 0, None, required=kw.pop("required", False), **{"answer": False, **kw})


def duration(unit: str, **kw) -> Column:
    """A time as a customer in ``unit`` (days, weeks, months, years): a number from 0 to
    :data:`LONGEST_STAY_YEARS` years. A longer one is a placeholder (999999999) or a
    duration in another unit, and would add centuries of exposure to every hazard."""
    return Column("number", 0, longest_duration(unit), required=kw.pop("required", False),
                  high_in_words=f"{LONGEST_STAY_YEARS} years", **{"answer": False, **kw})


def longest_duration(unit: str) -> float:
    """:data:`LONGEST_STAY_YEARS` in ``unit``, rounded up to a whole number: 1,800 months, 54,788 days."""
    return float(math.ceil(LONGEST_STAY_YEARS * UNIT_DAYS["years"] / UNIT_DAYS[unit]))


def count(low: int = 0, **kw) -> Column:
    return Column("integer", low, None, required=kw.pop("required", False), **{"answer": False, **kw})


def weight(**kw) -> Column:
    """A survey weight: a number above 0."""
    return Column("number", 0, None, low_exclusive=True, required=kw.pop("required", False), **{"answer": False, **kw})


def identifier(unique: bool = False, **kw) -> Column:
    return Column("id", unique=unique, nullable=kw.pop("nullable", False), **{"answer": False, **kw})


def category(**kw) -> Column:
    return Column("category", required=kw.pop("required", False), **kw)


def text(**kw) -> Column:
    return Column("text", required=kw.pop("required", False), **kw)


def date(**kw) -> Column:
    return Column("date", **{"answer": False, **kw})


def timestamp(**kw) -> Column:
    return Column("datetime", **{"answer": False, **kw})


def flag(**kw) -> Column:
    """Yes/no: true/false, yes/no, y/n, 1/0, t/f in any case."""
    return Column("boolean", required=kw.pop("required", False), **kw)


def left_flag(**kw) -> Column:
    """Has the customer left? A :func:`flag`, or the customer's status as a CRM writes it: "Cancelled", "Churned"
    (:data:`LEFT_WORDS`) for yes and "Active" (:data:`STAYED_WORDS`) for no, noted."""
    return flag(status_words=True, **kw)


@dataclass
class ParsedColumn:
    """A parsed column and what parsing met.

    ``problems`` maps a rule to a boolean mask of rows that broke it, ``set_missing`` a
    reason to the rows set to missing, and ``notes`` says how values were read (a decimal
    comma, day-first dates, answer labels), each with the rows it concerns.
    """

    values: pd.Series
    problems: dict[str, np.ndarray]
    set_missing: dict[str, np.ndarray]
    notes: dict[str, np.ndarray] = field(default_factory=dict)


def as_text(raw: pd.Series) -> pd.Series:
    """Raw values as stripped text; blanks become missing. Whole numbers stored as floats read without ".0", each
    of them: children 0, 1 and 5.5 read "0", "1" and "5.5"."""
    if pd.api.types.is_float_dtype(raw.dtype):
        whole = (raw == raw.round()) & (raw.abs() < 2**53)
        if whole.any():
            text = raw.astype(object).where(raw.notna())
            text[whole] = raw[whole].astype("int64").astype(str)
            return as_text(text)
    out = raw.astype("str").str.strip()
    return out.mask(out == "")


def yes_no_names(values: pd.Series) -> dict | None:
    """The words "no" and "yes" for the codes of a category that holds exactly the two codes True and False (in any
    case), keyed by the codes as written; None for any other column (0 and 1 included).

    >>> yes_no_names(pd.Series([True, False, None])), yes_no_names(pd.Series(["1", "0"]))
    ({'True': 'yes', 'False': 'no'}, None)
    """
    written = as_text(values).dropna().unique()
    if {str(v).casefold() for v in written} != set(YES_NO_CODES):
        return None
    return {v: YES_NO_CODES[str(v).casefold()] for v in written}


def yes_no_read(values: pd.Series) -> pd.Series:
    """``values`` with two yes/no codes read as the text "no" and "yes" (:func:`yes_no_names`), else as they are."""
    named = yes_no_names(values)
    return as_text(values).map(named, na_action="ignore") if named else values


def _one_spelling(raw: pd.Series, values: pd.Series, notes: dict) -> pd.Series:
    """A category's levels written in several ways ("North", "north", "NORTH", " North ") as one: the most
    common spelling, noted with the rows it changed (spaces around a value included)."""
    counts = values.value_counts()
    key = {v: _spelling_key(v) for v in counts.index}
    spelling = {}
    for v in counts.index:  # most common first: the first spelling of a key names it
        spelling.setdefault(key[v], v)
    renamed = {v: spelling[key[v]] for v in counts.index if spelling[key[v]] != v}
    changed = values.isin(list(renamed)).to_numpy(dtype=bool, copy=True)
    if not pd.api.types.is_numeric_dtype(raw.dtype):
        written = raw.astype("string")
        changed = changed | (written != written.str.strip()).fillna(False).to_numpy(dtype=bool)
    if changed.any():
        example = next(iter(renamed.items()), None)
        shown = f"e.g. {example[0]!r} as {example[1]!r}" if example else "spaces around values left out"
        notes[f"spellings that differ only in case, spaces, invisible or look-alike letters taken as one ({shown})"] = \
            changed
    return values.replace(renamed) if renamed else values


HOMOGLYPHS = str.maketrans("асеорхуіјѕ", "aceopxyijs")  # Cyrillic letters drawn as Latin ones


def _spelling_key(value: str) -> str:
    """What a category value says, whatever its case, spaces, invisible characters, or Cyrillic letters that look
    Latin inside a Latin word ("Sеver" with a Cyrillic е is "Sever")."""
    words = []
    for word in normal_word(INVISIBLE.sub("", value)).split():
        latin = any("a" <= ch <= "z" for ch in word)
        words.append(word.translate(HOMOGLYPHS) if latin else word)
    return " ".join(words)


def _missing_code_mask(raw: pd.Series, codes: Iterable) -> np.ndarray:
    """Values equal to a declared missing code, as text or as a number (-99 matches '-99.0')."""
    codes = list(codes)
    if not codes:
        return np.zeros(len(raw), dtype=bool)
    written = as_text(raw)
    mask = written.isin([str(c).strip() for c in codes]).fillna(False).to_numpy(dtype=bool)
    numeric_codes = [float(c) for c in codes if is_number(c)]
    if numeric_codes:
        as_number = pd.to_numeric(written, errors="coerce")
        mask = mask | as_number.isin(numeric_codes).fillna(False).to_numpy(dtype=bool)
    return mask




def parse(raw: pd.Series, column: Column, missing_codes: Iterable = (), options: ReadOptions | None = None,
          value_labels: dict | None = None) -> ParsedColumn:
    """Parse one raw column against its rules.

    Returns the typed values (rows that broke a rule keep a missing value) and, per
    rule broken, the mask of rows that broke it. ``options`` give the decimal mark,
    thousands separator and date format (detected when None); ``value_labels`` (codes to
    labels, from an SPSS or Stata file) name the categories of a category column.
    """
    options = options or ReadOptions()
    problems: dict[str, np.ndarray] = {}
    set_missing: dict[str, np.ndarray] = {}
    notes: dict[str, np.ndarray] = {}
    declared = _missing_code_mask(raw, missing_codes)
    if declared.any():
        set_missing["declared missing code"] = declared
    raw = raw.mask(declared)

    if column.kind in ("id", "category", "text"):
        values = as_text(raw) if column.kind != "text" else raw.astype("str").mask(raw.isna())
        if value_labels and column.kind == "category":
            labelled = raw.map(value_labels)
            values = labelled.astype("string").fillna(values).astype(object).where(values.notna())
            notes["categories read with the file's value labels"] = labelled.notna().to_numpy(dtype=bool)
        if column.kind == "category" and yes_no_names(values):
            values = yes_no_read(values)
            notes[YES_NO_NOTE] = values.notna().to_numpy(dtype=bool)
        if column.kind == "category":
            values = _one_spelling(raw, values, notes)
        if column.kind == "id":
            values = read_ids(values, notes)
        if column.missing_level is not None and values.isna().any():
            level = column.missing_level
            while (values == level).any():  # the data already hold that word: blanks get a level of their own
                level = f"({level.strip('()')}, blank)"
            notes[f"blank values shown as the level {level!r}"] = values.isna().to_numpy(dtype=bool)
            values = values.fillna(level)
    elif column.kind in ("integer", "number"):
        if value_labels:
            raw = numbers_from_labels(raw, value_labels, notes)
        values = _parse_number(raw, column, problems, set_missing, notes, options)
    elif column.kind in ("date", "datetime"):
        values = _parse_datetime(raw, column, options.date_format, problems, set_missing, notes)
    elif column.kind == "boolean":
        values = _parse_boolean(raw, column, problems, set_missing, notes)
    else:  # pragma: no cover - Column's Literal type rules this out
        raise ValueError(f"unknown column kind {column.kind!r}")

    broken = np.zeros(len(raw), dtype=bool)
    for mask in problems.values():
        broken |= mask
    if not column.nullable:
        blank = values.isna().to_numpy(dtype=bool) & ~broken
        if blank.any():
            problems[MISSING_VALUE] = blank
    return ParsedColumn(values, problems, set_missing, notes)


def _standard_missing(text: pd.Series, set_missing: dict[str, np.ndarray], problems: dict[str, np.ndarray]
                      ) -> pd.Series:
    """``text`` without the values that mean "no value": missing markers (n/a, null) set to missing, Excel's
    error values (#DIV/0!) a problem of their own, a formula that failed rather than an answer left blank."""
    lowered = text.str.lower()
    error = lowered.isin(EXCEL_ERRORS).fillna(False).to_numpy(dtype=bool)
    if error.any():
        shown = ", ".join(dict.fromkeys(text[error].str.upper()))
        problems[f"an Excel error value ({shown}), not a value"] = error
    marker = lowered.isin(STANDARD_MISSING_MARKERS).fillna(False).to_numpy(dtype=bool) & ~error
    if marker.any():
        set_missing["missing marker (n/a, null, ...)"] = marker
    return text.mask(marker | error)


# (a sign and its code are one currency: "€12" and "12 EUR" add up)


def _parse_number(raw: pd.Series, column: Column, problems: dict, set_missing: dict, notes: dict,
                  options: ReadOptions) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):
        problems["not a number"] = raw.notna().to_numpy(dtype=bool)
        return pd.Series(np.nan, index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.astype("float64")
    else:
        typed = (raw.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).to_numpy(dtype=bool)
                 if raw.dtype == object else np.zeros(len(raw), dtype=bool))  # numbers typed in a text column
        text = _standard_missing(as_text(raw.mask(typed) if typed.any() else raw), set_missing, problems)
        text = apostrophe_marks(ascii_digits(text, notes), notes)
        if column.kind == "number":
            text = without_currency(accounting_negatives(text, notes), problems, notes)
        parsed = parse_numbers(text, options.decimal, options.thousands, options.comma_locale)
        values = parsed.values.where(~typed, pd.to_numeric(raw.where(typed), errors="coerce")) if typed.any() \
            else parsed.values
        problems.update(parsed.problems)
        if parsed.note:  # the rows it concerns: those written with a decimal comma or grouped digits
            notes[parsed.note] = (values.notna() & text.notna() & ~written_plain(text)).to_numpy(dtype=bool)
        unread = (values.isna() & text.notna()).to_numpy(dtype=bool)
        if unread.any() and column.answer_labels:
            values = labelled_scores(text, values, unread, notes)
            unread = (values.isna() & text.notna()).to_numpy(dtype=bool)
        if unread.any() and column.answer_labels and (column.low, column.high) == (0, 10):
            values = recommend_anchors(text, values, unread, notes)
            unread = (values.isna() & text.notna()).to_numpy(dtype=bool)
        if unread.any() and column.answer_labels and (column.low, column.high) == (0, 10):
            values = group_scores(text, values, unread, notes)
            unread = (values.isna() & text.notna()).to_numpy(dtype=bool)
        for mask in parsed.problems.values():
            unread = unread & ~mask
        # a spreadsheet exported with its formulas as text (Google Sheets' "show formulas"): =AVERAGE(B2:B5), =B3, =10-1
        formula = unread & text.str.match(r"=\s*\S").fillna(False).to_numpy(dtype=bool)
        if formula.any():
            problems["a formula written as text (=AVERAGE(...), =B3), not its value: export the values"] = formula
            unread = unread & ~formula
        if unread.any():
            problems["not a number"] = unread
    if column.answer_labels:
        if (column.low, column.high) == (0, 10):
            values = qualtrics_group_codes(raw.name, values, notes)
        refuse_other_scales(raw.name, values, column.low, column.high)
    arr = values.to_numpy()
    with np.errstate(invalid="ignore"):
        infinite = np.isinf(arr)
        if infinite.any():
            problems["not finite"] = infinite
        arr = np.where(infinite, np.nan, arr)
        huge = np.abs(np.nan_to_num(arr)) >= LARGEST
        if huge.any():  # a sum of such amounts or weights overflows to infinity, and every share to nan
            problems[f"too large to add up ({LARGEST:,.0f} or more)"] = huge
        arr = np.where(huge, np.nan, arr)
        if column.low_exclusive and column.low == 0:  # a weight: its square must not vanish (Kish's n)
            tiny = (arr > 0) & (arr < SMALLEST_WEIGHT)
            if tiny.any():
                problems[f"a weight too small to count (below {SMALLEST_WEIGHT:g})"] = tiny
            arr = np.where(tiny, np.nan, arr)
        if column.kind == "integer":
            noise = ~np.isnan(arr) & (arr != np.round(arr)) & (np.abs(arr - np.round(arr)) <= WHOLE_TOLERANCE)
            if noise.any():  # 6.000000000000001: Excel's =0.6*10, a whole number in a double's rounding noise
                notes[f"whole numbers stored with rounding noise read as whole (e.g. {float(arr[noise][0])!r})"] = noise
                arr = np.where(noise, np.round(arr), arr)
            fractional = ~np.isnan(arr) & (arr != np.round(arr))
            if fractional.any():
                problems["not a whole number"] = fractional
            arr = np.where(fractional, np.nan, arr)
        if column.kind == "number" and column.low == 0:  # an amount, a weight or a duration
            placeholder = nines_placeholder(arr)
            if placeholder.any():
                problems[PLACEHOLDER_AMOUNT] = placeholder
            arr = np.where(placeholder, np.nan, arr)
        out_of_range = np.zeros(len(arr), dtype=bool)
        if column.low is not None:
            out_of_range |= (arr <= column.low) if column.low_exclusive else (arr < column.low)
        if column.high is not None:
            out_of_range |= arr > column.high
    if out_of_range.any():
        negative = column.low == 0 and not column.low_exclusive and column.high is None  # an amount, a duration
        problems[NEGATIVE if negative else f"not {column.rule}"] = out_of_range
    arr = np.where(out_of_range, np.nan, arr)
    if column.kind == "integer":
        return pd.Series(pd.array(np.where(np.isnan(arr), 0, arr).astype("int64"), dtype="Int64"),
                         index=raw.index).mask(np.isnan(arr))
    return pd.Series(arr, index=raw.index, dtype="float64")


# the end points of the 0-10 recommendation question written as their words alone (SurveyMonkey, Google Forms),
# in the languages reports speak; and a score written out of its scale ("7/10", "7 out of 10", "7 od 10")


def _parse_datetime(raw: pd.Series, column: Column, date_format: str | None, problems: dict,
                    set_missing: dict, notes: dict) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw
    else:
        text = _standard_missing(as_text(raw), set_missing, problems)
        parsed = parse_dates(text, date_format, column=str(raw.name), local=column.kind == "date" or column.local)
        values = parsed.values
        notes.update(parsed.notes)
        bad = (values.isna() & text.notna()).to_numpy(dtype=bool)
        if bad.any():
            problems[parsed.bad_rule] = bad
    if getattr(values.dt, "tz", None) is not None:  # a date is the day where it was written, as in a CSV
        values = (values.dt.tz_localize(None) if column.kind == "date" or column.local
                  else values.dt.tz_convert("UTC").dt.tz_localize(None))
    # an answer's date: before 1990 a placeholder (1970-01-01), after today a wrong one; any date: before 1900 or
    # after 2200 a placeholder (9999-12-31 for "no end"). Each row under the first rule it breaks, missing where the
    # column may be blank, else left out
    answers = [(EARLY_ANSWER, values < ANSWERS_FROM), (FUTURE_DATE, values >= tomorrow())] if column.past else []
    for rule, outside in [*answers, *placeholder_dates(values).items()]:
        outside = np.asarray(outside, dtype=bool) & values.notna().to_numpy(dtype=bool)
        if outside.any():
            (set_missing if column.nullable else problems)[rule] = outside
            values = values.mask(outside)
    values = values.astype("datetime64[ns]")
    if column.kind == "date":
        has_time = (values.notna() & (values != values.dt.normalize())).to_numpy(dtype=bool)
        if has_time.any():
            notes["time of day left out: the date is used"] = has_time
            values = values.dt.normalize()
    notes.update(implausible(values))
    return values


def _parse_boolean(raw: pd.Series, column: Column, problems: dict, set_missing: dict, notes: dict) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean")
    text = _standard_missing(as_text(raw), set_missing, problems).str.lower()
    text = text.str.replace(r"\.0$", "", regex=True)
    if column.status_words:
        text = _statuses(text, notes)
    check_yes_no_codes(text.value_counts(), str(raw.name), column.choose_with)
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[text.isin(TRUE_WORDS).fillna(False)] = True
    values[text.isin(FALSE_WORDS).fillna(False)] = False
    return values


def _statuses(text: pd.Series, notes: dict) -> pd.Series:
    """A "has left" flag written as statuses ("active", "cancelled"): yes and no, noted with the words read, when
    every value is a status or a yes/no word and one of them says the customer left."""
    said = set(text.dropna().str.strip().unique())
    gone, stayed = said & LEFT_WORDS, said & STAYED_WORDS
    if not gone or not said <= LEFT_WORDS | STAYED_WORDS | TRUE_WORDS | FALSE_WORDS:
        return text
    status = text.str.strip().isin(gone | stayed).fillna(False).to_numpy(dtype=bool)
    notes[f"statuses read as left ({', '.join(map(repr, sorted(gone)))})"
          + (f" and stayed ({', '.join(map(repr, sorted(stayed)))})" if stayed else "")] = status
    return text.str.strip().map(lambda v: "yes" if v in gone else "no" if v in stayed else v)


def check_yes_no_codes(counts: pd.Series, column: str, choose_with: str | None = None) -> None:
    """Refuse a yes/no column that holds a code other than a yes or a no word.

    ``counts``: rows per code (as text, lower case). Such a code is not a bad row to leave
    out: with 0/1/2 the column means three things, with R's 1/2 (censored/died) or
    "yes"/"maybe" the reader cannot tell which code means no, and guessing would change
    every number. Which code means yes is the user's to say, through ``choose_with``
    (``event_value``), the other codes then meaning no; or the column is recoded.

    >>> check_yes_no_codes(pd.Series({"0": 240, "1": 120, "2": 12}), "left", "event_value")
    Traceback (most recent call last):
    ...
    cxlib.io.quality.DataError: column 'left' should be yes/no but holds 3 different codes: '0' (240 rows), '1' (120 rows), '2' (12 rows). Set event_value to the code that means yes (e.g. -p event_value 1); the other codes then mean no
    """
    counts = counts[counts > 0]
    if all(code in TRUE_WORDS or code in FALSE_WORDS for code in counts.index):
        return
    ordered = counts.sort_values(ascending=False, kind="stable")
    shown = ", ".join(f"{str(code)[:40]!r} ({plural(n, 'row', 'rows')})" for code, n in ordered.iloc[:8].items())
    more = f" and {len(ordered) - 8:,} more" if len(ordered) > 8 else ""
    if ordered.index.to_series().str.match(DATE_LIKE).mean() > 0.5:  # a churn date, not a yes/no
        raise DataError(f"column {column!r} should be yes/no but holds dates ({shown}{more}): a date is when, not "
                        "whether. Give a yes/no column (yes where the date is filled), or the duration and event "
                        "columns the study describes", column=column, rule="yes/no: two codes")
    example = next((code for code in counts.index if code in TRUE_WORDS), str(ordered.index[-1]))
    if len(counts) == 1 and choose_with:  # one word and blanks: which of the two the word means is the user's to say
        fix = (f"If {example!r} means yes, set {choose_with} to it (-p {choose_with} {example}): blanks then mean "
               "no. If it means no (an 'active' customer), recode the column: yes where the customer left")
    else:
        fix = (f"Set {choose_with} to the code that means yes (e.g. -p {choose_with} {example}); the other codes "
               "then mean no" if choose_with else "Recode it to two values, yes and no")
    raise DataError(f"column {column!r} should be yes/no but holds {plural(len(counts), 'code', 'different codes')}: "
                    f"{shown}{more}. {fix}", column=column, rule="yes/no: two codes")


DATE_LIKE = r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"  # 2024-04-15, 15.04.2024
