"""Study parameters as declarations: type, default, allowed values and meaning, checked before a kernel starts.

A study declares each parameter once (see :mod:`cxlib.studies`); ``cx list``,
``cx describe``, the notebook's parameters cell, the table in docs/studies.md and validation all
come from that declaration. :meth:`Parameter.check` turns a value given on the command
line or in Python into the value the study uses, or raises :class:`ParameterProblem`
with one sentence naming the parameter, the rule and the value given:

>>> Integer("n_boot", 1000, "bootstrap resamples", low=0).check(-5)
Traceback (most recent call last):
...
cxlib.studies.parameters.ParameterProblem: n_boot must be an integer ≥ 0, got -5
>>> Columns("segment_cols", ["plan"], "segments").check("gender")    # one name is a list of one
['gender']
>>> Choice("backend", "pandas", "where", choices=("pandas", "duckdb", "dask")).check("Pandas")
'pandas'

Column parameters name columns of the input. On the bundled sample they default to the
sample's names; on the user's own table (``data_path`` given) an optional column
defaults to "not used" (None, or an empty list), so a column the user did not name is
never required.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..formatting.quoting import shown
from ..io.files import URL, not_readable
from ..io.sources import is_sql_url
from ..io.tables import canonical_folder

__all__ = ["Choice", "Column", "ColumnGroups", "Columns", "Currency", "Date", "DisplayNames", "Flag", "Integer", "IntegerRange", "ListOf", "Literal",
           "MissingCodes", "Number", "Numbers", "Parameter", "ParameterProblem", "Path", "Steps", "Text", "ValueFilter",
           "literal", "shown"]


class ParameterProblem(ValueError):
    """One parameter value breaks its declared rule."""


def literal(value) -> str:
    """A value as Python source, strings in double quotes (as the notebooks write them).

    >>> literal({"CX": ["speed"], "n": 200000, "x": None})
    '{"CX": ["speed"], "n": 200_000, "x": None}'
    """
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 100_000 else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


@dataclass(frozen=True)
class Parameter:
    """A declared parameter: its name, default (on the bundled sample), meaning and rule.

    ``own_data``: the default when ``data_path`` names the user's own data, if it differs
    (column parameters use it for "not used"). ``nullable``: None is allowed (it means
    what ``meaning`` says). ``renamed_from``: old names still accepted, with a warning.
    ``shared``: the name of a group that many studies declare alike (docs/studies.md lists
    those once). ``sample_only``: the sample's default does not carry over to a folder of
    the canonical data model (which otherwise has the sample's columns and defaults).
    """

    name: str
    default: object
    meaning: str
    nullable: bool = False
    own_data: object = field(default=..., kw_only=True)
    renamed_from: tuple[str, ...] = field(default=(), kw_only=True)
    shared: str = field(default="", kw_only=True)  # a group of parameters every study declares alike ("reading")
    sample_only: bool = field(default=False, kw_only=True)

    kind = "any value"
    plays_a_part = True  # the columns it names play a part in the study: no other parameter may name them

    def default_for(self, own_data: bool):
        """The default on the sample, or on the user's own data."""
        return self.own_data if own_data and self.own_data is not ... else self.default

    def allowed(self) -> str:
        """What values are allowed, in words (for errors, ``cx describe`` and docs/studies.md)."""
        return self.kind + (" or None" if self.nullable else "")

    def problem(self, value, rule: str | None = None) -> ParameterProblem:
        values = list(value) + list(value.values()) if isinstance(value, Mapping) else \
            list(value) if isinstance(value, list | tuple) else [value]
        said = next((v for v in values if isinstance(v, bool)), None)
        hint = (f" (YAML reads yes, no, on, off, true and false as {str(said).lower()}: quote a name such as "
                f"\"No\")" if said is not None and "name" in (rule or self.allowed()) else "")
        return ParameterProblem(f"{self.name} must be {rule or self.allowed()}, got {shown(value)}{hint}")

    def check(self, value):
        """The value the study uses, or :class:`ParameterProblem`."""
        if value is None:
            if self.nullable:
                return None
            raise self.problem(value)
        return self.convert(value)

    def convert(self, value):
        return value

    def as_given(self, value):
        """``value`` as the user meant it, before it is checked (a typed tab for a separator)."""
        return value

    def columns(self, value) -> list[str]:
        """The input columns a (checked) value names; empty for parameters that are not columns."""
        return []


class Literal(Parameter):
    """A parameter of a notebook without a declaration: any literal, as papermill accepts it."""


class TypedInt(int):
    """A whole number given on the command line, with the text it was typed as (``written``)."""

    written: str


class TypedFloat(float):
    """A number given on the command line, with the text it was typed as (``written``): ``2.10``, not 2.1."""

    written: str


def typed(number: int | float, written: str) -> int | float:
    """``number`` remembering ``written``: a number where a number is declared, that text where a name is."""
    out = (TypedInt if isinstance(number, int) else TypedFloat)(number)
    out.written = written
    return out


def _text(parameter: Parameter, value) -> str:
    """Text as given; a whole number (``-p score_col 2024``) is its digits, a date YAML read (``2025-06-30``) as it
    was written; other values are refused."""
    if isinstance(value, TypedInt | TypedFloat):
        return value.written
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and not value.strip():  # -p NAME '', or YAML's "sep: |" (a block of no lines)
        raise ParameterProblem(f"{parameter.name} is empty: give a value, or None (in YAML, quote a value that is a "
                               f"sign such as | or >: {parameter.name}: '|')")
    if not isinstance(value, str):
        quoted = "{" + parameter.name + ': "2.5"}'
        if not isinstance(value, float):
            raise parameter.problem(value)
        raise ParameterProblem(f"{parameter.name} must be {parameter.allowed()}, got {shown(value)} (for text that "
                               f"looks like a number, quote it: -y '{quoted}')")
    return value


class Text(Parameter):
    kind = "a text"

    def convert(self, value):
        return _text(self, value)


class Separator(Text):
    """A field separator: one character; a tab, typed as a tab or as ``\\t``, is kept as ``\\t`` (a tab would be a
    control character in messages and reports) and read as a tab (:meth:`cxlib.io.options.ReadOptions.from_params`)."""

    def as_given(self, value):
        return "\\t" if value == "\t" else value


def _query(text: str) -> bool:
    """A SQL query: DuckDB reads it, and the files it names."""
    return text.lstrip().lower().startswith(("select", "with", "from"))


GLOB = re.compile(r"[*?[]")


def _unreadable(text: str) -> str | None:
    """Why the data at ``text`` cannot be read (a URL to download, a pipe or device, a loop of links), or None.

    A database URL and a SQL query are read by their database; each file a glob matches is looked at.
    """
    if _query(text) or is_sql_url(text.strip()):
        return None
    if GLOB.search(text) and not URL.match(text):
        return next(filter(None, map(not_readable, glob.iglob(text, recursive=True))), None)
    return not_readable(text)


def _holds_tables(folder: str) -> bool:
    """A folder that a single-table study reads: canonical tables, or Parquet files below it."""
    return canonical_folder(folder) or next(glob.iglob(os.path.join(folder, "**", "*.parquet"), recursive=True),
                                            None) is not None


@dataclass(frozen=True)
class Path(Parameter):
    """Where the data are: a file or folder that exists, or a glob or SQL query (``folder``: a folder of tables).

    Only what can be read is taken, before a kernel starts: never a URL (download it first),
    a named pipe, a device or a loop of symbolic links (:func:`cxlib.io.files.not_readable`),
    nor a folder without tables where a file is expected.
    """

    folder: bool = False

    @property
    def kind(self) -> str:
        return "a folder of tables" if self.folder else "a file, folder, glob or SQL query"

    def convert(self, value):
        text = _text(self, value)
        if text.startswith("~"):  # "~/exports/x.csv" in a parameter file: no shell expanded it
            text = os.path.expanduser(text)
        if "\\" in text and not os.path.exists(text) and os.path.exists(text.replace("\\", "/")):
            text = text.replace("\\", "/")  # a Windows path ("exports\\base.csv") where the file is
        if re.search(r"^[a-z][a-z0-9+]*://[^/@\s]*:[^/@\s]*@", text.strip(), re.IGNORECASE):
            raise ParameterProblem(f"{self.name}: the database URL holds a password, and parameters are written into "
                                   "each run's executed.ipynb and results.json. Leave it out of the URL and give it "
                                   "to the driver instead: for PostgreSQL, the PGPASSWORD environment variable or "
                                   "~/.pgpass")
        problem = _unreadable(text)
        if problem:
            raise ParameterProblem(f"{self.name}: {problem}")
        if self.folder and not os.path.isdir(text):
            raise ParameterProblem(f"{self.name} must be a folder with the tables (customers.csv, responses.csv, "
                                   f"...), got {shown(text)}")
        if not self.folder and os.path.isdir(text) and not _holds_tables(text):
            parts = sorted(f for f in os.listdir(text) if f.lower().endswith((".csv", ".tsv", ".txt")))
            if len(parts) == 1:
                raise ParameterProblem(f"{self.name}: {shown(text)} is a folder, where a file is expected: give its "
                                       f"file, {shown(os.path.join(text, parts[0]))}")
            if parts:  # an export in parts: one table in several files
                raise ParameterProblem(f"{self.name}: {shown(text)} holds {len(parts)} CSV files ({parts[0]}, ...), "
                                       "where one table is expected: join them into one file, or read them "
                                       "together out of core with -p backend duckdb -p data_path "
                                       f"{shown(os.path.join(text, '*.csv'))}")
            raise ParameterProblem(f"{self.name}: {shown(text)} is a folder without tables, where a file is expected: "
                                   "give a file, a folder of Parquet files or a folder of the canonical tables "
                                   "(customers, responses, ...)")
        return text


@dataclass(frozen=True)
class Choice(Parameter):
    choices: tuple[str, ...] = ()

    def allowed(self) -> str:
        return f"one of {', '.join(self.choices)}" + (" or None" if self.nullable else "")

    def convert(self, value):
        for choice in self.choices:
            if isinstance(value, str) and (value.strip() or value).lower() == choice.lower():  # " " is a choice
                return choice
        raise self.problem(value)


EXPONENT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")  # "1e3": a number YAML 1.1 reads as text


def _number(value) -> float | None:
    if isinstance(value, str) and EXPONENT.match(value.strip()):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Number(Parameter):
    low: float | None = None
    high: float | None = None
    above: bool = False  # the lower bound is excluded

    whole = False

    def allowed(self) -> str:
        text = "an integer" if self.whole else "a number"
        bounds = []
        if self.low is not None:
            bounds.append(f"{'>' if self.above else '≥'} {self.low:g}")
        if self.high is not None:
            bounds.append(f"≤ {self.high:g}")
        return " ".join([text, " and ".join(bounds)]).strip() + (" or None" if self.nullable else "")

    def convert(self, value):
        number = _number(value)
        if number is None or (self.whole and number != int(number)):
            raise self.problem(value)
        if self.whole:
            number = int(number)
        if self.low is not None and (number <= self.low if self.above else number < self.low):
            raise self.problem(value)
        if self.high is not None and number > self.high:
            raise self.problem(value)
        return number


class Integer(Number):
    whole = True


class Flag(Parameter):
    kind = "True or False"

    def convert(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            return value.strip().lower() in ("true", "yes")
        raise self.problem(value)


class Date(Parameter):
    """A date written YYYY-MM-DD, from 1900 to 2199 (the dates data hold: :func:`cxlib.io.dates.placeholder_dates`)."""

    kind = "a date written YYYY-MM-DD, from 1900 to 2199"

    def convert(self, value):
        try:
            date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError as exc:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):  # written so, but no day of the calendar (06-31)
                raise ParameterProblem(f"{self.name} is written YYYY-MM-DD, but {shown(str(value))} is no day of "
                                       f"the calendar ({exc})") from None
            raise self.problem(value) from None
        if not 1900 <= date.year < 2200:
            raise self.problem(value)
        return date.isoformat()[:10]


def _as_list(value) -> list:
    """A single value where a list is declared is a list of one."""
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _name(value) -> str | None:
    if isinstance(value, TypedInt | TypedFloat):  # -p segment_cols 1.1: the column "1.1"
        return value.written
    return value if isinstance(value, str) and value.strip() else None


class Column(Parameter):
    """The name of one input column; None: not used."""

    kind = "a column name"

    def convert(self, value):
        return _text(self, value)

    def columns(self, value) -> list[str]:
        return [value] if value is not None else []


class ListOf(Parameter):
    """A list whose items each pass :meth:`item_ok`; one value is a list of one, None an empty list."""

    def item_ok(self, item) -> bool:
        raise NotImplementedError

    def check(self, value):
        items = [] if value is None else _as_list(value)
        if not all(self.item_ok(item) for item in items):
            raise self.problem(value)
        return self.convert(items)


class Columns(ListOf):
    """Names of input columns."""

    kind = "a list of column names"

    def item_ok(self, item) -> bool:
        return _name(item) is not None

    def convert(self, value):
        return [_name(item) for item in value]

    def columns(self, value) -> list[str]:
        return list(value)


class ColumnGroups(Parameter):
    """Groups of input columns: ``{group: [column, ...]}``; a list of columns is one group per column."""

    kind = "a mapping of group names to lists of column names"

    def convert(self, value):
        if isinstance(value, list | tuple | str):
            value = {name: [name] for name in _as_list(value)}
        if not isinstance(value, Mapping) or not value:
            raise self.problem(value)
        groups = {}
        for group, members in value.items():
            names = _as_list(members)
            if _name(group) is None or not names or any(_name(n) is None for n in names):
                raise self.problem(value)
            groups[group] = names
        return groups

    def columns(self, value) -> list[str]:
        return [name for members in value.values() for name in members]


class ValueFilter(Parameter):
    """Column = value conditions, ``{column: value}``; empty: no condition."""

    kind = "a mapping of column names to values"

    def check(self, value):
        if value is None:
            return {}
        if not isinstance(value, Mapping) or any(_name(k) is None for k in value):
            raise self.problem(value)
        return dict(value)

    def columns(self, value) -> list[str]:
        return list(value)


class DisplayNames(Parameter):
    """Display names: ``{name in the data: name to show}`` for columns and values; empty: names humanised."""

    kind = "a mapping of names to display names"

    def check(self, value):
        if value is None:
            return {}
        if not isinstance(value, Mapping) or any(_name(str(k)) is None or _name(v) is None for k, v in value.items()):
            raise self.problem(value)
        shared = {}
        for name, shown_as in value.items():
            shared.setdefault(str(shown_as).strip().casefold(), []).append(str(name))
        twins = next((names for names in shared.values() if len(names) > 1), None)
        if twins:  # two segments shown alike: a reader could not tell them apart
            raise ParameterProblem(f"{self.name} shows {', '.join(map(repr, twins))} alike as "
                                   f"{value[twins[0]]!r}: give each its own display name")
        return {str(k): v for k, v in value.items()}


class Currency(Parameter):
    """An ISO 4217 currency code (three letters), as upper case."""

    kind = "a three-letter currency code such as EUR, USD or GBP"

    def convert(self, value):
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
            raise self.problem(value)
        return value.strip().upper()


class MissingCodes(ListOf):
    """Values that mean "missing": a list, for every column of answers (never an id, an amount or a date), or per
    column, ``{column: [codes], "*": [codes for every column of answers]}``."""

    kind = 'a list of numbers or texts, or per column {column: [...], "*": [...]}'
    plays_a_part = False  # codes for a column that another parameter names (the score, the revenue)

    def item_ok(self, item) -> bool:
        return not isinstance(item, bool) and isinstance(item, int | float | str)

    def check(self, value):
        if not isinstance(value, Mapping):
            return super().check(value)
        out = {}
        for column, codes in value.items():
            items = [] if codes is None else _as_list(codes)
            if _name(column) is None or not all(self.item_ok(item) for item in items):
                raise self.problem(value)
            out[_name(column)] = items
        return out

    def columns(self, value) -> list[str]:
        return [c for c in value if c != "*"] if isinstance(value, Mapping) else []


@dataclass(frozen=True)
class Numbers(Parameter):
    """A list of numbers, each at least ``low`` (above it with ``above``); one number is a list of one."""

    low: float | None = None
    above: bool = False
    high: float | None = None

    def allowed(self) -> str:
        bounds = [] if self.low is None else [f"{'>' if self.above else '≥'} {self.low:g}"]
        bounds += [] if self.high is None else [f"≤ {self.high:g}"]
        return " ".join(["a list of numbers", " and ".join(bounds)]).strip() + (" or None" if self.nullable else "")

    def check(self, value):
        if value is None and self.nullable:
            return None
        numbers = _as_list(value) if value is not None else []
        out = [_number(v) for v in numbers]
        if not out or any(v is None for v in out):
            raise self.problem(value)
        if self.low is not None and any(v <= self.low if self.above else v < self.low for v in out):
            raise self.problem(value)
        if self.high is not None and any(v > self.high for v in out):
            raise self.problem(value)
        return out


@dataclass(frozen=True)
class IntegerRange(Parameter):
    """Two integers, smallest and largest, each at least ``low`` (and at most ``high``, when given)."""

    low: int = 0
    high: int | None = None

    def allowed(self) -> str:
        return f"two integers [smallest, largest], each ≥ {self.low}" + (
            f" and ≤ {self.high}" if self.high is not None else "")

    def check(self, value):
        pair = _as_list(value) if value is not None else []
        if len(pair) != 2 or any(_number(v) is None or v != int(v) or v < self.low
                                 or (self.high is not None and v > self.high) for v in pair) or pair[0] > pair[1]:
            raise self.problem(value)
        return [int(v) for v in pair]


class Steps(Parameter):
    """Steps for number columns, ``{column: a number above 0}``; empty: none given."""

    kind = "a mapping of column names to numbers above 0"

    def check(self, value):
        if value is None:
            return {}
        if not isinstance(value, Mapping) or any(_name(str(k)) is None or not _number(v) or _number(v) <= 0
                                                 for k, v in value.items()):
            raise self.problem(value)
        return {str(k): float(v) for k, v in value.items()}

    def columns(self, value) -> list[str]:
        return list(value)
