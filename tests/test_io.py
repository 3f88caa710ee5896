"""Loading and validation: every kind of bad input gets its exact error or exclusion count."""

import hashlib
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxlib.io import DataError, load, read_table
from cxlib.io import columns as col
from cxlib.io.quality import EXCLUDED, NOTE, SET_MISSING, DataQuality, QualityIssue

SURVEY = {"id": col.identifier(unique=True), "nps": col.score(0, 10), "date": col.date(required=False)}


def issues(table, action=None):
    """{(column, rule): rows} of a Table's DataQuality record."""
    return {(i.column, i.rule): i.n_rows for i in table.quality.issues if action is None or i.action == action}


# --- file-level errors -------------------------------------------------------------------

def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_table(tmp_path / "nope.csv", SURVEY)


def test_empty_file_is_an_error(write_csv):
    with pytest.raises(DataError, match="is empty"):
        read_table(write_csv(""), SURVEY)


def test_header_only_is_an_error(write_csv):
    with pytest.raises(DataError, match="header but no data rows"):
        read_table(write_csv("id,nps\n"), SURVEY)


def test_wrong_delimiter_given_is_an_error_naming_the_right_one(write_csv):
    with pytest.raises(DataError, match=r"is the file ';'-delimited\? Pass sep=';'"):
        read_table(write_csv("id;nps\n1;9\n"), SURVEY, sep=",")


def test_semicolon_and_tab_delimiters_are_detected(write_csv):
    for sep in (";", "\t"):
        t = read_table(write_csv(f"id{sep}nps\n1{sep}9\n2{sep}3\n"), SURVEY)
        assert t.source.delimiter == sep
        assert t.data["nps"].tolist() == [9, 3]


def test_non_utf8_bytes_are_detected_and_a_wrong_encoding_names_the_line(write_csv):
    path = write_csv("id,nps,comment\n1,9,ok\n2,3,caf\xe9\n".encode("cp1252"))
    t = read_table(path, SURVEY)
    assert t.data["comment"].tolist() == ["ok", "café"] and t.source.encoding == "cp1252"
    assert any("Western European Windows (cp1252)" in i.rule for i in t.quality.issues)
    with pytest.raises(DataError, match=r"not valid utf-8: byte b'\\xe9' on line 3; leave encoding unset") as err:
        read_table(path, SURVEY, encoding="utf-8")
    assert err.value.rows == (2,)


def test_byte_order_mark_is_not_part_of_the_first_column(write_csv):
    t = read_table(write_csv("\ufeffid,nps\n1,9\n".encode()), SURVEY)
    assert list(t.data.columns) == ["id", "nps"]


def test_ragged_row_is_an_error(write_csv):
    with pytest.raises(DataError, match="cannot be parsed.*line 3 has 3 fields, the header has 2"):
        read_table(write_csv("id,nps\n1,9\n2,3,4\n"), SURVEY)


def test_duplicate_column_names_are_an_error(write_csv):
    with pytest.raises(DataError, match=r"names 2 columns 'nps' \(columns 2 and 3\)\. Rename one of them"):
        read_table(write_csv("id,nps,nps\n1,9,8\n"), SURVEY)


def test_missing_required_column_names_missing_present_and_closest(write_csv):
    with pytest.raises(DataError) as err:
        read_table(write_csv("ident,nps\n1,9\n"), SURVEY)
    message = str(err.value)
    assert "required column 'id' is missing" in message
    assert "closest match: 'ident'" in message
    assert "Columns present: ['ident', 'nps']" in message
    assert err.value.column == "id"


def test_required_column_with_no_values_is_an_error(write_csv):
    schema = {"id": col.identifier(), "nps": col.score(0, 10, required=True)}
    with pytest.raises(DataError, match=r"column 'nps' has no values \(every row is blank\)"):
        read_table(write_csv("id,nps\n1,\n2,\n"), schema)


def test_optional_column_with_no_values_is_noted_not_excluded(write_csv):
    t = read_table(write_csv("id,nps,date\n1,9,\n2,3,\n"), SURVEY)
    assert issues(t, NOTE) == {("date", "column has no values"): 0}
    assert len(t.data) == 2


# --- exclusions, with exact counts and example rows --------------------------------------------

def test_text_in_a_score_column_is_excluded(write_csv):
    t = read_table(write_csv("id,nps\n1,9\n2,ten\n3,high\n4,0\n"), SURVEY)
    assert issues(t) == {("nps", "not a number"): 2}
    (issue,) = t.quality.issues
    assert issue.rows == (2, 3) and issue.examples == ("ten", "high")
    assert t.data["nps"].tolist() == [9, 0]


def test_eleven_in_nps_is_excluded(write_csv):
    t = read_table(write_csv("id,nps\n1,9\n2,11\n3,10\n4,-1\n"), SURVEY)
    assert issues(t) == {("nps", "not a whole number from 0 to 10"): 2}
    assert t.quality.issues[0].rows == (2, 4)
    assert t.data["id"].tolist() == ["1", "3"]


def test_fractional_score_is_excluded(write_csv):
    t = read_table(write_csv("id,nps\n1,7.5\n2,8.0\n"), SURVEY)
    assert issues(t) == {("nps", "not a whole number"): 1}
    assert t.data["nps"].tolist() == [8]


def test_csat_and_ces_ranges(write_csv):
    schema = {"id": col.identifier(), "csat": col.score(1, 5), "ces": col.score(1, 7)}
    t = read_table(write_csv("id,csat,ces\n1,0,7\n2,5,8\n3,1,1\n"), schema)
    assert issues(t) == {("csat", "not a whole number from 1 to 5"): 1, ("ces", "not a whole number from 1 to 7"): 1}
    assert t.data["id"].tolist() == ["3"]


def test_negative_tenure_and_revenue_are_excluded(write_csv):
    schema = {"id": col.identifier(), "tenure_days": col.amount(), "revenue": col.amount()}
    t = read_table(write_csv("id,tenure_days,revenue\n1,30,9.5\n2,-4,10\n3,12,-0.01\n4,0,0\n"), schema)
    assert issues(t) == {("tenure_days", "a number below 0"): 1, ("revenue", "a number below 0"): 1}
    assert t.data["id"].tolist() == ["1", "4"]


def test_infinite_value_is_excluded(write_csv):
    schema = {"id": col.identifier(), "revenue": col.amount()}
    t = read_table(write_csv("id,revenue\n1,inf\n2,5\n"), schema)
    assert issues(t) == {("revenue", "not finite"): 1}


def test_zero_weight_is_excluded(write_csv):
    schema = {"id": col.identifier(), "weight": col.weight()}
    t = read_table(write_csv("id,weight\n1,0\n2,0.5\n"), schema)
    assert issues(t) == {("weight", "not a number above 0"): 1}


def test_unparseable_dates_are_excluded_and_day_first_ones_read(write_csv):
    t = read_table(write_csv("id,nps,date\n1,9,2024-01-31\n2,8,31/01/2024\n3,7,2024-02-30\n4,6,soon\n"), SURVEY)
    assert issues(t) == {("date", "not a date (DD/MM/YYYY or YYYY-MM-DD)"): 2,
                         ("date", "day-first dates read (e.g. '31/01/2024' = 2024-01-31)"): 1}
    assert t.data["date"].tolist() == [pd.Timestamp("2024-01-31")] * 2


def test_date_format_parameter_reads_day_first_dates(write_csv):
    t = read_table(write_csv("id,nps,date\n1,9,31/01/2024\n"), SURVEY, date_format="%d/%m/%Y")
    assert t.data["date"].tolist() == [pd.Timestamp("2024-01-31")]


def test_time_of_day_in_a_date_column_is_read_as_the_date(write_csv):
    t = read_table(write_csv("id,nps,date\n1,9,2024-01-31 13:45\n2,9,2024-02-01\n"), SURVEY)
    assert t.data["date"].tolist() == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01")]
    assert [(i.rule, i.action, i.n_rows) for i in t.quality.issues] == [
        ("time of day left out: the date is used", "note", 1)]


def test_exact_duplicate_rows_are_kept_once(write_csv):
    t = read_table(write_csv("id,nps\n1,9\n1,9\n1,9\n2,3\n"), SURVEY)
    assert issues(t) == {("id", "repeated row (kept once)"): 2}
    assert t.data["id"].tolist() == ["1", "2"]


def test_conflicting_duplicate_ids_are_all_excluded(write_csv):
    t = read_table(write_csv("id,nps\n1,9\n1,3\n2,3\n"), SURVEY)
    assert issues(t) == {("id", "duplicate id with different values"): 2}
    assert t.data["id"].tolist() == ["2"]


def test_missing_id_is_excluded(write_csv):
    t = read_table(write_csv("id,nps\n,9\n2,3\n"), SURVEY)
    assert issues(t) == {("id", "missing value"): 1}


def test_blank_rows_are_skipped_and_noted_not_counted_as_answers(write_csv):
    """Excel leaves rows of bare separators behind: they are not data, so they never count against max_excluded."""
    t = read_table(write_csv("id,nps\n1,9\n,\n2,3\n,\n"), SURVEY)
    assert issues(t) == {(None, "blank rows skipped"): 2}
    assert t.quality.excluded("table") == 0 and t.quality.rows_read["table"] == 2 and len(t.data) == 2


def test_declared_missing_codes_become_missing_and_are_counted(write_csv):
    t = read_table(write_csv("id,nps\n1,-99\n2,999\n3,9\n4,-99.0\n"), SURVEY, missing_codes=[-99, 999])
    assert issues(t) == {("nps", "declared missing code"): 3}
    assert t.quality.n_excluded == 0
    assert t.data["nps"].isna().tolist() == [True, True, False, True]


def test_missing_codes_per_column(write_csv):
    schema = {"id": col.identifier(), "nps": col.score(0, 10), "tenure": col.amount()}
    path = write_csv("id,nps,tenure\n1,99,99\n2,9,5\n")
    t = read_table(path, schema, missing_codes={"nps": [99]})
    assert issues(t, SET_MISSING) == {("nps", "declared missing code"): 1}
    assert t.data["tenure"].tolist() == [99.0, 5.0]
    with pytest.raises(DataError, match=r"missing_codes names columns that are not in the table: \['npss'\]"):
        read_table(path, schema, missing_codes={"npss": [99]})


def test_text_missing_code_like_na(write_csv):
    t = read_table(write_csv("id,nps\n1,n/a\n2,N/A\n3,NULL\n4,9\n"), SURVEY)
    assert issues(t) == {("nps", "missing marker (n/a, null, ...)"): 3}
    assert t.quality.n_excluded == 0


def test_na_stays_text_in_a_category_column(write_csv):
    t = read_table(write_csv("id,region\n1,NA\n2,EU\n"), {"id": col.identifier(), "region": col.category()})
    assert t.data["region"].tolist() == ["NA", "EU"]


def test_yes_no_flags(write_csv):
    schema = {"id": col.identifier(), "churned": col.flag()}
    t = read_table(write_csv("id,churned\n1,Yes\n2,no\n3,1\n4,TRUE\n5,Hayır\n6,\n"), schema)
    assert t.data["churned"].tolist() == [True, False, True, True, False, pd.NA]
    with pytest.raises(DataError, match=r"'churned' should be yes/no but holds 5 different codes: .*'maybe' \(1 "
                                        r"row\)\. Recode it to two values"):
        read_table(write_csv("id,churned\n1,Yes\n2,no\n3,1\n4,TRUE\n5,maybe\n6,\n"), schema)


def test_row_checks_across_columns(tmp_path, sample_dir):
    customers = pd.read_csv(sample_dir / "customers.csv", dtype=str).head(3)
    customers.loc[1, "churn_date"] = "2018-01-01"
    customers.to_csv(tmp_path / "customers.csv", index=False)
    t = read_table(tmp_path / "customers.csv", "customers")
    assert issues(t) == {("churn_date", "churn_date before signup_date"): 1}
    assert t.quality.issues[0].rows == (2,)


def test_ticket_resolved_before_opened_is_excluded(write_csv):
    path = write_csv("ticket_id,opened_at,resolved_at\nT1,2024-01-02 10:00,2024-01-01 09:00\n"
                     "T2,2024-01-02 10:00,2024-01-02 11:00\n")
    t = read_table(path, "tickets")
    assert issues(t) == {("resolved_at", "resolved_at before opened_at"): 1}


def test_columns_differing_in_case_are_used_and_noted(write_csv):
    t = read_table(write_csv("ID,NPS \n1,9\n"), SURVEY)
    assert issues(t, NOTE) == {("id", "column 'ID' read as 'id'"): 0, ("nps", "column 'NPS ' read as 'nps'"): 0}
    assert t.data["nps"].tolist() == [9]


def test_columns_outside_the_schema_are_untouched(write_csv):
    t = read_table(write_csv("id,nps,notes,junk\n1,9,<b>hi</b>,%%%\n2,3,,-99\n"), SURVEY, missing_codes=[-99])
    assert t.quality.issues == ()
    assert t.data["junk"].tolist() == ["%%%", "-99"]


def test_rename_maps_user_columns_onto_the_schema(write_csv):
    t = read_table(write_csv("RespID,LTR\n1,9\n"), SURVEY, rename={"RespID": "id", "LTR": "nps"})
    assert t.data["nps"].tolist() == [9]
    with pytest.raises(DataError, match="required column 'Score' is missing"):
        read_table(write_csv("RespID,LTR\n1,9\n"), SURVEY, rename={"Score": "nps"})


def test_strict_turns_exclusions_into_an_error(write_csv):
    path = write_csv("id,nps\n1,11\n2,x\n3,9\n")
    with pytest.raises(DataError, match=r"strict mode(.|\n)*not a number(.|\n)*from 0 to 10") as err:
        read_table(path, SURVEY, strict=True)
    assert err.value.column == "nps"
    assert len(read_table(path, SURVEY).data) == 1


def test_input_file_is_never_modified(write_csv):
    path = write_csv("id,nps\n1,11\n1,11\n2,n/a\n,\n")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    t = read_table(path, SURVEY)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before == t.source.sha256


def test_index_keeps_source_rows(write_csv):
    t = read_table(write_csv("id,nps\n1,11\n2,9\n"), SURVEY)
    assert t.data.index.tolist() == [1]


# --- other sources -------------------------------------------------------------------------

def test_parquet_with_typed_values_is_validated(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b", "c"], "nps": [9.0, 11.0, np.nan], "date": pd.to_datetime(["2024-01-01"] * 3)})
    frame.to_parquet(tmp_path / "s.parquet")
    t = read_table(tmp_path / "s.parquet", SURVEY)
    assert issues(t) == {("nps", "not a whole number from 0 to 10"): 1}
    assert t.data["nps"].tolist() == [9, pd.NA]
    assert t.source.format == "parquet"


def test_duckdb_query(tmp_path):
    db = tmp_path / "cx.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE s AS SELECT * FROM (VALUES ('1', 9), ('2', 12)) t(id, nps)")
    t = read_table(db, SURVEY, query="SELECT id, nps FROM s")
    assert issues(t) == {("nps", "not a whole number from 0 to 10"): 1}
    assert t.source.query == "SELECT id, nps FROM s" and t.source.rows == 2
    with pytest.raises(DataError, match="the query failed on DuckDB"):
        read_table(db, SURVEY, query="SELECT * FROM missing_table")
    with pytest.raises(DataError, match="is a database; pass table or query"):
        read_table(db, SURVEY)


def test_in_memory_duckdb_reads_files_named_in_the_query(write_csv):
    path = write_csv("id,nps\n1,9\n2,7\n")
    t = read_table(":memory:", SURVEY, query=f"SELECT * FROM read_csv('{path}', all_varchar=true)")
    assert t.data["nps"].tolist() == [9, 7]


def test_sqlalchemy_url_without_sqlalchemy_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sqlalchemy(name, *args, **kwargs):
        if name == "sqlalchemy":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sqlalchemy)
    with pytest.raises(DataError, match="needs SQLAlchemy"):
        read_table("postgresql://user@localhost/cx", SURVEY, query="SELECT 1")


# --- the canonical folder ---------------------------------------------------------------------

def test_sample_loads_clean(sample_dir):
    data = load(sample_dir)
    assert data.quality.n_excluded == 0
    assert len(data.customers) == 5000
    assert data.responses["nps"].dtype == "Int64"
    assert data.tickets["opened_at"].dtype == "datetime64[ns]"
    assert [s.name for s in data.sources] == ["customers", "responses", "tickets", "competitor_nps", "social"]
    assert data.social["impressions"].dtype == "Int64"


def test_orphan_responses_are_excluded(tmp_path, sample_dir):
    for name in ("customers", "responses"):
        shutil.copy(sample_dir / f"{name}.csv", tmp_path)
    responses = pd.read_csv(tmp_path / "responses.csv", dtype=str, keep_default_na=False)
    responses.loc[[3, 7], "customer_id"] = "C999999"
    responses.to_csv(tmp_path / "responses.csv", index=False)
    data = load(tmp_path)
    assert data.tickets is None
    (issue,) = data.quality.issues
    assert (issue.table, issue.rule, issue.n_rows, issue.rows) == ("responses", "customer_id not in customers", 2, (4, 8))
    assert data.quality.excluded("responses") == 2


def test_folder_without_tables_is_an_error(tmp_path):
    with pytest.raises(DataError, match="holds none of the tables"):
        load(tmp_path)


def test_quality_table_in_a_report_has_thousands_and_escaped_examples():
    issue = QualityIssue("responses", "nps", "whole number 0-10", EXCLUDED, 1_234, (7, 9), ("<b>11</b>",))
    html = DataQuality((issue,), {"responses": 20_000}, {"responses": 18_766})._repr_html_()
    assert "Of 20,000 rows of responses, 18,766 were used and 1,234 left out." in html
    assert all(f">{n}</td>" in html for n in ["20,000", "1,234", "18,766"])
    assert "&lt;b&gt;11&lt;/b&gt;" in html and "<b>11" not in html


def test_loaded_data_show_one_screen_not_every_row():
    """Evaluating `data` in a notebook dumped every table as text."""
    data = load()
    text = repr(data)
    assert len(text.splitlines()) == 7 and "responses: 19,729 rows, 16 columns, 2024-01-01 to 2025-12-31" in text
    assert "competitor_nps: 24 rows, 4 columns, 2024-01-01 to 2025-12-31" in text  # 2025Q4 ends on 12-31
    assert text.endswith(data.quality.account())
    assert "<table" in data._repr_html_() and len(data._repr_html_()) < 20_000
