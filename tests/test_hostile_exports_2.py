"""Exports that gave wrong numbers with exit 0 (issue 25): each now reads right, or stops with a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxlib as cx
from cxlib.io import DataError, flat_table, read_table
from cxlib.io import columns as col
from cxlib.studies import REGISTRY, ParameterError


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def qualtrics(n: int = 300, previews: int = 60, unfinished: int = 60) -> pd.DataFrame:
    """A Qualtrics export's rows: previews all 0, unfinished answers all 1, the answers random."""
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 11, n)
    status, finished = ["IP Address"] * n, ["True"] * n
    for i in range(previews):
        status[i], scores[i] = ("Survey Preview" if i % 2 else "Spam"), 0
    for i in range(previews, previews + unfinished):
        finished[i], scores[i] = "False", 1
    return pd.DataFrame({"StartDate": "2025-01-01 10:00:00", "Status": status, "Finished": finished,
                         "ResponseId": [f"R_{i}" for i in range(n)], "nps": scores})


def test_qualtrics_previews_spam_and_unfinished_answers_are_left_out_and_counted(tmp_path):
    frame = qualtrics()
    path = write(tmp_path, "q.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("segment_study", {"data_path": str(path)})
    answers = frame.iloc[120:]["nps"]
    want = 100 * ((answers >= 9).mean() - (answers <= 6).mean())
    assert study.overall.n == 180 and study.overall.value == pytest.approx(want)
    rules = {(i.column, i.rule, i.n_rows) for i in data.quality.issues if i.action == "excluded"}
    assert rules == {("Status", "a survey preview, test or spam response", 60),
                     ("Finished", "an unfinished response (keep_unfinished keeps it)", 60)}
    kept, _ = cx.studies.compute("segment_study", {"data_path": str(path), "keep_unfinished": True})
    assert kept.overall.n == 240


def test_qualtrics_numeric_status_codes_and_zero_one_finished_are_read_too(tmp_path):
    frame = qualtrics().assign(Status=lambda f: f["Status"].map({"IP Address": 0, "Survey Preview": 1, "Spam": 8}),
                               Finished=lambda f: (f["Finished"] == "True").astype(int))
    t = flat_table(write(tmp_path, "q.csv", frame.to_csv(index=False)), scores={"nps": (0, 10)})
    assert len(t.data) == 180 and t.quality.rows_read["table"] == 300


def test_a_status_column_that_is_not_qualtrics_is_left_alone(tmp_path):
    path = write(tmp_path, "s.csv", "nps,Status\n9,Active\n3,Churned\n0,1\n")
    assert len(flat_table(path, scores={"nps": (0, 10)}).data) == 3


def test_a_survey_export_is_refused_out_of_core_before_it_runs(tmp_path):
    path = write(tmp_path, "q.csv", qualtrics().to_csv(index=False))
    with pytest.raises(ParameterError, match="previews, test and spam responses and unfinished answers"):
        REGISTRY["segment_study"].resolve({"data_path": str(path), "backend": "duckdb"})


@pytest.mark.parametrize("dates", [["24-12-15", "25-01-31", "24-03-02"], ["15.12.24", "01.02.25"],
                                   ["1/2/25", "3/4/25"]])
def test_two_digit_years_are_never_guessed_into_an_order(tmp_path, dates):
    path = write(tmp_path, "d.csv", "nps,when\n" + "".join(f"9,{d}\n" for d in dates))
    with pytest.raises(DataError, match=r"has dates that could be read .*first .*pass date_format='%") as err:
        read_table(path, {"when": col.date()})
    assert repr(dates[0]) in str(err.value) and "%y" in str(err.value)


@pytest.mark.parametrize(("dates", "want"), [
    (["24-12-15", "25-01-31", "99-11-13"], ["2024-12-15", "2025-01-31", "1999-11-13"]),  # 99 is no day: year first
    (["15.12.24", "01.02.25", "03.04.00"], ["2024-12-15", "2025-02-01", "2000-04-03"]),  # 00 is no day: year last
    (["1/2/25", "12/31/25"], ["2025-01-02", "2025-12-31"]),  # 31 is no month: month first
])
def test_two_digit_years_read_in_the_one_order_the_data_prove(tmp_path, dates, want):
    path = write(tmp_path, "d.csv", "nps,when\n" + "".join(f"9,{d}\n" for d in dates))
    assert read_table(path, {"when": col.date()}).data["when"].dt.strftime("%Y-%m-%d").tolist() == want


def test_dates_in_the_future_and_a_span_of_decades_are_flagged(tmp_path):
    path = write(tmp_path, "d.csv", "nps,when\n9,2001-03-05\n3,2024-06-01\n7,2099-12-24\n")
    t = read_table(path, {"when": col.date()})
    notes = [i.rule for i in t.quality.issues if i.action == "note"]
    assert "dates in the future (e.g. 2099-12-24): check the dates, or date_format" in notes
    assert any(n.startswith("dates span 2001-03-05 to 2099-12-24 (98.8 years)") for n in notes)
    assert len(t.data) == 3  # flagged, kept


@pytest.mark.parametrize(("text", "encoding", "newline"), [
    ("grad;nps\nZürich;9\nGenève;7\nMünchen;3\n", "mac_roman", "\r"),
    ("grad;nps\nZürich;9\n", "mac_roman", "\r"),
    ("grad;nps\nНиш;9\nЧачак;7\nБеоград;3\nЉубовија;5\n", "cp1251", "\r\n"),
    ("grad;nps\nНиш;9\nЧачак;7\nБеоград;3\n", "cp1251", "\r\n"),
    ("grad;nps\nНиш;9\nЧачак;7\nБеоград;3\nЋуприја;5\n", "iso8859_5", "\n"),
])
def test_mac_roman_and_cyrillic_code_pages_read_as_written(tmp_path, text, encoding, newline):
    path = write(tmp_path, "e.csv", text.replace("\n", newline).encode(encoding))
    t = read_table(path, {"nps": col.score(0, 10)})
    assert t.data["grad"].tolist() == [line.split(";")[0] for line in text.splitlines()[1:]]
    assert t.source.encoding == encoding
