"""Real exports in: every shape of the corpus (tests/exports.py) gives the clean CSV's results, or stops with a reason."""

from __future__ import annotations

import json

import pytest
from exports import build, build_churn, churn_parameters, driver_parameters, parameters, unreadable_scores
from nested import assert_nested_close

import cxlib as cx
from cxlib.io import DataError
from cxlib.reports import cli
from cxlib.reports.results import to_jsonable


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return build(tmp_path_factory.mktemp("exports"))


def segment_results(path, base, **extra):
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), **parameters(base), **extra})
    return to_jsonable(study.to_dict()), data


@pytest.fixture(scope="session")
def clean_results(corpus):
    return {shape.base: segment_results(shape.path, shape.base)[0]
            for name, shape in corpus.items() if name.startswith("clean-")}


SHAPES = ["utf8-bom", "crlf", "cr-only", "tab", "pipe", "semicolon-decimal-comma", "thousands-dot-decimal-comma",
          "thousands-comma", "day-first-dots", "day-first-slashes", "month-first-with-time", "iso-with-time",
          "labelled-end-points", "turkish-excel-cp1254", "turkish-utf16-tab", "serbian-cp1250", "serbian-iso-8859-2",
          "western-cp1252", "xlsx", "xlsx-second-sheet", "sav", "zsav", "dta", "parquet", "qualtrics-csv",
          "qualtrics-tsv-utf16", "surveymonkey", "repeated-rows", "swiss-grouping", "euro-sign-and-code",
          "google-forms-timestamps", "dates-with-weekdays", "segment-spellings"]


@pytest.mark.parametrize("name", SHAPES)
def test_every_export_shape_gives_the_clean_csv_results(corpus, clean_results, name):
    shape = corpus[name]
    got, data = segment_results(shape.path, shape.base, **shape.extra)
    assert_nested_close(got, clean_results[shape.base])
    assert data.quality.rows_kept["survey"] == clean_results[shape.base]["overall"]["n"] or name == "repeated-rows"


@pytest.fixture(scope="session")
def churn_corpus(tmp_path_factory):
    return build_churn(tmp_path_factory.mktemp("churn-exports"))


def churn_results(shape):
    study, _ = cx.studies.compute("churn_study", {"data_path": str(shape.path), **churn_parameters(shape.base)})
    return to_jsonable(study.to_dict())


def test_a_turkish_excel_export_xlsx_and_sav_give_the_clean_survival(churn_corpus):
    """Decimal-comma months, cp1254, Turkish column names: the same survival, log-rank and Cox model as the clean CSV."""
    want = churn_results(churn_corpus["clean-turkish"])
    assert want["n"] == 5000 and want["logrank"]["df"] == 2
    for name in ("turkish-excel-cp1254", "xlsx", "sav"):
        assert_nested_close(churn_results(churn_corpus[name]), want, name)


@pytest.mark.parametrize("name", ["turkish-excel-cp1254", "xlsx", "sav"])
def test_turkish_exports_give_the_clean_driver_shares(corpus, name):
    def shares(shape):
        study, _ = cx.studies.compute("driver_study", {"data_path": str(shape.path), **driver_parameters(shape.base),
                                                       **shape.extra})
        return to_jsonable(study.to_dict())

    want = shares(corpus["clean-turkish"])
    assert want["r2"] > 0.2 and want["n"] > 500
    assert_nested_close(shares(corpus[name]), want)


def test_a_file_whose_scores_are_all_unreadable_stops_with_the_reason(tmp_path):
    path = unreadable_scores(tmp_path)
    with pytest.raises(DataError) as err:
        cx.studies.compute("segment_study", {"data_path": str(path), **parameters("english")})
    message = str(err.value)
    assert message.startswith("survey: only 0 of 60 answers can be used; the study needs at least 30 (min_rows).")
    assert "survey.nps: not a number (60 rows excluded); e.g. row 1: 'ten'" in message
    assert "numbers written as words ('ten'): write them as digits, or list such words in missing_codes" in message


def test_a_one_row_file_stops_at_the_gate_in_every_study_that_reads_a_flat_table(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("response_id,nps,plan,months,left\nR1,9,basic,3,1\n")
    for study, given in [("segment_study", {"segment_cols": ["plan"]}),
                         ("driver_study", {"driver_groups": {"Plan": ["months"]}}),
                         ("churn_study", {"duration_col": "months", "event_col": "left"})]:
        with pytest.raises(DataError, match=r"only 1 of 1 \w+ can be used; the study needs at least \d+"):
            cx.studies.compute(study, {"data_path": str(path), **given})


def test_too_many_rows_left_out_stop_the_study_even_above_min_rows(tmp_path):
    path = tmp_path / "half.csv"
    path.write_text("nps\n" + "9\n" * 40 + "ten\n" * 60)
    with pytest.raises(DataError, match=r"60 of 100 answers \(60%\) were left out, more than max_excluded \(50%\)"):
        cx.studies.compute("segment_study", {"data_path": str(path)})
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "max_excluded": 0.7})
    assert study.overall.n == 40


def test_dates_that_could_be_either_order_stop_with_examples_and_the_format_to_pass(write_csv):
    path = write_csv("nps,when\n9,01/02/2025\n7,03/04/2025\n")
    with pytest.raises(DataError, match=r"could be day-first or month-first \(e.g. '01/02/2025', '03/04/2025'\): pass "
                                        r"date_format='%d/%m/%Y' \(day first\) or date_format='%m/%d/%Y'"):
        cx.io.read_table(path, {"when": cx.io.columns.date()})
    assert cx.io.read_table(path, {"when": cx.io.columns.date()}, date_format="%d/%m/%Y").data["when"].dt.month.tolist() == [2, 4]


def test_conflicting_duplicate_ids_are_left_out_and_counted(write_csv):
    path = write_csv("id,nps\nA,9\nA,3\nB,10\nB,10\nC,0\n")
    table = cx.io.flat_table(path, scores={"nps": (0, 10)}, id_col="id")
    assert table.data["id"].tolist() == ["B", "C"]
    assert {(i.rule, i.n_rows) for i in table.quality.issues} == {("repeated row (kept once)", 1),
                                                                   ("duplicate id with different values", 2)}


def test_blank_segment_values_are_a_reported_level_and_blank_scores_are_counted(write_csv):
    path = write_csv("nps,plan\n9,basic\n,basic\n3,\n10,premium\n")
    table = cx.io.flat_table(path, scores={"nps": (0, 10)}, categories=["plan"])
    assert table.data["plan"].tolist() == ["basic", "(missing)", "premium"]
    assert table.quality.left_out("table", "answers") == "1 answer (25.0%) was left out: missing value in NPS (1)."


@pytest.mark.slow
def test_cx_run_reads_a_turkish_excel_export_and_stops_on_unreadable_scores(corpus, clean_results, tmp_path, capfd):
    """End to end, as a scheduler runs it: the export's numbers (exit 0), and a log with nothing but the outcome (the
    kernel's own output included: a finished kernel is shut down, not interrupted); a file of words (exit 3, with the
    reason)."""
    given = json.dumps(parameters("turkish"), ensure_ascii=False)
    code = cli.main(["run", "segment_study", "-p", "data_path", str(corpus["turkish-excel-cp1254"].path), "-y", given,
                     "--reports-dir", str(tmp_path / "r"), "--no-progress"])
    err = capfd.readouterr().err
    assert code == 0, err
    assert err.startswith("cx: segment_study succeeded:") and "KeyboardInterrupt" not in err, err
    (run,) = (tmp_path / "r" / "segment_study").iterdir()
    out = json.loads((run / "results.json").read_text(encoding="utf-8"))
    assert_nested_close(out["results"], clean_results["turkish"])
    assert "Kadıköy" in (run / "report.html").read_text(encoding="utf-8")
    code = cli.main(["run", "segment_study", "-p", "data_path", str(unreadable_scores(tmp_path)), "-y",
                     json.dumps(parameters("english")), "--reports-dir", str(tmp_path / "r2"), "--no-progress"])
    err = capfd.readouterr().err
    assert code == 3, err
    assert "segment_study stopped: the data cannot support it. survey: only 0 of 60 answers can be used" in err
    assert "e.g. row 1: 'ten'" in err and "Traceback" not in err


def test_a_database_url_with_a_password_is_refused_before_anything_runs(tmp_path, capsys):
    code = cli.main(["run", "segment_study", "-p", "data_path", "postgresql://cx:secret@localhost/cx", "-p", "table",
                     "answers", "--reports-dir", str(tmp_path / "r")])
    assert code == 2 and not (tmp_path / "r").exists()
    err = capsys.readouterr().err
    assert "holds a password" in err and "PGPASSWORD" in err and "secret" not in err


def test_question_texts_from_a_qualtrics_export_label_the_columns_the_study_read(corpus):
    shape = corpus["qualtrics-csv"]
    _, data = segment_results(shape.path, shape.base)
    assert data.labels["nps"] == "How likely are you to recommend us to a friend?"
    read = parameters("english")
    assert set(data.labels) == {read["score_col"], *read["segment_cols"], read["date_col"], read["revenue_col"],
                                read["id_col"]}  # only the columns the study read
    assert "How likely are you to recommend us" in cx.reports.column_labels(data).to_html()
