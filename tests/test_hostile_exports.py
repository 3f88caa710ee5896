"""Exports that once gave wrong numbers or tracebacks: each now reads right, or stops with a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import cxlib as cx
from cxlib.io import DataError, flat_table, read_table
from cxlib.io import columns as col


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_dotted_thousands_in_a_semicolon_file_are_thousands(tmp_path):
    """Excel writes ";" where the decimal mark is ",": there "1.476" is one thousand four hundred and seventy-six."""
    path = write(tmp_path, "rev.csv", "nps;Gelir\n9;1.476\n3;561\n10;2.053\n".encode("cp1254"))
    t = flat_table(path, scores={"nps": (0, 10)}, amounts=["Gelir"])
    assert t.data["Gelir"].tolist() == [1476.0, 561.0, 2053.0]


def test_an_unclear_decimal_mark_is_an_exclusion_with_the_fix_not_a_crash(tmp_path):
    path = write(tmp_path, "us.csv", 'nps,revenue\n9,"1,476"\n3,561.5\n10,"2,053"\n')
    t = flat_table(path, scores={"nps": (0, 10)}, numbers=["revenue"])
    assert t.data["revenue"].tolist() == [1476.0, 561.5, 2053.0]  # "561.5" shows the decimal point
    alone = write(tmp_path, "alone.csv", 'nps,revenue\n9,"1,476"\n3,561\n')
    t = flat_table(alone, scores={"nps": (0, 10)}, numbers=["revenue"])
    (issue,) = [i for i in t.quality.issues if i.action == "excluded"]
    assert issue.rule == "not a number (decimal mark unclear: set decimal and thousands)" and issue.n_rows == 1
    assert flat_table(alone, scores={"nps": (0, 10)}, numbers=["revenue"], thousands=",").data["revenue"].tolist() \
        == [1476.0, 561.0]


@pytest.mark.parametrize("labels", [
    {float(i): str(i - 1) for i in range(1, 12)},
    {1.0: "0 - Not at all likely", **{float(i): str(i - 1) for i in range(2, 11)}, 11.0: "10 - Extremely likely"},
    {1.0: "Not at all likely", 11.0: "Extremely likely"},  # only the end points labelled, in words
    {1.0: "0 = Not at all likely", 11.0: "10 = Extremely likely"},
], ids=["numbers", "numbers with words at the ends", "end point words only", "end points only"])
def test_spss_scores_coded_one_to_eleven_read_as_their_labels(tmp_path, labels):
    path = tmp_path / "q.sav"
    codes = np.array([1, 11, 10, 5, 11, 7], dtype=float)
    pyreadstat.write_sav(pd.DataFrame({"Q1": codes}), path, variable_value_labels={"Q1": labels})
    t = flat_table(path, scores={"Q1": (0, 10)})
    assert t.data["Q1"].tolist() == [0, 10, 9, 4, 10, 6]
    assert t.quality.n_excluded == 0
    assert any("scores read from the file's value labels" in i.rule for i in t.quality.issues)


def test_answers_exported_twice_differ_only_in_columns_no_analysis_reads(tmp_path):
    rows = "id,nps,ExportedAt\n" + "".join(f"R{i},{i % 11},2025-01-0{1 + i % 2} 10:00\n" for i in range(20))
    again = "".join(f"R{i},{i % 11},2025-02-01 09:00\n" for i in range(20))
    t = flat_table(write(tmp_path, "twice.csv", rows + again), scores={"nps": (0, 10)}, id_col="id")
    assert len(t.data) == 20
    assert {(i.rule, i.n_rows) for i in t.quality.issues} == {("repeated row (kept once)", 20)}


def test_a_blank_optional_amount_never_changes_the_headline(tmp_path):
    path = write(tmp_path, "rev.csv", "nps,plan,revenue\n" + "9,basic,10\n3,basic,20\n" * 20 + "10,premium,\n" * 10)
    without, _ = cx.studies.compute("segment_study", {"data_path": str(path), "segment_cols": ["plan"]})
    with_revenue, _ = cx.studies.compute("segment_study", {"data_path": str(path), "segment_cols": ["plan"],
                                                           "revenue_col": "revenue"})
    assert with_revenue.overall.n == without.overall.n == 50
    assert with_revenue.overall.value == without.overall.value


def test_a_time_stamp_with_an_offset_keeps_its_written_day_and_mixed_offsets_read(tmp_path):
    path = write(tmp_path, "tz.csv", "nps,when\n9,2025-01-01T00:15:00+02:00\n3,2025-07-01T10:00:00+03:00\n")
    t = read_table(path, {"when": col.date()})
    assert t.data["when"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-07-01")]
    stamps = read_table(path, {"when": col.timestamp()}).data["when"].tolist()
    assert stamps == [pd.Timestamp("2024-12-31 22:15"), pd.Timestamp("2025-07-01 07:00")]  # the moments, in UTC


def test_day_first_dots_beside_month_first_slashes_are_each_read_their_way(tmp_path):
    path = write(tmp_path, "mixed.csv", "nps,when\n9,07.03.2025\n3,3/14/2025\n5,1/2/2025\n7,7. 3. 2025\n")
    got = read_table(path, {"when": col.date()}).data["when"].dt.strftime("%Y-%m-%d").tolist()
    assert got == ["2025-03-07", "2025-03-14", "2025-01-02", "2025-03-07"]


@pytest.mark.parametrize(("text", "encoding", "word"), [
    ("miasto;nps\nŁódź;9\nGdańsk;3\n", "cp1250", "Łódź"),
    ("ville;nps\nOrléans;9\n" + "Paris;3\n" * 200_000 + "Besançon à côté;7\n", "cp1252", "Besançon à côté"),
])
def test_encodings_are_told_apart_also_when_the_letters_come_late(tmp_path, text, encoding, word):
    t = read_table(write(tmp_path, "e.csv", text.encode(encoding)), {"nps": col.score(0, 10)})
    assert word in t.data.iloc[:, 0].tolist() and t.source.encoding == encoding


def test_a_file_that_mixes_utf8_and_another_encoding_stops_with_the_line(tmp_path):
    path = write(tmp_path, "mix.csv", "city,nps\nMünchen,9\n".encode() + "Zürich,3\n".encode("cp1252"))
    with pytest.raises(DataError, match="mixes encodings: it is UTF-8 except on line 3"):
        read_table(path, {"nps": col.score(0, 10)})


def test_utf16_without_a_byte_order_mark_is_read(tmp_path):
    t = read_table(write(tmp_path, "u.txt", "nps\tplan\n9\tbasic\n".encode("utf-16-le")), {"nps": col.score(0, 10)})
    assert t.data["plan"].tolist() == ["basic"]


def test_excel_leftovers_read_as_data(tmp_path):
    """Mac CR line ends with a line break in a cell, a "sep=;" first line, trailing empty header cells, blank rows."""
    mac = read_table(write(tmp_path, "mac.csv", b'nps,comment\r9,"two\nlines"\r3,ok\r'), {"nps": col.score(0, 10)})
    assert mac.data["comment"].tolist() == ["two\nlines", "ok"]
    sep = read_table(write(tmp_path, "sep.csv", b"sep=;\r\nnps;plan\r\n9;basic\r\n"), {"nps": col.score(0, 10)})
    assert list(sep.data.columns) == ["nps", "plan"]
    trailing = read_table(write(tmp_path, "t.csv", "nps;plan;;\n9;basic;;\n" + ";;;\n" * 150),
                          {"nps": col.score(0, 10)})
    assert list(trailing.data.columns) == ["nps", "plan"] and trailing.quality.n_excluded == 0
    tsv = read_table(write(tmp_path, "q.tsv", "nps\tHow, really?\n9\tfine\n"), {"nps": col.score(0, 10)})
    assert list(tsv.data.columns) == ["nps", "How, really?"]


def test_the_sheet_position_given_on_the_command_line_and_a_repeated_excel_header(tmp_path):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["readme"]}).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame({"nps": [9, 3]}).to_excel(writer, sheet_name="Answers", index=False)
    assert read_table(path, {"nps": col.score(0, 10)}, sheet="2").data["nps"].tolist() == [9, 3]
    repeated = tmp_path / "rep.xlsx"
    pd.DataFrame([[9, 3]], columns=["nps", "x"]).rename(columns={"x": "nps"}).to_excel(repeated, index=False)
    with pytest.raises(DataError, match=r"names 2 columns 'nps' \(columns 1 and 2\)"):
        read_table(repeated, {"nps": col.score(0, 10)})


def test_labels_are_read_only_for_answers_on_a_scale(tmp_path):
    path = write(tmp_path, "l.csv", "nps,revenue,months\n10 - Extremely likely,5,3\n0 = Not at all,5,3\n"
                                    "9,1'234.50,3\n9,5,2 years\n")
    t = read_table(path, {"nps": col.score(0, 10), "revenue": col.amount(), "months": col.amount()})
    assert t.data["nps"].tolist() == [10, 0, 9]  # "1'234.50" is a Swiss amount; "2 years" is no label
    assert t.data["revenue"].tolist() == [5.0, 5.0, 1234.5]
    assert {(i.column, i.rule) for i in t.quality.issues if i.action == "excluded"} == {("months", "not a number")}


def test_an_event_value_no_row_has_is_named_with_the_values_there(tmp_path):
    path = write(tmp_path, "c.csv", "months,status\n" + "3,Churned\n5,Active\n" * 20)
    with pytest.raises(DataError, match=r"no value of 'status' is 'gone', so nobody left; its values: 'Churned', "
                                        r"'Active'"):
        cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "months", "event_col": "status",
                                           "event_value": "gone"})
    study, _ = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "months",
                                                  "event_col": "status", "event_value": "churned"})
    assert study.events == 20  # the value in any case


def test_a_decimal_comma_covariate_is_a_number(tmp_path):
    rng = np.random.default_rng(1)
    rows = "".join(f"{m};{rng.integers(0, 2)};{rng.integers(5, 40)},{rng.integers(0, 99):02d}\n" for m in range(1, 200))
    path = write(tmp_path, "c.csv", "months;left;fee\n" + rows)
    study, _ = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "months",
                                                  "event_col": "left", "covariates": ["fee"]})
    assert study.cox.terms["term"].tolist() == ["fee"]


def test_duckdb_refuses_what_it_cannot_read_with_the_way_to_read_it(tmp_path):
    path = write(tmp_path, "mdy.csv", "nps,plan,when\n" + "9,basic,01/02/2024\n3,premium,07/30/2024\n" * 20)
    with pytest.raises(DataError, match="read with backend 'pandas'"):
        cx.studies.compute("segment_study", {"data_path": str(path), "segment_cols": ["plan"], "date_col": "when",
                                             "backend": "duckdb"})


def test_a_column_missing_from_a_workbook_is_named_before_the_study_runs(tmp_path):
    """The header check reads only the sheet's first row, and finds the closest name."""
    from cxlib.studies import REGISTRY, ParameterError

    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["readme"]}).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame({"LTR": [9, 3], "Region": ["N", "S"]}).to_excel(writer, sheet_name="Answers", index=False)
    with pytest.raises(ParameterError, match=r"score_col: column 'LTRX' \(closest: 'LTR'\) not in"):
        REGISTRY["segment_study"].resolve({"data_path": str(path), "sheet": "Answers", "score_col": "LTRX"})
    assert REGISTRY["segment_study"].resolve({"data_path": str(path), "sheet": 2, "score_col": "LTR"})
