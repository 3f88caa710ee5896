"""A study as one declaration: what it answers, its parameters, its input, and how it runs.

:class:`StudyDeclaration` is the single source of truth for a study: the runner checks
parameters against it before a kernel starts, ``cx list`` and ``cx describe`` print it,
the notebook's parameters cell is generated from it (a test keeps them equal), and the
The parameter tables of docs/studies.md come from :meth:`StudyDeclaration.markdown`.

>>> from cxlib.studies.parameters import Column, Integer, Path
>>> s = StudyDeclaration("demo", "Demo", "What?", "one row per answer", (
...     Path("data_path", None, "your file; None: the sample", nullable=True),
...     Column("score_col", "nps", "the 0-10 answer"),
...     Column("revenue_col", "monthly_revenue", "revenue; None: not used", nullable=True, own_data=None),
...     Integer("n_boot", 1000, "resamples", low=0)))
>>> s.resolve({"data_path": "exports/*.csv", "score_col": "LTR"}).values
{'data_path': 'exports/*.csv', 'score_col': 'LTR', 'revenue_col': None, 'n_boot': 1000}
>>> s.resolve({"n_boot": -5, "colour": 1})
Traceback (most recent call last):
...
cxlib.studies.contract.ParameterError: demo: unknown parameter 'colour'
n_boot must be an integer ≥ 0, got -5
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..formatting import labels
from ..formatting.claims import Claim
from ..formatting.narrative import ngettext
from ..formatting.quoting import control_character, printable, shown
from ..io.delimited import DELIMITERS
from ..io.header_row import normal_name
from ..io.options import ReadOptions
from ..io.quality import DataError, short_error
from ..io.sources import NotATable, file_format, read_header
from ..io.spreadsheets import NoSuchSheet, sheets_holding
from ..io.tables import COLUMN_HAS_VALUES, canonical_folder, canonical_header, closest_column, has_column
from .parameters import Literal, Parameter, ParameterProblem, literal

__all__ = ["EDIT_LINE", "ParameterError", "Parameters", "Resolved", "StudyDeclaration", "StudyResult"]

EDIT_LINE = ("# Parameters (`cx describe {name}`). For other values, work on a copy: `cx notebook {name} mine.ipynb -p "
             "NAME VALUE`, or run `cx run {name} -p NAME VALUE`")

Check = Callable[[dict], list[str]]
SHARED_GROUPS = {"reading": ("reading options", "Reading options", "data.md#reading-options"),
                 "display": ("display options", "Names and money", "running.md#names-and-money")}  # (words, docs)


class ParameterError(ValueError):
    """Parameters that break their declaration: one line per problem in ``problems`` (values quoted printable)."""

    def __init__(self, study: str, problems: list[str]):
        problems = [printable(problem) for problem in problems]
        super().__init__(f"{study}: " + "\n".join(problems))
        self.study, self.problems = study, problems

    def _render_traceback_(self) -> list[str]:
        """What IPython shows in a notebook: the problems, not a traceback into the library (:func:`short_error`)."""
        return short_error(self)


class Parameters(Mapping):
    """A study's checked parameters, read-only: ``p.score_col`` or ``p["score_col"]``; every declared name is there.

    >>> p = Parameters("demo", {"score_col": "LTR"})
    >>> p.score_col, p["score_col"], dict(p)
    ('LTR', 'LTR', {'score_col': 'LTR'})
    >>> p.scor_col
    Traceback (most recent call last):
    ...
    AttributeError: demo has no parameter 'scor_col'
    """

    __slots__ = ("_study", "_values")

    def __init__(self, study: str, values: Mapping):
        object.__setattr__(self, "_study", study)
        object.__setattr__(self, "_values", dict(values))

    def __getitem__(self, name: str):
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"{self._study} has no parameter {name!r}") from None

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"{self._study}'s parameters are read-only")

    def __repr__(self) -> str:
        return f"Parameters({self._study!r}, {self._values!r})"


@dataclass(frozen=True)
class Resolved:
    """Checked parameters: every value the study uses, and the names the caller set."""

    values: dict
    overrides: tuple[str, ...]


@runtime_checkable
class StudyResult(Protocol):
    """What every study's result gives its report, results.json and the index (a test holds each study to it).

    ``headline()`` the few figures of the index card, as shown; ``figures()`` the key
    figures with their intervals and units (:func:`cxlib.formatting.figures.figure`; none
    for a study without one); ``claims()`` what the executive summary states, each with
    its numbers and test (:class:`~cxlib.formatting.claims.Claim`); ``to_dict()`` every
    number, for results.json.
    """

    def headline(self) -> dict: ...

    def figures(self) -> list[dict]: ...

    def claims(self) -> list[Claim]: ...

    def to_dict(self) -> dict: ...


@dataclass(frozen=True)
class StudyDeclaration:
    """One study: name (as its notebook), title, the question it answers, its input and parameters.

    ``checks`` are rules across parameters (each returns problem lines); a column plays one
    part (a score named as a segment or a weight too is refused), except for the pairs of
    parameters in ``shared_columns`` (the churn study's segment may be a covariate); ``run`` is the
    study's computation on its checked :class:`Parameters`, and returns ``(result, data)``.
    The declaration is the one place a parameter and its default are written: ``run`` takes
    them from ``Parameters``, and :meth:`function` gives Python callers a keyword-only
    function whose signature is the declaration's. ``data_path`` (when declared) tells the
    sample from the user's own data.
    """

    name: str
    title: str
    question: str
    input: str
    parameters: tuple[Parameter, ...]
    checks: tuple[Check, ...] = ()
    run: Callable[[Parameters], tuple] | None = field(default=None, repr=False)
    shared_columns: tuple[tuple[str, str], ...] = ()  # pairs of parameters that may name one column
    derived_columns: tuple[str, ...] = ()  # what the study adds to the canonical tables: a parameter may name them

    def __post_init__(self):
        names = [p.name for p in self.parameters]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"{self.name}: parameters declared twice: {repeated}")

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def defaults(self, own_data: bool = False) -> dict:
        """Every parameter's default on the bundled sample, or on the user's own data."""
        return {p.name: p.default_for(own_data) for p in self.parameters}

    def _renamed(self, given: Mapping) -> dict:
        renames = {old: p.name for p in self.parameters for old in p.renamed_from}
        out = {}
        for name, value in given.items():
            if name in renames:
                warnings.warn(f"{self.name}: parameter {name!r} is now called {renames[name]!r}; the old name "
                              "will stop working in the next release", FutureWarning, stacklevel=3)
                name = renames[name]
            out[name] = value
        return out

    def resolve(self, given: Mapping | None = None, *, check_header: bool = True) -> Resolved:
        """Check ``given`` against the declaration; every value the study will use.

        Unset parameters take their default: the sample's, or with ``data_path`` set,
        the own-data default ("not used" for optional columns); a folder of the canonical
        data model has the sample's columns, so it takes the sample's column defaults. Raises
        :class:`ParameterError` listing every problem: unknown names, values against
        their rule, rules across parameters, and named columns absent from the file's
        header (where the header can be read cheaply).
        """
        given = self._renamed(dict(given or {}))
        problems = []
        for name in given:
            if not isinstance(name, str):
                problems.append(f"unknown parameter {name!r}: parameter names are text")
            elif name not in self.names:
                close = difflib.get_close_matches(name, self.names, n=1)
                problems.append(f"unknown parameter {shown(name)}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        own_data = given.get("data_path") is not None
        # the sample's columns, the user's data (isdir first: any text given, a name too long for a path included)
        try:
            canonical = own_data and os.path.isdir(str(given["data_path"])) and canonical_folder(given["data_path"])
        except DataError as exc:  # a folder that holds two files of one table: which one is not for us to guess
            raise ParameterError(self.name, [f"data_path: {exc}"]) from None
        values = {}
        for p in self.parameters:
            value = p.as_given(given[p.name] if p.name in given else
                               p.default_for(own_data and (p.sample_only or not canonical)))
            if (control := control_character(value)) is not None:  # it would reach a terminal or a report raw
                problems.append(f"{p.name} holds an invisible control character ({control}) that a terminal or a "
                                "report would act on (moving or reordering text): remove it"
                                + (" (rename the file)" if p.name == "data_path" else ""))
                continue
            try:
                values[p.name] = p.check(value)
            except ParameterProblem as exc:
                problems.append(str(exc))
        if not problems:  # a study's own rules first: they say more than "one part per column" about a column
            for check in self.checks:
                problems.extend(check(values))
            problems = problems or self._one_part_per_column(values)
        if not problems and check_header:
            problems.extend(self._header_problems(values, not own_data or canonical))
        if problems:
            raise ParameterError(self.name, problems)
        return Resolved(values, tuple(sorted(n for n in given if n in self.names)))

    def compute(self, given: Mapping | None = None) -> tuple:
        """The study computed in this process on ``given`` parameters, checked as ``cx run`` checks them:
        ``(result, data)``, the numbers of the study's report. The display options (``labels``,
        ``currency``) hold from here on in this process, as in the study's report
        (:func:`cxlib.formatting.labels.use`)."""
        values = self.resolve(given).values
        labels.use(values.get("labels"), values.get("currency"))
        try:
            return self.run(Parameters(self.name, values))
        except DataError as exc:
            raise self._naming_parameters(exc, values) from None

    def _naming_parameters(self, exc: DataError, values: Mapping) -> DataError:
        """A column with no values, told by the parameters that name it and how to do without it (an optional
        one can be left out); other errors as they are."""
        if exc.rule != COLUMN_HAS_VALUES or exc.column is None:
            return exc
        named = [p for p in self.parameters
                 if normal_name(exc.column) in map(normal_name, p.columns(values.get(p.name)))]
        hints = [f"it is {p.name}: " + ("leave it out of the list" if isinstance(values.get(p.name), list | tuple)
                                        else f"name a column with values, or none ({p.name}: null)" if p.nullable
                                        else "name a column with values") for p in named]
        if not hints:
            return exc
        return DataError(f"{exc}; {'; '.join(hints)}", table=exc.table, column=exc.column, rule=exc.rule,
                         rows=exc.rows)

    def function(self, name: str) -> Callable[..., tuple]:
        """The study as a Python function ``name(**parameters) -> (result, data)``: keyword-only, its signature and
        defaults the declaration's (the sample's), its parameters checked as ``cx run`` checks them."""
        def study(**parameters) -> tuple:
            return self.compute(parameters)

        study.__name__ = study.__qualname__ = name
        study.__signature__ = inspect.Signature(
            [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default) for p in self.parameters])
        study.__doc__ = (f"{self.title}: {self.question}\n\nReturns ``(result, data)``; the parameters (``cx describe "
                         f"{self.name}``) are checked as ``cx run`` checks them: a wrong one raises ParameterError.")
        return study

    def _one_part_per_column(self, values: dict) -> list[str]:
        """A column named by two parameters (names compared as the header is matched: case and accents aside), unless
        the declaration lets the two share it: the score as a segment or a weight gives nonsense, or a crash."""
        named: dict[str, tuple[str, str]] = {}
        problems = []
        for p in (p for p in self.parameters if p.plays_a_part):
            for column in dict.fromkeys(p.columns(values[p.name])):
                first = named.setdefault(normal_name(column), (p.name, column))
                if first[0] != p.name and {first[0], p.name} not in map(set, self.shared_columns):
                    problems.append(f"{first[0]} and {p.name} both name the column {shown(column)}: a column plays "
                                    "one part in a study; name another column for one of them")
        return problems

    def _header_problems(self, values: dict, canonical: bool) -> list[str]:
        """Named columns absent from the data's header: the user's file, or the canonical tables (the sample's, or
        a folder's) with the columns the study derives from them."""
        named = tuple(c for p in self.parameters for c in p.columns(values[p.name]))
        if not named or "data_path" not in values:  # no column named, or a notebook that reads no data
            return []
        if canonical:
            header = [*canonical_header(values["data_path"]), *self.derived_columns]
            where = "the bundled sample" if values["data_path"] is None else f"the tables of {values['data_path']}"
            return self._absent(values, header, where, [])
        try:
            header = read_header(values["data_path"], dataclasses.replace(ReadOptions.from_params(values),
                                                                          columns=named))
        except (NoSuchSheet, NotATable) as exc:
            return [str(exc)]
        if header is None:
            return []
        return self._absent(values, header, values["data_path"], self._other_sheets(values, named, header))

    def _absent(self, values: dict, header: list[str], where, elsewhere: list[str]) -> list[str]:
        """Each parameter's named columns that ``header`` lacks, with the closest names and what to do."""
        problems = []
        for p in self.parameters:
            absent = [c for c in p.columns(values[p.name]) if not has_column(c, header)]
            if not absent:
                continue
            hints = [_column_hint(c, header, p.name) for c in absent]
            optional = "; or None: not used" if p.nullable else ""
            joined = next((d for d in DELIMITERS if len(header) == 1 and d in header[0]), None)
            problems.append(f"{p.name}: {ngettext('column', 'columns', len(absent))} {', '.join(hints)} not in "
                            f"{where}{optional}. Its columns: "
                            f"{', '.join(shown(name) for name in header[:30])}"
                            + (", ..." if len(header) > 30 else "")
                            + (f". The sheet {shown(elsewhere[0])} holds the named columns: set sheet to it"
                               if elsewhere else
                               (f". The header reads as one column: the file is separated by {joined!r}, not "
                                f"{values['sep']!r}: leave sep out (it is found) or set it to {joined!r}"
                                if values.get("sep") not in (None, joined, joined.replace("\t", "\\t")) else
                                ". The header reads as one column although it holds the separator: each line is "
                                "enclosed in quotes whole; export again without quoting whole lines") if joined else
                               ". If the names are on a later row (below a title), set header_row to it"
                               if len(header) < 3 else ""))
        return problems

    @staticmethod
    def _other_sheets(values: dict, named: tuple[str, ...], header: list[str]) -> list[str]:
        """Where no sheet was chosen and the first one lacks the named columns: the workbook's sheets that hold
        them."""
        path = values.get("data_path")
        if values.get("sheet") is not None or not path or all(has_column(c, header) for c in named):
            return []
        path = Path(str(path))
        if not path.is_file() or file_format(path) != "excel":
            return []
        return sheets_holding(path, named)

    def collect(self, namespace: Mapping) -> dict:
        """The declared parameters' values from a notebook's namespace (after its parameters cell)."""
        return {name: namespace[name] for name in self.names if name in namespace}

    def parameters_cell(self) -> str:
        """The notebook's parameters cell: an edit line, then ``name = default  # meaning`` per parameter."""
        lines = [EDIT_LINE.format(name=self.name)]
        lines += [f"{p.name} = {literal(p.default)}  # {p.meaning}" for p in self.parameters]
        return "\n".join(lines)

    def describe(self) -> str:
        """What ``cx describe STUDY`` prints: the question, the input and every parameter."""
        lines = [f"{self.name}: {self.title}", f"  {self.question}", f"  Input (data_path): {self.input}", "",
                 "  Parameters (default on the bundled sample; on your own data where it differs):"]
        for p in self.parameters:
            own = p.default_for(True)
            default = literal(p.default) + (f"; your data: {literal(own)}" if own != p.default else "")
            lines.append(f"    {p.name} = {default}")
            lines.append(f"        {p.meaning}")
            if not isinstance(p, Literal):
                lines.append(f"        allowed: {p.allowed()}")
        return "\n".join(lines)

    def markdown(self) -> str:
        """The study's parameter table for docs/studies.md; shared groups (reading, display) are described once, on
        the page each links to."""
        rows = ["| parameter | default | on your data | allowed | meaning |", "|---|---|---|---|---|"]
        for p in self.parameters:
            if p.shared:
                continue
            own = p.default_for(True)
            rows.append(f"| `{p.name}` | `{literal(p.default)}` | {'' if own == p.default else f'`{literal(own)}`'} "
                        f"| {p.allowed()} | {p.meaning} |")
        for group, (words, section, page) in SHARED_GROUPS.items():
            names = [f"`{p.name}`" for p in self.parameters if p.shared == group]
            if names:
                rows += ["", f"And the {words} {', '.join(names)} ([{section}]({page}))."]
        return "\n".join([f"### `{self.name}`: {self.title}", "", self.question, "", *rows])


def undeclared(name: str, title: str, defaults: Mapping) -> StudyDeclaration:
    """A notebook without a declaration in :mod:`cxlib.studies`: parameters as its cell writes them, unchecked."""
    return StudyDeclaration(name, title, "", "", tuple(Literal(k, v, "", nullable=True) for k, v in defaults.items()))


def _column_hint(column: str, header: list[str], parameter: str) -> str:
    """A named column that is not in ``header``, with what is near it: the columns it matches when case, spaces and
    dashes are ignored (more than one, so none is chosen), or the closest name."""
    parts = [part.strip() for part in column.split(",")]
    if len(parts) > 1 and all(has_column(part, header) for part in parts):  # "Seg, Id": a list written as text
        return f"{shown(column)} (for a list of columns write -y '{{{parameter}: [{', '.join(parts)}]}}')"
    same = [h for h in header if normal_name(h) == normal_name(column)]
    if len(same) > 1:
        return (f"{shown(column)} (matches {', '.join(map(shown, same))} when case, spaces and dashes are ignored: "
                "name one exactly)")
    close = closest_column(column, header, cutoff=0.6)
    return f"{shown(column)} (closest: {shown(close)})" if close else shown(column)
