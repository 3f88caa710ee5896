"""Recording a study's results: the one call a notebook makes to fill results.json.

Inside a run, :func:`record` writes the results to the file the runner names in the
``CXLIB_RESULTS_FILE`` environment variable; the runner adds the provenance and writes
``results.json``. Run interactively (no runner), it writes nothing and returns the
JSON-ready dictionary, so a notebook behaves the same in JupyterLab.

Values become JSON deterministically: numpy scalars become numbers, NaN and missing
become ``null``, timestamps ISO 8601 text, DataFrames lists of records, and anything
with ``to_dict()`` (estimates, DataQuality) its dictionary. The same numbers give the
same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["RESULTS_ENV", "attach", "data_period", "dumps", "record", "to_jsonable"]

RESULTS_ENV = "CXLIB_RESULTS_FILE"
INTERACTIVE_EXPORTS = Path(__file__).resolve().parents[2] / "reports" / "exports"
_FORMULA_START = r"^\s*[=+\-@]|^[\t\r\n]"  # a formula, also after leading spaces; or a tab, CR or LF first


def to_jsonable(value):
    """Convert results to plain JSON types (see the module docstring).

    >>> to_jsonable({"n": np.int64(3), "x": float("nan"), "d": pd.Timestamp("2024-01-02")})
    {'n': 3, 'x': None, 'd': '2024-01-02T00:00:00'}
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        if any(name is not None for name in value.index.names):  # a named index is data: keep it as columns
            value = value.reset_index()
        return [to_jsonable(row) for row in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Index):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return to_jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    raise TypeError(f"cannot record a value of type {type(value).__name__} in results.json: {value!r}")


def dumps(value) -> str:
    """JSON text with a fixed layout, so equal results give equal bytes."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def data_period(data) -> dict | None:
    """First and last date in the data: of the answers when there are any, else of any date column.

    ``data`` is a CXData (responses' ``survey_date`` first), a Table (its date columns) or
    a :class:`cxlib.engine.SourceData` (its ``period``).
    """
    if hasattr(data, "period"):  # read through a backend: the period was computed where the data are
        return data.period
    frames = [data.responses, *data.tables().values()] if hasattr(data, "tables") else [data.data]
    for frame in frames:
        if frame is None:
            continue
        dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]
        if dates:
            values = pd.concat([frame[c] for c in dates]).dropna()
            if len(values):
                return {"from": f"{values.min():%Y-%m-%d}", "to": f"{values.max():%Y-%m-%d}"}
    return None


def record(results: Mapping, *, headline: Mapping | None = None, data=None, figures=None) -> None:
    """Record a study's results for results.json (call it once, at the end of the notebook).

    Parameters
    ----------
    results : mapping
        The study's numbers: nested dicts, estimates, DataFrames.
    headline : mapping, optional
        Label -> short text or number shown on reports/index.html ("NPS": "23 (20-27)").
    data : CXData or Table, optional
        The loaded input: its sources (path, SHA-256, rows), DataQuality record and
        :func:`data_period` are added to the provenance.
    figures : list of dict, optional
        Key figures with interval and unit (:func:`cxlib.formatting.figures.figure`): the
        index's tiles and their change since the previous run.

    Nothing is returned, so that the call can end a notebook cell without printing into
    the report; :func:`to_jsonable` gives the same values for inspection.
    """
    payload = {"headline": to_jsonable(headline or {}), "figures": to_jsonable(figures or []),
               "results": to_jsonable(results)}
    if data is not None:
        sources = data.sources if hasattr(data, "sources") else (data.source,)
        payload["inputs"] = [s.to_dict() for s in sources]
        payload["data_quality"] = data.quality.to_dict()
        payload["data_period"] = data_period(data)
    target = os.environ.get(RESULTS_ENV)
    if target:
        Path(target).write_text(dumps(payload), encoding="utf-8")


def attach(frame: pd.DataFrame, name: str) -> Path:
    """Write ``frame`` as a CSV file beside the report (in a run) or, interactively, into ``reports/exports/``.

    Nothing lands beside the notebooks: an analyst's exports stay in the git-ignored
    reports folder of the project.

    Text cells that a spreadsheet would run as a formula (starting with = + - @, also after
    leading spaces, or with a tab, carriage return or line feed) get a leading apostrophe,
    as OWASP advises against CSV injection;
    numbers are written as they are. The runner lists attached files in results.json.
    Returns the file's path; link it in the report by its name.
    """
    if "/" in name or "\\" in name or not name.endswith(".csv"):
        raise ValueError(f"attach a file by a plain name ending in .csv, got {name!r}")
    target = os.environ.get(RESULTS_ENV)
    folder = Path(target).parent if target else INTERACTIVE_EXPORTS
    folder.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column].dtype) or safe[column].dtype == object:
            text = safe[column].astype("string")
            risky = text.str.contains(_FORMULA_START, regex=True).fillna(False)
            safe[column] = text.where(~risky, "'" + text)
    path = folder / name
    # CRLF line ends: the csv module then quotes any cell holding a CR or LF, which would otherwise start a row
    safe.to_csv(path, index=False, lineterminator="\r\n")
    return path
