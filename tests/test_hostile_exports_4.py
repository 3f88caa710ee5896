"""Exports and run conditions from the fifteenth outside pass: each test stands for a class of input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_hostile_exports_3 import survey, write

import cxlib as cx
from cxlib.io.dates import parse_dates, tomorrow
from cxlib.studies import ParameterError

RIGHT_TO_LEFT_MARKS = ["\u200f", "\u200e", "\u061c", "\u2067"]  # RLM, LRM, Arabic letter mark, an isolate


def _nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_direction_marks_before_a_value_do_not_split_a_segment(tmp_path):
    """An Arabic or Hebrew export writes U+200F before some values: "جدة" and "\u200fجدة" print alike and are one
    city. They were two segments with NPS 2.3 and -58.3 instead of one at -10.9."""
    frame = survey(160).assign(Seg=lambda f: np.where(f["Seg"] == "A", "جدة", "תל אביב"))
    marked = frame.assign(Seg=[RIGHT_TO_LEFT_MARKS[i % 4] + s if i % 3 == 0 else s
                               for i, s in enumerate(frame["Seg"])])
    marked = marked.rename(columns={"LTR": "\u200fLTR"})  # the header too
    path = write(tmp_path, "rtl.csv", marked.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                    "segment_cols": ["Seg"], "date_col": None})
    rows = study.segments.set_index("segment")
    assert sorted(rows.index) == sorted(["جدة", "תל אביב"])
    for city in ("جدة", "תל אביב"):
        scores = frame.loc[frame["Seg"] == city, "LTR"]
        assert rows.loc[city, "n"] == len(scores) and rows.loc[city, "value"] == pytest.approx(_nps(scores))


def test_a_byte_order_mark_on_a_repeated_header_still_marks_it_as_a_header(tmp_path):
    frame = survey()
    text = frame.to_csv(index=False)
    head, _, body = text.partition("\n")
    lines = body.splitlines()
    path = write(tmp_path, "joined.csv", "\n".join([head, *lines[:60], "\ufeff" + head, *lines[60:]]) + "\n")
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"], "date_col": "Date"})
    assert study.overall.n == 120 and study.overall.value == pytest.approx(_nps(frame["LTR"]))
    assert any(i.rule.startswith("the header again") and i.rows == (61,) for i in data.quality.issues)


@pytest.mark.parametrize(("written", "read"), [
    ("29/6/2025 7:05:00 p. m.", "2025-06-29 19:05:00"), ("1/7/2025 9:00:00 a. m.", "2025-07-01 09:00:00"),
    ("30/6/2025 12:10:00 a.m.", "2025-06-30 00:10:00"), ("2.7.2025 2:00 ÖS", "2025-07-02 14:00:00")])
def test_afternoon_marks_of_spanish_and_turkish_sheets_read_as_pm(written, read):
    """Google Sheets and Excel in Spanish write "7:05:00 p. m.", in Turkish "ÖS": every date was unreadable, and the
    advised date_format could not read them either."""
    parsed = parse_dates(pd.Series([written, "28/6/2025 10:00:00 a. m.", np.nan], dtype=object))
    assert str(parsed.values.iloc[0]) == read and parsed.values.notna().sum() == 2
    assert parsed.notes[next(iter(parsed.notes))].tolist() == [True, True, False]
    assert list(parsed.notes)[0] == "times marked as in Spanish or Turkish (p. m., ÖS) read as AM/PM"
    assert str(parse_dates(pd.Series([written]), "%d/%m/%Y %I:%M:%S %p").values.iloc[0]) in (read, "NaT")


def test_todays_answers_are_not_in_the_future_on_a_server_behind_utc(monkeypatch):
    """Under TZ=Pacific/Honolulu on the evening of 7 December, an export stamped in UTC already holds 8 December:
    those answers (the newest detractors, the first to call) were left out as "in the future"."""
    real = pd.Timestamp.now

    def now(tz=None):
        moment = pd.Timestamp("2026-12-08 01:37", tz="UTC")
        return moment if tz is not None else moment.tz_convert("Pacific/Honolulu").tz_localize(None)

    monkeypatch.setattr(pd.Timestamp, "now", staticmethod(now))
    try:
        assert tomorrow() == pd.Timestamp("2026-12-09")  # 8 December has begun somewhere (and in UTC)
        assert tomorrow(pd.Timestamp("2026-12-07")) == pd.Timestamp("2026-12-08")
    finally:
        monkeypatch.setattr(pd.Timestamp, "now", real)


@pytest.mark.parametrize(("name", "data", "says"), [
    ("answers.jsonl", b'{"id":1,"score":9}\n{"id":2,"score":3}\n', "holds JSON, which is not read as a table"),
    ("answers.json", b'[\n {"id": 1, "score": 9}\n]\n', "holds JSON"),
    ("report.xls", b"<html><body><table><tr><td>score</td></tr></table></body></html>", "is a web page or XML")])
def test_a_file_that_holds_no_table_is_refused_before_a_study_starts(tmp_path, name, data, says):
    path = write(tmp_path, name, data)
    with pytest.raises(ParameterError, match=says) as caught:
        cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "score"})
    assert "closest" not in str(caught.value)  # no column suggested from fragments of JSON


def test_baltic_text_in_cp1257_reads_as_baltic_and_turkish_stays_turkish():
    """Lithuanian in cp1257 read as Western European ("Klaipëda", "Ðiauliai"); a Turkish text whose letters outside
    ASCII are ş and ğ alone (cp1257 reads those bytes as ž and š) must stay Turkish."""
    from cxlib.io.encodings import detect_encoding

    lithuanian = "Įvertinimas;Miestas\n9;Klaipėda\n7;Šiauliai\n3;Panevėžys\n".encode("cp1257")
    assert detect_encoding(lithuanian).codec == "cp1257"
    assert lithuanian.decode(detect_encoding(lithuanian).codec).splitlines()[2] == "7;Šiauliai"
    turkish = "Şube;Puan\nŞişli;9\nBeşiktaş;7\nEğirdir;3\n".encode("cp1254")
    assert detect_encoding(turkish).codec == "cp1254"


def test_amounts_in_parentheses_are_negative_and_left_out_as_below_zero(tmp_path):
    """Accounting exports write a refund as "($8,113.40)": it was "not a number", with advice about decimal
    commas. It is a number below 0, left out of the revenue view as every negative amount is."""
    frame = survey().assign(Rev=[f"(${100 + i:,.2f})" if i % 10 == 0 else f"${1000 + 7 * i:,.2f}" for i in range(120)])
    path = write(tmp_path, "money.csv", frame.to_csv(index=False))
    _, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "segment_cols": ["Seg"],
                                                   "revenue_col": "Rev", "date_col": "Date"})
    rules = {i.rule: i for i in data.quality.issues if i.column == "Rev"}
    below = rules["a number below 0 (left out of the Rev view only)"]
    assert below.n_rows == 12 and below.examples[0] == "($100.00)"
    assert any(r.startswith("amounts in parentheses read as negative") for r in rules)
    table = data.quality.to_frame()
    hint = table.loc[table["rule"].str.startswith("a number below 0"), "what_to_do"].iloc[0]
    assert hint.startswith("a refund or a credit")


def test_a_score_column_of_labels_is_called_labels_not_numbers_written_as_words():
    from cxlib.io.hints import value_hint

    assert value_hint(("Good", "Bad", "Offered")).startswith("words, not numbers ('Good'): the column holds labels")
    assert value_hint(("dokuz", "on")).startswith("numbers written as words ('dokuz')")  # Turkish nine, ten


def test_nested_parquet_fields_are_columns_of_their_own(tmp_path):
    """A struct column "customer {region, plan}" was one category whose segments were named by Python dict reprs;
    the fields are columns "customer.region" and "customer.plan", as DuckDB and Spark name them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = survey()
    customer = pa.array([{"region": s, "plan": "Basic"} for s in frame["Seg"]])
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"LTR": frame["LTR"], "customer": customer}), path)
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["customer.region"], "date_col": None})
    rows = study.segments.set_index("segment")
    assert sorted(rows.index) == ["A", "B"]
    assert rows.loc["A", "value"] == pytest.approx(_nps(frame.loc[frame["Seg"] == "A", "LTR"]))
    assert any(i.rule.startswith("nested fields read as columns of their own (customer.region, customer.plan)")
               for i in data.quality.issues)
