"""Exports and run conditions from the fifteenth outside pass: each test stands for a class of input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_missing_codes_for_every_column_leave_ids_and_amounts_alone(tmp_path):
    """missing_codes: [99] (the advice for a "don't know" answer) dropped the customer with id 99 and every price of
    99.00: a don't-know code means something in answers only; an id or an amount takes only codes named for it."""
    frame = survey(150).assign(Id=range(1, 151), MRR=[99.0 if i % 4 == 0 else 49.0 for i in range(150)])
    frame.loc[frame.index % 10 == 3, "LTR"] = 99  # "don't know"
    path = write(tmp_path, "codes.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"], "id_col": "Id", "revenue_col": "MRR",
                                                       "missing_codes": [99], "date_col": None})
    answered = frame[frame["LTR"] != 99]
    assert study.overall.n == len(answered) and study.overall.value == pytest.approx(_nps(answered["LTR"]))
    assert not any(i.column in ("Id", "MRR") for i in data.quality.issues)
    _, named = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "segment_cols": ["Seg"],
                                                    "revenue_col": "MRR", "date_col": None,
                                                    "missing_codes": {"MRR": [99]}})
    assert {i.column for i in named.quality.issues if "missing code" in i.rule} == {"MRR"}  # named: applied


def test_no_payback_at_time_zero_for_a_programme_without_a_one_off_cost():
    """With no one-off cost, gain and cost are both 0 at the start: that instant is no payback (it read "payback after
    0.0 years" beside a return of -66%)."""
    from cxlib.lifecycle.economics import business_case

    case = business_case(52, 0.2, {"events": 32, "exposure": 97.6 * 365.25}, {"events": 22, "exposure": 85.5 * 365.25},
                         revenue_per_year=1456.91, margin=0.3, program_cost=0.0, running_cost_per_year=1000.0,
                         n_sim=200)
    assert case.payback_years["value"] == float("inf") and case.roi["value"] < 0


def test_a_totals_row_below_a_workbook_of_numbered_answers_is_no_answer(tmp_path):
    """Microsoft Forms' workbook ends with a totals row ("Total" in the id column of numbers): the CSV reader left
    it out, the workbook reader counted it (131 answers and a "(missing)" segment)."""
    frame = survey().drop(columns="Date").assign(Id=range(1, 121))
    table = pd.concat([frame, pd.DataFrame({"Id": ["Total"], "LTR": [7]})], ignore_index=True)
    path = tmp_path / "forms.xlsx"
    table.to_excel(path, index=False)
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "segment_cols": ["Seg"],
                                                    "id_col": "Id", "date_col": None})
    assert study.overall.n == 120 and study.overall.value == pytest.approx(_nps(frame["LTR"]))
    assert "(missing)" not in set(study.segments["segment"])


def test_a_separator_at_the_end_of_every_line_and_apostrophe_marked_numbers_read(tmp_path):
    frame = survey()
    rows = zip(frame["Seg"], frame["LTR"], strict=True)
    lines = ["Id,Seg,LTR", *(f"{i},{s},'{v}," for i, (s, v) in enumerate(rows))]
    path = write(tmp_path, "erp.csv", "\n".join(lines) + "\n")
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"], "date_col": None})
    assert study.overall.n == 120 and study.overall.value == pytest.approx(_nps(frame["LTR"]))
    rules = [i.rule for i in data.quality.issues]
    assert "an empty field after the last column on every line (a separator at each line's end) left out" in rules
    assert any(r.startswith("a leading apostrophe (Excel's mark for a number kept as text) left out") for r in rules)


def test_a_data_path_in_a_parameter_file_may_start_with_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path, "answers.csv", survey().to_csv(index=False))
    values = cx.studies.REGISTRY["segment_study"].resolve({"data_path": "~/answers.csv", "score_col": "LTR"}).values
    assert values["data_path"] == str(tmp_path / "answers.csv")


def test_a_file_named_after_a_library_is_named_with_what_to_do(tmp_path):
    """A learner's pandas.py on PYTHONPATH replaced the library: a traceback ending in "partially initialized
    module". cx says which file hides which library, and exits with 2."""
    (tmp_path / "pandas.py").write_text("import pandas as pd\npd.read_csv('x.csv')\n")
    done = subprocess.run([str(Path(sys.executable).with_name("cx")), "list"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"cx: {tmp_path / 'pandas.py'} is named after the pandas library and hides it: "
                                   "rename that file, or take its folder off PYTHONPATH (and do not run from it)")


@pytest.mark.slow
def test_a_study_kernel_never_imports_from_the_working_directory(tmp_path):
    """Run from an analyst's folder holding a pandas.py, the study kernel imported it (exit 1, "partially
    initialized module"); the kernel runs with PYTHONSAFEPATH."""
    (tmp_path / "pandas.py").write_text("raise SystemExit('the folder was imported')\n")
    done = subprocess.run([str(Path(sys.executable).with_name("cx")), "run", "data_overview", "--no-progress",
                           "--reports-dir", str(tmp_path / "reports")], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)
    assert done.returncode == 0, done.stderr


def test_a_0_10_question_numbered_1_to_11_is_refused_with_the_recode(tmp_path):
    """A survey tool's recode stored the 0-10 question as 1 to 11: the 11s were left out as off the scale and every
    other answer read one point high (NPS 14.1 on 128 against -1.3 on 150), with exit 0."""
    frame = survey(150).assign(LTR=lambda f: f["LTR"] + 1)
    path = write(tmp_path, "recode.csv", frame.to_csv(index=False))
    with pytest.raises(cx.io.DataError, match=r"column 'LTR' holds answers from 1 to 11 \(\d+ of them 11, none 0\): "
                                              r"the 0-10 question numbered 1 to 11"):
        cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "date_col": None})


def test_an_answer_a_persona_figure_cannot_use_leaves_that_figure_only(tmp_path):
    """A CSAT of 0 (a 0-4 star scale) removed the customer from every persona figure (sizes 141 and 136 of 150
    each); it leaves the CSAT figure alone, as a blank does."""
    rng = np.random.default_rng(4)
    n = 300
    basic = np.arange(n) < 150
    frame = pd.DataFrame({"Id": range(n), "Plan": np.where(basic, "Basic", "Enterprise"),
                          "Seats": np.where(basic, rng.integers(1, 5, n), rng.integers(50, 90, n)),
                          "LTR": rng.integers(0, 11, n), "CSAT": np.where(np.arange(n) % 13 == 0, 0,
                                                                             rng.integers(1, 6, n))})
    path = write(tmp_path, "customers.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("persona_study", {"data_path": str(path), "trait_cols": ["Plan", "Seats"], "k": 2,
                                                       "score_col": "LTR", "csat_col": "CSAT", "id_col": "Id",
                                                       "churn_col": None, "revenue_col": None})
    assert sorted(study.personas["size"]) == [150, 150]
    assert data.quality.rows_kept["customers"] == n


def test_a_canonical_table_with_a_header_and_no_rows_is_absent(tmp_path):
    sample = cx.io.load()
    for name in ("customers", "responses"):
        getattr(sample, name).to_csv(tmp_path / f"{name}.csv", index=False)
    write(tmp_path, "tickets.csv", ",".join(sample.tickets.columns) + "\n")
    data = cx.io.load(tmp_path)
    assert data.tickets is None
    assert any(i.rule == "tickets.csv holds a header and no rows: the tickets table is absent"
               for i in data.quality.issues)


def test_a_windows_path_finds_its_file(tmp_path, monkeypatch):
    (tmp_path / "exports").mkdir()
    write(tmp_path / "exports", "base.csv", survey().to_csv(index=False))
    monkeypatch.chdir(tmp_path)
    values = cx.studies.REGISTRY["segment_study"].resolve({"data_path": "exports\\base.csv", "score_col": "LTR"})
    assert values.values["data_path"] == "exports/base.csv"


def test_dates_that_miss_a_given_date_format_are_told_to_cover_every_part():
    from cxlib.io.quality import fix_hint

    assert fix_hint("not a date (%d/%m/%Y)", ["29/6/2025 7:05:00 PM"]).startswith(
        " -> the dates do not match the date_format given: make it cover every part written")
    assert fix_hint("not a date (YYYY-MM-DD)", ["soon"]) == " -> set date_format, e.g. %d.%m.%Y"


def test_a_1_5_question_answered_0_to_4_is_refused_and_a_future_year_hints_at_the_buddhist_calendar(tmp_path):
    """A 0-4 star CSAT read as 1-5 gave "29% satisfied" against a truth of 52%; Thai dates (2568) were only "in the
    future"."""
    from cxlib.io.quality import fix_hint

    frame = pd.DataFrame({"Id": range(60), "Plan": ["a", "b"] * 30, "CSAT": [0, 1, 2, 3, 4] * 12})
    path = write(tmp_path, "stars.csv", frame.to_csv(index=False))
    with pytest.raises(cx.io.DataError, match=r"column 'CSAT' holds answers from 0 to 4 \(12 of them 0, none 5\): a "
                                              r"0-4 scale"):
        cx.studies.compute("persona_study", {"data_path": str(path), "trait_cols": ["Plan"], "k": 2, "id_col": "Id",
                                             "csat_col": "CSAT", "score_col": None, "churn_col": None,
                                             "revenue_col": None})
    assert "Thai Buddhist calendar" in fix_hint("a date in the future (after today), so a wrong one", ["2568-06-01"])
