"""Properties that hold for any input: validation accounts for every row, results serialize stably."""

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib.io import columns as col
from cxlib.io import read_table
from cxlib.reports import md
from cxlib.reports.results import dumps, to_jsonable

SCHEMA = {"id": col.identifier(unique=True), "nps": col.score(0, 10)}
cells = st.one_of(st.integers(-20, 20).map(str), st.sampled_from(["", "n/a", "ten", "7.5", "1e1", " 9 ", "-99"]))


def read(values: list[str], **kwargs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        pd.DataFrame({"id": [f"r{i}" for i in range(len(values))], "nps": values}).to_csv(path, index=False)
        return read_table(path, SCHEMA, **kwargs)


def expected_nps(text: str):
    """What a valid NPS cell holds, or None (missing), or 'bad'."""
    text = text.strip()
    if text in ("", "n/a"):
        return None
    try:
        value = float(text)
    except ValueError:
        return "bad"
    return int(value) if value.is_integer() and 0 <= value <= 10 else "bad"


@settings(max_examples=60, deadline=None)
@given(st.lists(cells, min_size=1, max_size=30))
def test_every_row_is_kept_or_counted_and_kept_values_are_valid(values):
    table = read(values)
    expected = [expected_nps(v) for v in values]
    quality = table.quality
    assert quality.rows_read["t"] == len(values)
    assert quality.rows_kept["t"] == len(table.data) == sum(e != "bad" for e in expected)
    kept = [e for e in expected if e != "bad"]
    assert [None if pd.isna(v) else v for v in table.data["nps"]] == kept
    excluded_by_rules = sum(i.n_rows for i in quality.issues if i.action == "excluded")
    assert excluded_by_rules == quality.n_excluded  # one rule per cell here, so no row counts twice


@settings(max_examples=30, deadline=None)
@given(st.lists(cells, min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_validation_does_not_depend_on_row_order(values, random):
    order = list(range(len(values)))
    random.shuffle(order)
    def rows(data: pd.DataFrame, ids) -> list:
        return sorted((i, None if pd.isna(v) else v) for i, v in zip(ids, data["nps"], strict=True))

    a = read(values).data
    b = read([values[i] for i in order]).data
    assert rows(a, a["id"]) == rows(b, [f"r{order[int(i.removeprefix('r'))]}" for i in b["id"]])


@settings(max_examples=30, deadline=None)
@given(st.lists(cells, min_size=1, max_size=20))
def test_declared_missing_codes_never_exclude(values):
    coded = read(values, missing_codes=["ten", "7.5"])
    plain = read(values)
    assert coded.quality.n_excluded == plain.quality.n_excluded - sum(v in ("ten", "7.5") for v in values)


finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), finite, st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=20)


@given(json_values)
def test_results_round_trip_and_serialize_identically(value):
    text = dumps(value)
    assert dumps(json.loads(text)) == text
    assert json.loads(text) == to_jsonable(value)


@given(st.lists(st.one_of(finite, st.just(float("nan"))), max_size=10))
def test_numpy_values_serialize_like_python_values(values):
    as_numpy = to_jsonable(np.array(values, dtype="float64"))
    assert as_numpy == [None if v != v else v for v in values]


@given(st.text())
def test_md_never_lets_markup_through_from_values(text):
    rendered = md("before {value} after", value=text).data
    inner = rendered.removeprefix("before ").removesuffix(" after")
    assert "<" not in inner and ">" not in inner


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["b", "a", "c", None]), st.sampled_from([2.0, 1.0, None]),
                          st.sampled_from(["z", "y"])), min_size=1, max_size=80))
def test_segments_of_several_columns_are_the_sorted_pairs_present(rows):
    """Each row's code points at its own (sorted) combination; a row with a blank key has none (-1)."""
    from cxlib.metrics.histogram import _codes

    frame = pd.DataFrame(rows, columns=["letter", "number", "tier"])
    frame["tier"] = pd.Categorical(frame["tier"], categories=["z", "y"])  # category order is not value order
    codes, labels = _codes(frame, ["letter", "number", "tier"])
    complete = frame.notna().all(axis=1).to_numpy()
    assert (codes[~complete] == -1).all()
    expected = sorted({tuple(r) for r in frame[complete].itertuples(index=False)})
    assert list(labels) == expected
    assert [labels[c] for c in codes[complete]] == [tuple(r) for r in frame[complete].itertuples(index=False)]
