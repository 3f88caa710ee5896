"""Column names as an analyst types them: the Python API matches names as ``cx run`` matches a file's header.

A name that differs from exactly one column of the data only in case, Unicode form, spaces
or dashes (:func:`~cxlib.io.header_row.normal_name`: ``"NPS"`` finds ``nps``, ``"il bölgesi"``
finds ``İl Bölgesi``) is that column. A name that matches two columns that way is refused
with both; a name that matches none is left as given, so the function's own check names it
with the closest match ("did you mean").

Every estimator that takes ``data`` and column names declares which of its parameters hold
names with :func:`column_arguments`; a name inside a list (``by=["Plan", "Region"]``), the
members of a mapping of groups (``groups={"CX": ["Speed"]}``) and the keys of a mapping per
column (``reference={"Plan": "basic"}``) are matched the same way.

>>> import pandas as pd
>>> match_column("NPS", ["nps", "plan"]), match_column("Plan ", ["nps", "plan"]), match_column("x", ["nps"])
('nps', 'plan', 'x')
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from .header_row import normal_name
from .quality import DataError

__all__ = ["column_arguments", "match_column"]


def match_column(name, present: Sequence) -> object:
    """The column of ``present`` that ``name`` means: itself when present, else the one column equal to it
    under :func:`normal_name`, else ``name`` unchanged (for the caller's "not in the data" message)."""
    if not isinstance(name, str) or name in present:
        return name
    same = [column for column in present if normal_name(column) == normal_name(name)]
    if len(same) > 1:
        raise DataError(f"column {name!r} could be any of {', '.join(map(repr, same))}: they differ from it only in "
                        "case, spaces or dashes; name one exactly", column=name, rule="one column per name")
    return same[0] if same else name


def column_arguments(*names: str, data: str = "data", keys_of: Sequence[str] = (),
                     members_of: Sequence[str] = ()) -> Callable:
    """Decorate a function whose parameter ``data`` is a DataFrame so that the column names it is given are
    matched to the frame's columns (:func:`match_column`) before it runs.

    ``names``: parameters holding a name or a list of names; ``keys_of``: mappings keyed by column
    (``reference``, ``covariate_steps``); ``members_of``: mappings of a label to a list of columns (``groups``).
    A loaded :class:`~cxlib.io.tables.CXData` is matched against its survey frame's columns; other data (a
    histogram) pass unchanged.
    """
    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)
        unknown = set(names) | set(keys_of) | set(members_of) | {data}
        unknown -= set(signature.parameters)
        if unknown:
            raise TypeError(f"{function.__name__} has no parameter {sorted(unknown)}")

        @functools.wraps(function)
        def matched(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            present = _columns(bound.arguments.get(data))
            if present:
                for name in set(bound.arguments) & set(names):
                    bound.arguments[name] = _matched(bound.arguments[name], present)
                for name in set(bound.arguments) & set(keys_of):
                    given = bound.arguments[name]
                    if isinstance(given, Mapping):
                        bound.arguments[name] = {match_column(k, present): v for k, v in given.items()}
                for name in set(bound.arguments) & set(members_of):
                    given = bound.arguments[name]
                    if isinstance(given, Mapping):
                        bound.arguments[name] = {k: _matched(v, present) for k, v in given.items()}
            return function(*bound.args, **bound.kwargs)

        return matched

    return decorate


def _columns(data) -> list:
    """The columns of a DataFrame, or of a loaded :class:`~cxlib.io.tables.CXData`'s survey frame; else none."""
    if isinstance(data, pd.DataFrame):
        return list(data.columns)
    return data.survey_columns() if hasattr(data, "survey_columns") else []


def _matched(given, present: Sequence):
    """A name, or each name of a list or tuple, matched; anything else unchanged."""
    if isinstance(given, str):
        return match_column(given, present)
    if isinstance(given, list | tuple):
        return type(given)(match_column(g, present) for g in given)
    return given
