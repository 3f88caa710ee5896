"""Exports that gave wrong numbers with exit 0 (issue 25): each now reads right, or stops with a reason."""

from __future__ import annotations

import codecs

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
    ("grad;nps\nReykjavík;9\nÞórshöfn;7\nEgilsstaðir;3\n", "cp1252", "\r\n"),  # Icelandic þ ð are Western
])
def test_mac_roman_and_cyrillic_code_pages_read_as_written(tmp_path, text, encoding, newline):
    path = write(tmp_path, "e.csv", text.replace("\n", newline).encode(encoding))
    t = read_table(path, {"nps": col.score(0, 10)})
    assert t.data["grad"].tolist() == [line.split(";")[0] for line in text.splitlines()[1:]]
    assert t.source.encoding == encoding


@pytest.mark.parametrize("words", [("Promoter", "Passive", "Detractor"), ("PROMOTERS", "passives", "detractors"),
                                   ("Destekçi", "Pasif", "KÖTÜLEYEN"), ("Promoteri", "Pasivni", "Kritičari"),
                                   ("Promoter (9-10)", "Passive (7-8)", "Detractor (0-6)")])
def test_nps_groups_give_the_nps_shares_and_intervals_of_the_scores(tmp_path, words):
    rng = np.random.default_rng(5)
    scores = rng.integers(0, 11, 400)
    plans = rng.choice(["basic", "premium"], 400)
    dates = pd.date_range("2024-01-01", periods=400, freq="D").strftime("%Y-%m-%d")
    group = np.where(scores >= 9, words[0], np.where(scores >= 7, words[1], words[2]))
    given = {"segment_cols": ["plan"], "date_col": "when"}
    frame = pd.DataFrame({"nps": scores, "plan": plans, "when": dates})
    want, _ = cx.studies.compute("segment_study", {"data_path": str(write(tmp_path, "s.csv", frame.to_csv(
        index=False))), **given})
    got, data = cx.studies.compute("segment_study", {"data_path": str(write(tmp_path, "g.csv", frame.assign(
        nps=group).to_csv(index=False))), **given})
    assert (got.overall.value, got.overall.ci_low, got.overall.ci_high, got.overall.n) == pytest.approx(
        (want.overall.value, want.overall.ci_low, want.overall.ci_high, want.overall.n))
    pd.testing.assert_frame_equal(got.segments, want.segments)
    pd.testing.assert_frame_equal(got.trends, want.trends)
    assert got.from_groups and not want.from_groups
    assert "NPS groups" in got.introduction().text() and data.quality.n_excluded == 0


def test_what_needs_0_10_answers_says_so_when_given_nps_groups(tmp_path):
    path = write(tmp_path, "c.csv", "id,nps,when,comment\n" + "".join(
        f"C{i},{['Promoter', 'Detractor', 'Passive'][i % 3]},2025-01-{1 + i % 28:02d},slow\n" for i in range(60)))
    with pytest.raises(DataError, match="holds NPS groups .* not 0-10 answers: the call-back list"):
        cx.studies.compute("closed_loop", {"data_path": str(path), "score_col": "nps", "id_col": "id",
                                           "date_col": "when", "comment_col": "comment"})


@pytest.mark.parametrize("backend", ["pandas", "duckdb"])
def test_the_business_case_reads_group_words_of_every_language_as_one_list(tmp_path, backend):
    rng = np.random.default_rng(2)
    n = 600
    group = rng.choice(["promoter", "passive", "detractor"], n)
    left = (rng.random(n) < np.where(group == "detractor", 0.4, 0.15)).astype(int)
    frame = pd.DataFrame({"days": rng.integers(30, 900, n), "left": left, "revenue": 50.0, "group": group})
    given = {"duration_col": "days", "event_col": "left", "nps_col": "group", "revenue_col": "revenue",
             "segment_col": None, "n_sim": 200, "backend": backend}
    english = write(tmp_path, "en.csv", frame.to_csv(index=False))
    turkish = write(tmp_path, "tr.csv", frame.assign(group=frame["group"].map(
        {"promoter": "Destekçi", "passive": "PASİF", "detractor": "Kötüleyenler"})).to_csv(index=False))
    want, _ = cx.studies.compute("business_case", {"data_path": str(english), **given})
    got, _ = cx.studies.compute("business_case", {"data_path": str(turkish), **given})
    assert got.gap["annual_gap"] == pytest.approx(want.gap["annual_gap"])
    assert got.assumptions["detractors"] == want.assumptions["detractors"] == int(((group == "detractor")
                                                                                   & (left == 0)).sum())


@pytest.mark.parametrize("value", ["0x9", "0b1", "0o7", "10x"])
def test_numbers_in_other_notations_are_unreadable_not_labels(tmp_path, value):
    t = flat_table(write(tmp_path, "x.csv", f"nps\n9\n{value}\n"), scores={"nps": (0, 10)})
    assert t.data["nps"].tolist() == [9]
    assert [(i.rule, i.n_rows) for i in t.quality.issues if i.action == "excluded"] == [("not a number", 1)]


def test_labelled_end_points_of_drivers_read_as_their_numbers(tmp_path):
    rng = np.random.default_rng(4)
    n = 300
    speed = rng.integers(0, 11, n)
    price = rng.integers(0, 11, n)
    nps = np.clip(np.round(0.6 * speed + 0.3 * price + rng.normal(0, 1, n)), 0, 10).astype(int)
    frame = pd.DataFrame({"nps": nps, "speed": speed, "price": price})
    labels = {0: "0 - Very dissatisfied", 10: "10 - Very satisfied"}
    written = frame.assign(speed=frame["speed"].map(lambda v: labels.get(v, str(v))),
                           price=frame["price"].map(lambda v: labels.get(v, str(v))))
    given = {"outcome": "nps", "driver_groups": {"Speed": ["speed"], "Price": ["price"]}, "n_boot": 20}
    want, _ = cx.studies.compute("driver_study", {"data_path": str(write(tmp_path, "a.csv", frame.to_csv(
        index=False))), **given})
    got, data = cx.studies.compute("driver_study", {"data_path": str(write(tmp_path, "b.csv", written.to_csv(
        index=False))), **given})
    assert got.drivers.n == want.drivers.n == n and got.drivers.r2 == pytest.approx(want.drivers.r2)


def test_an_unreadable_optional_value_leaves_only_its_view(tmp_path):
    path = write(tmp_path, "rev.csv", "nps,plan,revenue\n" + "9,basic,10\n3,basic,20\n" * 20 + "10,premium,n/a?\n" * 10
                 + "0,premium,-5\n" * 3)
    without, _ = cx.studies.compute("segment_study", {"data_path": str(path), "segment_cols": ["plan"]})
    with_revenue, data = cx.studies.compute("segment_study", {"data_path": str(path), "segment_cols": ["plan"],
                                                              "revenue_col": "revenue"})
    assert with_revenue.overall.n == without.overall.n == 53 and data.quality.n_excluded == 0
    assert with_revenue.overall.value == without.overall.value
    assert with_revenue.revenue["n"] == 40
    assert {(i.rule, i.action, i.n_rows) for i in data.quality.issues} >= {
        ("not a number (left out of the revenue view only)", "set to missing", 10)}


def test_a_bare_cr_in_an_unquoted_cell_and_a_cell_over_128_kib_read_as_written(tmp_path):
    """pandas' to_csv writes "a\\rb" without quotes; Python's csv module stops at a cell of 128 KiB, Arrow's reader
    at a row of 1 MB."""
    comments = ["fine\rthanks", "x" * 200_000, "y" * 3_000_000, "ok"]
    path = tmp_path / "c.csv"
    pd.DataFrame({"nps": [9, 3, 7, 10], "comment": comments}).to_csv(path, index=False)
    assert b"fine\rthanks" in path.read_bytes()
    t = read_table(path, {"nps": col.score(0, 10)})
    assert t.data["comment"].tolist() == comments and t.data["nps"].tolist() == [9, 3, 7, 10]
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "min_rows": 1})
    assert study.overall.n == 4


@pytest.fixture(scope="module")
def text_dates(tmp_path_factory):
    """The sample's first answers in Parquet with their dates stored as ISO text (pandas writes them so from a CSV
    read without parsing dates), and the same with the dates typed."""
    folder = tmp_path_factory.mktemp("text-dates")
    frame = cx.io.load().survey_frame().head(3000)[["response_id", "customer_id", "nps", "plan", "survey_date",
                                                     "comment", "monthly_revenue"]]
    frame.to_parquet(folder / "typed.parquet", index=False)
    frame.assign(survey_date=frame["survey_date"].dt.strftime("%Y-%m-%d")).to_parquet(folder / "text.parquet",
                                                                                     index=False)
    return folder


@pytest.mark.parametrize("backend", ["duckdb", "dask"])
def test_dates_stored_as_text_in_parquet_read_as_dates_out_of_core(text_dates, backend):
    given = {"segment_cols": ["plan"], "date_col": "survey_date", "backend": backend}
    want, _ = cx.studies.compute("segment_study", {"data_path": str(text_dates / "typed.parquet"), **given})
    got, _ = cx.studies.compute("segment_study", {"data_path": str(text_dates / "text.parquet"), **given})
    pd.testing.assert_frame_equal(got.trends, want.trends)
    loop = {"score_col": "nps", "id_col": "customer_id", "date_col": "survey_date", "comment_col": "comment",
            "revenue_col": "monthly_revenue", "until": "2025-12-31"}
    memory, _ = cx.studies.compute("closed_loop", {"data_path": str(text_dates / "text.parquet"), **loop})
    out, _ = cx.studies.compute("closed_loop", {"data_path": str(text_dates / "text.parquet"), **loop,
                                                "backend": backend})
    pd.testing.assert_frame_equal(out.callbacks.reset_index(drop=True), memory.callbacks.reset_index(drop=True))


@pytest.mark.parametrize(("values", "hint", "reading"), [
    (["80%", "75 %", "90%"], "percentages ('80%'): write the number without the % sign (80)", {}),
    (["ten", "nine", "eight"], "numbers written as words ('ten'): write them as digits", {}),
    (["1,5", "2,5", "3,25"], "a decimal comma ('1,5'): set decimal to ','", {"decimal": "."}),
    (["Promoter", "Detractor", "Passive"], "NPS groups ('Promoter'): they give NPS in a 0-10 score column", {}),
])
def test_the_fix_named_for_unreadable_values_follows_what_they_look_like(tmp_path, values, hint, reading):
    rows = "".join(f'{i % 11},{i % 7},"{values[i % len(values)] if i < 30 else i % 5}"\n' for i in range(100))
    t = flat_table(write(tmp_path, "h.csv", "nps,speed,x\n" + rows), scores={"nps": (0, 10)}, numbers=["x"],
                   **reading)
    (reason,) = [r for r in t.quality.reasons("table") if "table.x" in r]
    assert hint in reason


def test_excel_serial_dates_read_as_dates_in_a_workbook_and_in_a_csv_taken_from_one(tmp_path):
    frame = pd.DataFrame({"nps": [9, 3, 7], "when": [45292, 45293.5, 45658]})
    frame.to_excel(tmp_path / "s.xlsx", index=False)
    frame.to_csv(tmp_path / "s.csv", index=False)
    for name in ("s.xlsx", "s.csv"):
        t = read_table(tmp_path / name, {"when": col.date()})
        assert t.data["when"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-02", "2025-01-01"]
        assert any(i.rule.startswith("Excel serial dates read (e.g. '45292") for i in t.quality.issues)


@pytest.mark.parametrize(("written", "want"), [
    (["15 Ocak 2025", "3 Şubat 2025", "28 Ara 2024"], ["2025-01-15", "2025-02-03", "2024-12-28"]),
    (["15. januar 2025.", "3. februar 2025.", "1. avgust 2024."], ["2025-01-15", "2025-02-03", "2024-08-01"]),
    (["15. јануар 2025.", "3. фебруар 2025."], ["2025-01-15", "2025-02-03"]),
    (["15. januara 2025.", "3. маја 2025.", "1. decembra 2024."], ["2025-01-15", "2025-05-03", "2024-12-01"]),
    (["15. јануара 2025. године", "3. maja 2025. godine"], ["2025-01-15", "2025-05-03"]),
    (["15 MAYIS 2025", "3 KASIM 2024", "1 ARALIK 2024", "9 EKİM 2024"],
     ["2025-05-15", "2024-11-03", "2024-12-01", "2024-10-09"]),  # upper case: dotless and dotted i are both "I"
    (["January 15, 2025", "Feb 3, 2025", "15-Dec-2024"], ["2025-01-15", "2025-02-03", "2024-12-15"]),
])
def test_month_names_in_english_turkish_and_serbian_read_as_dates(tmp_path, written, want):
    path = write(tmp_path, "m.csv", "nps;when\n" + "".join(f"9;{w}\n" for w in written))
    assert read_table(path, {"when": col.date()}).data["when"].dt.strftime("%Y-%m-%d").tolist() == want


def titled(frame: pd.DataFrame, sep: str = ",") -> str:
    """A BI export: a title, a date line and an empty line above the header."""
    return f"ACME Corp - NPS Report\nExported 2025-06-30{sep}\n\n" + frame.to_csv(index=False, sep=sep)


def test_a_title_above_the_header_is_left_out_and_noted(tmp_path):
    frame = pd.DataFrame({"LTR": [9, 3, 10, 7] * 10, "Region": ["N", "S", "N", "S"] * 10})
    for sep in (",", ";"):
        path = write(tmp_path, "t.csv", titled(frame, sep))
        study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                           "segment_cols": ["Region"]})
        assert study.overall.n == 40 and data.quality.n_excluded == 0
        assert any(i.rule.startswith("the header is row 4 (the first that holds the named columns)")
                   for i in data.quality.issues)
    plain = write(tmp_path, "plain.csv", frame.to_csv(index=False))
    assert not any("header is row" in i.rule for i in read_table(plain, {"LTR": col.score(0, 10)}).quality.issues)


def test_a_workbook_with_a_merged_title_cell_reads_from_its_header(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "ACME Corp - NPS Report"
    sheet.merge_cells("A1:C1")
    sheet.append([])
    sheet.append(["Response ID", "LTR", "Region"])
    for i in range(40):
        sheet.append([f"R{i}", [9, 3, 10, 7][i % 4], ["N", "S"][i % 2]])
    book.save(tmp_path / "t.xlsx")
    given = {"data_path": str(tmp_path / "t.xlsx"), "score_col": "LTR", "segment_cols": ["Region"]}
    assert REGISTRY["segment_study"].resolve(given)
    study, data = cx.studies.compute("segment_study", given)
    assert study.overall.n == 40 and data.quality.n_excluded == 0


def test_header_row_names_the_header_and_a_title_is_pointed_out_before_the_run(tmp_path):
    frame = pd.DataFrame({"LTR": [9, 3, 10, 7] * 10})
    path = write(tmp_path, "t.csv", titled(frame))
    with pytest.raises(ParameterError, match="Its columns: 'ACME Corp - NPS Report'. If the names are on a later row "
                                             r"\(below a title\), set header_row"):
        REGISTRY["segment_study"].resolve({"data_path": str(path), "score_col": "LTRX"})
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "header_row": 4})
    assert study.overall.n == 40
    assert any(i.rule.startswith("the header is row 4 (as header_row says)") for i in data.quality.issues)


def test_two_rows_that_name_the_columns_differently_stop_reading_and_ask_for_header_row(tmp_path):
    """A legend row lists the names in another order above the real header: taking it would swap two columns."""
    path = write(tmp_path, "legend.csv", "region,ltr\nltr,region\n9,North\n3,South\n")
    with pytest.raises(DataError, match="rows 1 and 2 both hold the columns 'ltr', 'region'.*header_row"):
        read_table(path, {"ltr": col.score(0, 10, required=True), "region": col.category(required=True)})
    assert read_table(path, {"ltr": col.score(0, 10, required=True), "region": col.category(required=True)},
                      header_row=2).data["ltr"].tolist() == [9, 3]
    repeated = write(tmp_path, "repeated.csv", "ltr,region\n9,North\nltr,region\n3,South\n")  # two exports pasted
    assert read_table(repeated, {"ltr": col.score(0, 10, required=True), "region": col.category(required=True)}).data["region"].iloc[0] == "North"


def test_a_folder_with_two_files_of_one_table_stops_and_names_both(tmp_path):
    from cxlib.io.tables import SAMPLE_DIR
    for name in ("customers", "responses"):
        (tmp_path / f"{name}.csv").write_bytes((SAMPLE_DIR / f"{name}.csv").read_bytes())
    pd.read_csv(tmp_path / "responses.csv").head(10).to_parquet(tmp_path / "responses.parquet")
    with pytest.raises(DataError, match=r"responses: the folder .* holds 2 files of this table \(responses.csv, "
                                        r"responses.parquet\); keep one"):
        cx.io.load(tmp_path)


def test_blank_segments_never_merge_with_a_segment_the_data_call_missing(tmp_path):
    path = write(tmp_path, "m.csv", "ltr,region\n9,(missing)\n3,\n7,N\n10,(missing)\n")
    t = flat_table(path, scores={"ltr": (0, 10)}, categories=["region"])
    assert t.data["region"].tolist() == ["(missing)", "(missing, blank)", "N", "(missing)"]
    assert [i.rule for i in t.quality.issues] == ["blank values shown as the level '(missing, blank)'"]


def test_weights_with_a_decimal_comma_after_a_zero_read_as_decimals_in_a_comma_separated_file(tmp_path):
    """'0,236' can only be a decimal comma: it tells the column's convention, so '2,639' is 2.639, not 2639."""
    path = write(tmp_path, "w.csv", 'ltr,w\n6,"0,236"\n9,"2,639"\n7,"1,5"\n')
    t = read_table(path, {"ltr": col.score(0, 10), "w": col.amount()})
    assert t.data["w"].tolist() == [0.236, 2.639, 1.5] and not t.quality.n_excluded


def test_amounts_with_a_currency_sign_read_as_numbers_and_another_currency_is_not_added_to_them(tmp_path):
    path = write(tmp_path, "arr.csv", 'ltr,arr\n9,"$3,987.82"\n3,$120.00\n7,"€1,000"\n10,250\n8,"USD 15"\n')
    t = read_table(path, {"ltr": col.score(0, 10), "arr": col.amount()})
    assert t.data["arr"].tolist() == [3987.82, 120.0, 250.0, 15.0]  # the euro row left out, counted
    rules = {i.rule: i.n_rows for i in t.quality.issues}
    assert rules["currency sign read (USD; e.g. '$3,987.82')"] == 3  # '$' and 'USD' are one currency
    assert rules["another currency than the column's other amounts"] == 1  # € is not the dollar
    tl = write(tmp_path, "tl.csv", 'ltr;tutar\n9;1.250,50 TL\n3;"80 TL"\n')
    assert read_table(tl, {"ltr": col.score(0, 10), "tutar": col.amount()}).data["tutar"].tolist() == [1250.5, 80.0]


def test_the_end_points_written_as_words_alone_and_scores_out_of_ten_read_as_numbers(tmp_path):
    """SurveyMonkey writes 'Extremely likely' for 10 and 'Not at all likely' for 0, the rest as digits."""
    path = write(tmp_path, "sm.csv", "ltr\nExtremely likely\nNot at all likely\n7\n7/10\nSon derece olası\n"
                                     "nimalo verovatno\n")
    t = read_table(path, {"ltr": col.score(0, 10)})
    assert t.data["ltr"].tolist() == [10, 0, 7, 7, 10, 0] and not t.quality.n_excluded


@pytest.mark.parametrize("written", [["Monday, March 3, 2025", "Tuesday, March 4, 2025"],
                                     ["Pzt 03.03.2025", "Sal 04.03.2025"],
                                     ["ponedeljak, 3. mart 2025.", "utorak, 4. mart 2025."],
                                     ["3 Mar 2025 (Mon)", "4 Mar 2025 (Tue)"]])
def test_dates_with_their_weekday_read_as_the_date(written):
    from cxlib.io.dates import parse_dates
    parsed = parse_dates(pd.Series(written))
    assert parsed.values.dt.strftime("%Y-%m-%d").tolist() == ["2025-03-03", "2025-03-04"]
    assert parsed.notes["weekday names left out (the date says the day)"].tolist() == [True, True]


@pytest.mark.parametrize("written, score", [("4 - 40% likely", 4.0), ("10 - 100% sure", 10.0)])
def test_an_answer_label_that_starts_with_a_percentage_reads_as_its_score(tmp_path, written, score):
    path = tmp_path / "q.csv"
    path.write_text("nps\n" + f"{written}\n" * 3 + "7\n")
    t = flat_table(path, scores={"nps": (0, 10)})
    assert t.data["nps"].tolist() == [score] * 3 + [7.0]


@pytest.mark.parametrize("written, group", [("0-6", "detractor"), ("7–8", "passive"), ("9-10", "promoter")])
def test_a_bare_nps_group_range_reads_as_its_group_and_other_ranges_get_a_hint(tmp_path, written, group):
    from cxlib.io.nps_groups import group_of
    from cxlib.io.quality import fix_hint
    assert group_of(pd.Series([written])).tolist() == [group]
    assert "a score is one answer" in fix_hint("not a number", ("3-5", "2-4"))


@pytest.mark.parametrize("written, value", [("3'723.42", 3723.42), ("3\u2019723.42", 3723.42), ("€4,240.14", 4240.14),
                                            ("4,240.14 EUR", 4240.14), ("12 TL", 12.0), ("₺12", 12.0)])
def test_amounts_in_swiss_grouping_or_one_currency_by_sign_and_code_all_add_up(written, value):
    from cxlib.io.columns import amount, parse
    other = {"€": "5 EUR", "E": "€5", "T": "5 ₺", "₺": "5 TL"}.get(written[-1] if written[-1] in "RL" else written[0],
                                                                     "5")
    parsed = parse(pd.Series([written, other]), amount())
    assert parsed.values.tolist() == [value, 5.0] and not parsed.problems


@pytest.mark.parametrize("make", [lambda: col.amount(), lambda: col.weight()])
def test_amounts_and_weights_too_large_to_add_up_are_counted_not_summed_to_nan(make):
    from cxlib.io.columns import parse
    parsed = parse(pd.Series(["1.5e308", "12", "1e200"]), make())
    assert parsed.values.iloc[1] == 12.0 and parsed.values.isna().tolist() == [True, False, True]
    (rule,) = parsed.problems
    assert rule.startswith("too large to add up") and parsed.problems[rule].tolist() == [True, False, True]


def test_a_note_on_how_numbers_were_read_counts_only_the_rows_written_so():
    from cxlib.io.columns import parse, score
    parsed = parse(pd.Series(["9,0", "ten", *[str(i) for i in range(11)] * 3]), score(0, 10))
    (note,) = [n for n in parsed.notes if n.startswith("decimal comma read")]
    assert note == "decimal comma read (e.g. '9,0' = 9)" and parsed.notes[note].sum() == 1


def test_segment_labels_that_differ_only_in_case_or_spaces_are_one_segment_and_noted():
    from cxlib.io.columns import category, parse
    parsed = parse(pd.Series(["North", "North ", "north", "NORTH", "South", "North"]), category())
    assert parsed.values.tolist() == ["North"] * 4 + ["South", "North"]
    (note,) = parsed.notes
    assert note.startswith("spellings that differ only in case, spaces, invisible or look-alike letters taken as one")
    assert parsed.notes[note].tolist() == [False, True, True, True, False, False]


def test_closed_loop_lists_call_backs_when_only_detractors_comment(tmp_path):
    path = tmp_path / "week.csv"
    path.write_text("id,score,date,comment\n" + "".join(f"{i},3,2025-06-01,Uygulama çöktü\n" for i in range(40)),
                    encoding="utf-8")
    study, _ = cx.studies.compute("closed_loop", {"data_path": str(path), "id_col": "id", "score_col": "score",
                                                  "date_col": "date", "comment_col": "comment", "touchpoint_col": None,
                                                  "revenue_col": None, "segment_col": None, "taxonomy": "tr"})
    assert len(study.callbacks) == 40 and study.detractor_themes.empty


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf \r\n"])
def test_a_file_of_only_a_byte_order_mark_is_empty(tmp_path, content):
    path = tmp_path / "bom.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"survey: bom.csv is empty: it holds no header and no rows"):
        flat_table(path, scores={"nps": (0, 10)}, name="survey")


def test_csv_part_files_get_the_way_to_read_them_together(tmp_path):
    parts = tmp_path / "export"
    parts.mkdir()
    for i in range(3):
        (parts / f"part-{i:04d}.csv").write_text("nps,plan\n9,a\n3,b\n")
    with pytest.raises(ParameterError, match=r"holds 3 CSV files \(part-0000.csv, ...\), where one table is expected"):
        REGISTRY["segment_study"].resolve({"data_path": str(parts), "score_col": "nps", "segment_cols": ["plan"]})
    with pytest.raises(ParameterError, match=r"names several files; in memory one file is read"):
        REGISTRY["segment_study"].resolve({"data_path": str(parts / "*.csv"), "score_col": "nps",
                                           "segment_cols": ["plan"]})


@pytest.mark.parametrize("backend", ["dask", "duckdb"])
def test_a_date_out_of_its_type_late_in_parquet_stops_out_of_core_with_the_value_and_the_fix(tmp_path, backend):
    days = pd.date_range("2024-01-01", periods=3000, freq="h").strftime("%Y-%m-%d").tolist()
    days[2990] = "31/02/2025"
    frame = pd.DataFrame({"nps": np.arange(3000) % 11, "seg": ["a", "b", "c"] * 1000, "day": days})
    frame.to_parquet(tmp_path / "late.parquet")
    with pytest.raises(DataError, match=r"31/02/2025.*read the file with backend 'pandas', which leaves such values "
                                        r"out and counts them"):
        cx.studies.compute("segment_study", {"data_path": str(tmp_path / "late.parquet"), "backend": backend,
                                             "score_col": "nps", "segment_cols": ["seg"], "date_col": "day"})


def test_a_cell_past_the_limit_is_refused_with_its_line_not_a_traceback(monkeypatch):
    """The limit is 64 Mi characters (Python's csv module); here lowered to 1 KiB, as a file of 80 MB would be."""
    import csv

    from cxlib.io import delimited
    monkeypatch.setattr(delimited, "CELL_LIMIT", 1024)
    before = csv.field_size_limit(1024)
    try:
        text = 'nps,comment\n9,"' + "y" * 2000 + '"\n' + "7,ok\n" * 40
        assert delimited.from_header(text, columns=("nps",)) == (text, 0)  # finding the header passes the cell by
        assert delimited._first_ragged_line(text, ",") == ("a cell ending on line 2 is longer than 0 Mi characters, "
                                                          "the limit (is a quote left open?)")
    finally:
        csv.field_size_limit(before)


def test_a_file_with_nul_bytes_is_no_text_and_one_of_only_nuls_is_empty(tmp_path):
    binary = write(tmp_path, "bin.csv", b"nps,plan\n9,a\n" + b"\x00\x01\x02" * 100)
    with pytest.raises(DataError, match=r"holds NUL bytes \(the first at byte 13\).*binary file of an unknown kind"):
        flat_table(binary, scores={"nps": (0, 10)})
    with pytest.raises(DataError, match=r"nuls.csv is empty"):
        flat_table(write(tmp_path, "nuls.csv", b"\x00" * 4096), scores={"nps": (0, 10)})


def test_an_amount_that_reads_two_ways_gets_both_fixes():
    from cxlib.io.quality import fix_hint
    hint = fix_hint("not a number (decimal mark unclear: set decimal and thousands)", ("3,808", "1,250"))
    assert "set thousands to ','" in hint and "set decimal to ','" in hint


def test_google_forms_timestamps_read_year_first_with_the_time_as_written():
    from cxlib.io.dates import parse_dates
    parsed = parse_dates(pd.Series(["2025/04/02 12:26:00 AM EET", "2025/03/01 2:05:07 PM EET", "2025.03.01."]))
    assert parsed.values.astype(str).tolist() == ["2025-04-02 00:26:00", "2025-03-01 14:05:07", "2025-03-01 00:00:00"]


def test_mixed_line_ends_that_break_the_rows_are_named_with_the_fix(tmp_path):
    rows = "".join(f"{i % 11},A" + ["\n", "\r\n", "\r"][i % 3] for i in range(60))
    path = write(tmp_path, "mixed.csv", ("LTR,Seg\r\n" + rows).encode())
    with pytest.raises(DataError, match=r"the file mixes line ends \(a CR alone, and LF\).*one kind of line end"):
        flat_table(path, scores={"LTR": (0, 10)})


def test_formulas_without_saved_results_are_named_with_the_fix(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "LTR", "Region"])
    for i in range(40):
        sheet.append([i + 1, f"={i % 11}+0", "North"])
    book.save(tmp_path / "formulas.xlsx")
    with pytest.raises(DataError, match=r"column 'LTR' of sheet 'Sheet' in formulas.xlsx holds formulas whose results "
                                        r"were never saved.*open the workbook in Excel and save it"):
        flat_table(tmp_path / "formulas.xlsx", scores={"LTR": (0, 10)})


def test_out_of_core_type_errors_name_the_column_and_the_value():
    from cxlib.drivers.crossprod import numbers_error
    from cxlib.engine.dask_backend import _dask_said
    said = ("Mismatched dtypes found in `pd.read_csv`/`pd.read_table`.\n\n| Column | Found | Expected |\n| Date | str | "
            "datetime64 |\n| LTR    | str   | float64  |\n\nThe following columns also raised exceptions on conversion:\n\n"
            "- LTR\n  ValueError(\"could not convert string to float: 'ten'\")\n")
    assert _dask_said(said) == "column 'LTR' holds text ('ten') where its first rows held numbers"
    message = str(numbers_error(pd.Series(["1", "8", "ten", None]), "LTR"))
    assert message.startswith("column 'LTR' must hold numbers, but holds 'ten' among them: store the column")


def test_segment_labels_with_invisible_or_look_alike_letters_are_one_segment():
    from cxlib.io.columns import category, parse
    parsed = parse(pd.Series(["North East", "North East\u200b", "\u200bNorth East", "Sever", "S\u0435ver", "Север"]),
                   category())
    assert parsed.values.tolist() == ["North East"] * 3 + ["Sever", "Sever", "Север"]  # Serbian Cyrillic stays


@pytest.mark.parametrize("written, value", [("1,00,057.14", 100057.14), ("100 057,14 zł", 100057.14),
                                            ("CHF 1'234.–", 1234.0), ("US$1,234.56", 1234.56)])
def test_indian_polish_swiss_and_us_dollar_amounts_read(written, value):
    from cxlib.io.columns import amount, parse
    parsed = parse(pd.Series([written, written]), amount())
    assert parsed.values.tolist() == [value, value] and not parsed.problems


def test_excel_serial_dates_with_a_time_fraction_read_to_the_second():
    from cxlib.io.dates import parse_dates
    assert parse_dates(pd.Series(["45745.725694", "45746"])).values.astype(str).tolist() == [
        "2025-03-29 17:25:00", "2025-03-30 00:00:00"]


def test_a_day_month_name_and_two_digit_year_reads_and_a_duration_with_its_unit_gets_a_hint():
    from cxlib.io.dates import parse_dates
    from cxlib.io.hints import value_hint
    assert parse_dates(pd.Series(["29-Mar-25", "01-Apr-99"])).values.astype(str).tolist() == ["2025-03-29",
                                                                                              "1999-04-01"]
    assert value_hint(("3 months", "12 months")).startswith("numbers written with their unit ('3 months')")


def test_weights_too_small_to_count_are_left_out_and_counted():
    from cxlib.io.columns import parse
    parsed = parse(pd.Series([1e-200, 1.0, 0.5]), col.weight())
    assert parsed.values.isna().tolist() == [True, False, False]
    assert list(parsed.problems) == ["a weight too small to count (below 1e-12)"]


def test_iso_week_dates_get_the_date_format_that_reads_them(tmp_path):
    path = write(tmp_path, "weeks.csv", "nps,day\n" + "".join(f"{i % 11},2025-W{10 + i % 5:02d}-{1 + i % 7}\n"
                                                          for i in range(40)))
    table = read_table(path, {"nps": col.score(0, 10), "day": col.date(required=True, nullable=False)}, name="weeks")
    assert any(r.endswith("-> ISO week dates (e.g. 2025-W10-1): set date_format to %G-W%V-%u")
               for r in table.quality.reasons("weeks"))
    read = read_table(path, {"nps": col.score(0, 10), "day": col.date()}, date_format="%G-W%V-%u").data["day"]
    assert str(read.iloc[0].date()) == "2025-03-03"


def test_a_word_late_in_a_csv_is_named_out_of_core_not_a_failed_type_guess(tmp_path):
    """DuckDB guesses a CSV's types from its first rows; a word on row 30,000 is read again, typed from every row,
    and named with its column."""
    frame = pd.DataFrame({"nps": (np.arange(40_000) % 11).astype(object), "plan": ["a", "b"] * 20_000})
    frame.loc[30_000, "nps"] = "n/a"
    frame.to_csv(tmp_path / "late.csv", index=False)
    with pytest.raises(DataError, match=r"Could not convert string 'n/a' to DOUBLE when casting from source column "
                                        r"nps"):
        cx.studies.compute("segment_study", {"data_path": str(tmp_path / "late.csv"), "backend": "duckdb",
                                             "score_col": "nps", "segment_cols": ["plan"], "date_col": None})


def _with_future_answers(frame: pd.DataFrame, column: str, rows: int = 3) -> pd.DataFrame:
    """``frame`` with the ``column`` of its first ``rows`` rows moved to 2099 (a day-month swap or a century gone
    wrong would do the same)."""
    out = frame.copy()
    out[column] = out[column].astype("object")
    out.loc[out.index[:rows], column] = "2099-05-01"
    return out


def _future_count(quality) -> int:
    from cxlib.io.dates import FUTURE_DATE

    return sum(issue.n_rows for issue in quality.issues if issue.rule == FUTURE_DATE)


@pytest.mark.parametrize("backend", ["pandas", "duckdb", "dask"])
def test_answers_dated_in_the_future_make_no_period_stay_in_the_overall_nps_and_are_counted(tmp_path, backend):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"ltr": rng.integers(0, 11, 400), "team": rng.choice(["A", "B"], 400),
                          "day": pd.date_range("2024-01-01", periods=400, freq="D").strftime("%Y-%m-%d")})
    path = write(tmp_path, "a.csv", _with_future_answers(frame, "day").to_csv(index=False))
    study, data = cx.studies.compute("segment_study", {
        "data_path": str(path), "score_col": "ltr", "segment_cols": ["team"], "date_col": "day",
        "revenue_col": None, "tenure_col": None, "backend": backend})
    assert sorted(study.trends["period"].astype(str).unique()) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert study.overall.n == 400  # the answers stay in every figure not by date
    assert _future_count(data.quality) == 3


def test_a_blank_answer_date_leaves_the_answer_out_of_the_trends_only(tmp_path):
    frame = pd.DataFrame({"ltr": [9, 3, 10, 7] * 25, "day": ["2025-01-05", "", "2025-04-02", "2025-05-01"] * 25})
    path = write(tmp_path, "a.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "ltr", "segment_cols": [],
                                                    "date_col": "day", "revenue_col": None, "tenure_col": None})
    assert study.overall.n == 100 and study.overall.value == pytest.approx(25.0)


@pytest.mark.slow
def test_the_scorecard_leaves_answers_dated_in_the_future_out_of_its_periods(tmp_path):
    """In memory the canonical responses table leaves them out, out of core they have no period; counted both ways."""
    folder = tmp_path / "canonical"
    folder.mkdir()
    for name, table in cx.io.load().tables().items():
        table = _with_future_answers(table, "survey_date") if name == "responses" else table
        table.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    want, _ = cx.studies.compute("cx_scorecard", {})
    for backend in ("pandas", "duckdb"):
        study, data = cx.studies.compute("cx_scorecard", {"data_path": str(folder), "backend": backend})
        assert study.periods["period"].max() == want.periods["period"].max(), backend
        assert _future_count(data.quality) == 3, backend


def test_the_closed_loop_window_ends_at_the_latest_answer_that_is_not_in_the_future(tmp_path):
    frame = pd.DataFrame({"Id": ["a", "b", "c", "d"], "LTR": [2, 3, 9, 1],
                          "When": ["2099-05-01", "2025-03-01", "2025-02-20", "2025-02-25"],
                          "Text": ["slow", "rude", "fine", "broken"]})
    path = write(tmp_path, "f.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("closed_loop", {"data_path": str(path), "id_col": "Id", "score_col": "LTR",
                                                     "date_col": "When", "comment_col": "Text", "touchpoint_col": None,
                                                     "revenue_col": None, "segment_col": None, "window_days": 30})
    assert str(study.until.date()) == "2025-03-01"
    assert sorted(study.callbacks["customer_id"]) == ["b", "d"]
    assert _future_count(data.quality) == 1


@pytest.mark.parametrize(("study", "params"), [
    ("segment_study", {"score_col": "ltr", "segment_cols": ["postcode"], "date_col": None}),
    ("churn_study", {"duration_col": "months", "event_col": "left", "segment_col": "postcode", "covariates": [],
                     "time_unit": "months"}),
])
def test_a_segment_column_with_thousands_of_values_stops_at_once(tmp_path, study, params):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"ltr": rng.integers(0, 11, 3000), "postcode": [f"{10000 + i}" for i in range(3000)],
                          "months": rng.integers(1, 30, 3000), "left": rng.integers(0, 2, 3000)})
    path = write(tmp_path, "a.csv", frame.to_csv(index=False))
    base = {"revenue_col": None, "tenure_col": None} if study == "segment_study" else {"revenue_col": None}
    with pytest.raises(DataError, match=r"column 'postcode' holds 3,000 different values \('10000', '10001', "
                                        r"'10002', \.\.\.\), too many to compare as segments \(at most 200\)"):
        cx.studies.compute(study, {"data_path": str(path), **base, **params})


@pytest.mark.parametrize("backend", ["pandas", "duckdb", "dask"])
@pytest.mark.parametrize("placeholder", ["1899-12-30", "1753-01-01", "0001-01-01", "1970-01-01"])
def test_placeholder_dates_of_empty_cells_make_no_period_and_are_counted(tmp_path, backend, placeholder):
    """Excel writes 1899-12-30 for an empty date cell, SQL Server 1753-01-01, .NET 0001-01-01, Unix 1970-01-01: no
    answer's date."""
    from cxlib.io.dates import EARLY_ANSWER

    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"ltr": rng.integers(0, 11, 200), "team": rng.choice(["A", "B"], 200),
                          "day": pd.date_range("2024-01-01", periods=200, freq="D").strftime("%Y-%m-%d")})
    frame.loc[:7, "day"] = placeholder
    path = write(tmp_path, "a.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("segment_study", {
        "data_path": str(path), "score_col": "ltr", "segment_cols": ["team"], "date_col": "day", "freq": "Q",
        "revenue_col": None, "tenure_col": None, "backend": backend})
    assert sorted(study.trends["period"].astype(str).unique()) == ["2024Q1", "2024Q2", "2024Q3"]
    assert study.overall.n == 200
    assert {i.rule: i.n_rows for i in data.quality.issues}[EARLY_ANSWER] == 8


def test_the_open_end_date_9999_12_31_reads_as_no_date(tmp_path):
    path = write(tmp_path, "c.csv", "months,churned_on\n3,2024-05-01\n12,9999-12-31\n")
    table = read_table(path, {"churned_on": col.date()})
    assert table.data["churned_on"].isna().tolist() == [False, True]
    assert [i.action for i in table.quality.issues if i.rule.startswith("a date after 2200")] == ["set to missing"]


def test_a_repeated_answer_whose_id_differs_by_a_trailing_space_is_kept_once(tmp_path):
    path = write(tmp_path, "ids.csv", "id,nps\nC1,9\nC1 ,9\nC2,3\nC2,4\nC3,7\n")
    table = flat_table(path, scores={"nps": (0, 10)}, id_col="id")
    assert table.data["id"].tolist() == ["C1", "C3"]
    assert {i.rule: i.n_rows for i in table.quality.issues} == {"repeated row (kept once)": 1,
                                                                "duplicate id with different values": 2}


def test_the_closed_loop_calls_back_no_customer_who_left_and_a_bad_revenue_only_reorders(tmp_path):
    """a left (their latest answer says so) is not called back for an earlier answer; c's unreadable revenue leaves
    c on the list, at the median revenue."""
    frame = pd.DataFrame({"Id": ["a", "a", "b", "c"], "LTR": [5, 0, 2, 1],
                          "When": ["2025-06-10", "2025-06-21", "2025-06-15", "2025-06-16"],
                          "Text": ["slow", "leaving", "rude", "broken"], "Gone": ["no", "yes", "no", "no"],
                          "Revenue": ["100", "100", "50", "=1+2"]})
    path = write(tmp_path, "f.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("closed_loop", {"data_path": str(path), "id_col": "Id", "score_col": "LTR",
                                                     "date_col": "When", "comment_col": "Text", "left_col": "Gone",
                                                     "revenue_col": "Revenue", "touchpoint_col": None,
                                                     "segment_col": None, "window_days": 30})
    assert sorted(study.callbacks["customer_id"]) == ["b", "c"]
    assert study.already_left == 1
    assert data.quality.rows_kept["responses"] == 4


def _workbook(tmp_path, name: str = "book.xlsx"):
    path = tmp_path / name
    pd.DataFrame({"LTR": [9, 3, 10, 7] * 10, "Region": ["N", "S"] * 20}).to_excel(path, index=False)
    return path


@pytest.mark.parametrize("damage", ["cut in half", "sheet XML cut"])
def test_a_damaged_workbook_is_a_data_error_not_a_traceback(tmp_path, damage):
    import zipfile

    path = _workbook(tmp_path)
    if damage == "cut in half":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        with zipfile.ZipFile(path) as source:
            parts = {i.filename: source.read(i.filename) for i in source.infolist()}
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:300]
        with zipfile.ZipFile(path, "w") as target:
            for part, data in parts.items():
                target.writestr(part, data)
    with pytest.raises(DataError, match=r"book\.xlsx is not a readable Excel workbook .* Open it in Excel and save "):
        read_table(path, {"LTR": col.score(0, 10)})


def test_a_workbook_that_expands_beyond_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from cxlib.io import spreadsheets

    path = _workbook(tmp_path)
    monkeypatch.setattr(spreadsheets, "MAX_SHEET_BYTES", 1000)
    with pytest.raises(DataError, match=r"expands to 0 MB of sheet data .* save the sheet as CSV"):
        read_table(path, {"LTR": col.score(0, 10)})


def test_a_utf8_file_with_lines_in_a_code_page_is_refused_wherever_the_first_such_line_is(tmp_path):
    lines = ["LTR;Stadt"] + [f"{i % 11};{city}" for i, city in enumerate(["Zürich", "Genève", "Köln", "Malmö"] * 10)]
    data = b"\n".join(line.encode("cp1252" if i in (1, 12) else "utf-8") for i, line in enumerate(lines)) + b"\n"
    path = write(tmp_path, "mixed.csv", data)
    with pytest.raises(DataError, match=r"the file mixes encodings: it is UTF-8 except on line 2 .* one encoding"):
        read_table(path, {"LTR": col.score(0, 10)})


def test_utf32_with_its_byte_order_mark_reads(tmp_path):
    path = write(tmp_path, "u32.csv", "LTR,Seg\n9,Ä\n3,B\n".encode("utf-32"))
    assert read_table(path, {"LTR": col.score(0, 10)}).data.to_dict("list") == {"LTR": [9, 3], "Seg": ["Ä", "B"]}


def test_amounts_grouped_by_two_dots_read_and_a_revenue_view_on_fewer_answers_says_so(tmp_path):
    frame = pd.DataFrame({"LTR": [10, 9, 3, 0, 8, 6] * 10, "Revenue": ["1.234.567", "2.000.000", "1.500", "n/a?",
                                                                      "3.100.200", "12"] * 10})
    path = write(tmp_path, "r.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "segment_cols": [],
                                                    "date_col": None, "revenue_col": "Revenue", "tenure_col": None})
    read = frame.assign(amount=[1234567.0, 2e6, 1500.0, np.nan, 3100200.0, 12.0] * 10).dropna()
    share = lambda rows: rows["amount"].sum() / read["amount"].sum()  # noqa: E731
    want = 100 * (share(read[read["LTR"] >= 9]) - share(read[read["LTR"] <= 6]))
    assert study.revenue["nps"] == pytest.approx(want) and study.revenue["n"] == 50
    assert study.overall.n == 60
    sentence = next(c.text() for c in study.claims() if c.key == "segment.revenue")
    assert sentence.startswith("Weighted by revenue (on the 50 of 60 answers with a revenue above 0), NPS is")


@pytest.mark.parametrize("backend", ["pandas", "duckdb"])
def test_nps_groups_typed_without_turkish_letters_read_as_groups_in_every_study(tmp_path, backend):
    frame = pd.DataFrame({"ltr": ["DESTEKCI", "pasif", "Kotuleyen", "KÖTÜLEYEN"] * 15, "days": list(range(1, 61)),
                          "left": [0, 1] * 30, "revenue": [10.0] * 60})
    path = write(tmp_path, "g.csv", frame.to_csv(index=False))
    if backend == "pandas":
        study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "ltr", "segment_cols": [],
                                                        "date_col": None, "revenue_col": None, "tenure_col": None})
        assert study.overall.value == pytest.approx(100 * (15 - 30) / 60)
    case, _ = cx.studies.compute("business_case", {
        "data_path": str(path), "duration_col": "days", "event_col": "left", "nps_col": "ltr",
        "revenue_col": "revenue", "segment_col": None, "backend": backend, "min_rows": 10})
    assert case.assumptions["detractors"] == 15  # the active detractors: 30 detractors, half of them left


def test_a_cox_term_without_an_estimate_is_said_so_and_a_total_at_risk_is_never_surer_than_a_segment(tmp_path):
    """Every Gold customer left, no Silver customer did: the Wald test of Plan is meaningless (monotone likelihood)."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"months": rng.integers(1, 30, 120), "plan": ["Gold"] * 60 + ["Silver"] * 60,
                          "revenue": 10.0})
    frame["left"] = (frame["plan"] == "Gold").astype(int)
    path = write(tmp_path, "sep.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("churn_study", {
        "data_path": str(path), "duration_col": "months", "event_col": "left", "segment_col": "plan",
        "covariates": ["plan"], "time_unit": "months", "revenue_col": "revenue"})
    claims = {c.key: c for c in study.claims()}
    assert "churn.cox_none" not in claims
    assert claims["churn.cox_clear"].numbers["no_estimate"] == ["plan[Silver]"]
    assert "cannot size Plan: Silver vs Gold" in claims["churn.cox_clear"].text()
    assert study.changing_with_tenure() is None  # a term without an estimate is not said to change with tenure
    risk = study.revenue_risk.set_index("segment")
    assert risk.loc["Silver", "risk_ci_high"] > 0 and risk.loc["all", "risk_ci_high"] >= risk.loc["Silver", "risk_ci_high"] - 1e-9


def test_serbian_cyrillic_in_cp1251_is_never_read_as_iso_8859_5_garble(tmp_path):
    """"Ниш" in cp1251 reads "Эшј" in ISO-8859-5: a Russian-only and a Serbian-only letter in one word, no word's."""
    from cxlib.io.encodings import EncodingError, detect_encoding

    small = "LTR,Grad\n0,Ниш\n1,Шабац\n".encode("cp1251")
    with pytest.raises(EncodingError, match=r"cp1251 \(Cyrillic Windows\) would give Н и ш Ш а б ц"):
        detect_encoding(small)  # two pages read it as letters; the Cyrillic one is among the choices, not the garble
    cities = ["Београд", "Нови Сад", "Крагујевац", "Ниш", "Чачак", "Ужице"] * 3
    larger = ("LTR,Grad\n" + "".join(f"{i % 11},{city}\n" for i, city in enumerate(cities))).encode("cp1251")
    assert detect_encoding(larger).codec == "cp1251"


def test_a_utf8_file_with_a_byte_order_mark_and_a_line_in_a_code_page_names_the_byte_and_the_fix(tmp_path):
    data = codecs.BOM_UTF8 + "LTR,Stadt\n9,Zürich\n3,Köln\n".encode() + "7,Malmö\n".encode("cp1252")
    with pytest.raises(DataError, match=r"is not valid UTF-8: byte b'\\xf6' on line 4; the file starts with a UTF-8 "
                                        r"byte order mark but mixes encodings"):
        read_table(write(tmp_path, "bom.csv", data), {"LTR": col.score(0, 10)})


def test_a_file_whose_name_holds_brackets_is_read_as_that_file_out_of_core(tmp_path):
    path = write(tmp_path, "survey[2025].csv", "LTR,Seg\n9,A\n3,B\n10,A\n7,B\n")
    given = {"data_path": str(path), "score_col": "LTR", "segment_cols": ["Seg"], "date_col": None,
             "revenue_col": None, "tenure_col": None, "min_rows": 1}
    study, _ = cx.studies.compute("segment_study", {**given, "backend": "duckdb"})
    assert (study.overall.value, study.overall.n) == (25.0, 4)
    with pytest.raises(ParameterError, match=r"backend 'dask' reads a file name with \[, \], \* or \? as a pattern"):
        cx.studies.compute("segment_study", {**given, "backend": "dask"})


def test_a_file_wider_than_a_worksheet_stops_at_once(tmp_path):
    header = "LTR," + ",".join(f"c{i}" for i in range(20_000))
    path = write(tmp_path, "wide.csv", header + "\n" + "9," + ",".join("1" * 20_000) + "\n")
    with pytest.raises(DataError, match=r"a row holds 20,001 fields, more than the 16,384 columns a worksheet holds"):
        flat_table(path, scores={"LTR": (0, 10)})


def test_a_business_case_without_detractors_says_where_the_revenue_at_risk_is(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"days": rng.integers(1, 30, 100), "left": rng.integers(0, 2, 100),
                          "ltr": rng.integers(7, 11, 100), "revenue": 10.0})
    path = write(tmp_path, "nodet.csv", frame.to_csv(index=False))
    with pytest.raises(DataError, match=r"no active customer in .ltr. is a detractor \(0-6\).*\(cx run churn_study"):
        cx.studies.compute("business_case", {"data_path": str(path), "duration_col": "days", "event_col": "left",
                                             "nps_col": "ltr", "revenue_col": "revenue", "segment_col": None})


def test_qualtrics_nps_group_codes_read_as_groups(tmp_path):
    """Qualtrics' Q1_NPS_GROUP holds 1 (detractor), 2 (passive), 3 (promoter): read as scores, NPS would be -100."""
    scores = pd.Series([6, 9, 10, 3, 7, 8, 0, 9, 2, 5] * 10)
    codes = np.select([scores >= 9, scores >= 7], [3, 2], 1)
    path = write(tmp_path, "q.csv", pd.DataFrame({"Q1": scores, "Q1_NPS_GROUP": codes}).to_csv(index=False))
    given = {"data_path": str(path), "segment_cols": [], "date_col": None, "revenue_col": None, "tenure_col": None}
    by_score, _ = cx.studies.compute("segment_study", {**given, "score_col": "Q1"})
    by_group, _ = cx.studies.compute("segment_study", {**given, "score_col": "Q1_NPS_GROUP"})
    assert by_group.overall.value == pytest.approx(by_score.overall.value) == pytest.approx(-20.0)
    assert by_group.from_groups and not by_score.from_groups


def test_a_header_name_holding_a_bare_cr_can_be_named_before_a_run(tmp_path):
    from cxlib.io.sources import read_header

    path = write(tmp_path, "cr.csv", "LTR,Re\rg\n9,A\n3,B\n")
    assert read_header(path) == ["LTR", "Re\rg"] == list(read_table(path).data.columns)


def test_ids_differing_by_a_zero_width_space_are_one_id(tmp_path):
    path = write(tmp_path, "ids.csv", "id,nps\nC1,9\nC1\u200b,9\nC2,3\n")
    table = flat_table(path, scores={"nps": (0, 10)}, id_col="id")
    assert table.data["id"].tolist() == ["C1", "C2"]


def test_a_time_zone_aware_parquet_date_keeps_its_local_day_as_a_csv_offset_does(tmp_path):
    stamps = pd.to_datetime(["2025-03-31T23:30:00+02:00", "2025-04-01T00:30:00+02:00"]).tz_convert("Europe/Belgrade")
    path = tmp_path / "tz.parquet"
    pd.DataFrame({"nps": [9, 3], "when": stamps}).to_parquet(path)
    csv = write(tmp_path, "tz.csv", "nps,when\n9,2025-03-31T23:30:00+02:00\n3,2025-04-01T00:30:00+02:00\n")
    for source in (path, csv):
        days = read_table(source, {"when": col.date()}).data["when"].dt.strftime("%Y-%m-%d").tolist()
        assert days == ["2025-03-31", "2025-04-01"], source


def test_a_blank_optional_column_leaves_its_view_out_and_the_headline_stands(tmp_path):
    path = write(tmp_path, "r.csv", "LTR,Rev\n10,\n6,\n9,\n")
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "segment_cols": [],
                                                    "date_col": None, "revenue_col": "Rev", "tenure_col": None,
                                                    "min_rows": 1})
    assert study.overall.n == 3 and study.revenue == {"n": 0, "column": "Rev"}


def test_dates_no_period_can_hold_leave_no_trend_and_every_other_figure(tmp_path):
    frame = pd.DataFrame({"LTR": [10, 6, 9, 3] * 10, "Seg": ["A", "B"] * 20, "Date": [1766275200] * 40})
    path = write(tmp_path, "unix.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "segment_cols": ["Seg"],
                                                    "date_col": "Date", "revenue_col": None, "tenure_col": None})
    assert study.trends is None and study.overall.n == 40
    assert "no trends (no answer has a date a period can hold in Date;" in study.introduction().text()


def test_a_dos_end_of_file_mark_is_no_line(tmp_path):
    path = write(tmp_path, "z.csv", b"nps,seg\n9,A\n3,B\n\x1a")
    assert read_table(path, {"nps": col.score(0, 10)}).data["nps"].tolist() == [9, 3]


@pytest.mark.parametrize(("study", "given", "problem"), [
    ("closed_loop", {"until": "0001-01-01"}, "until must be a date written YYYY-MM-DD, from 1900 to 2199"),
    ("business_case", {"program_cost": 0, "running_cost_per_year": 0},
     "program_cost and running_cost_per_year are both 0"),
])
def test_dates_out_of_any_record_and_a_programme_without_cost_are_refused_before_a_run(study, given, problem):
    with pytest.raises(ParameterError, match=problem):
        cx.studies.compute(study, given)


def test_a_business_case_where_everyone_left_says_so(tmp_path):
    frame = pd.DataFrame({"days": range(1, 41), "left": 1, "ltr": [3, 9] * 20, "revenue": 10.0})
    path = write(tmp_path, "gone.csv", frame.to_csv(index=False))
    with pytest.raises(DataError, match=r"every customer in the data has left \('left'\)"):
        cx.studies.compute("business_case", {"data_path": str(path), "duration_col": "days", "event_col": "left",
                                             "nps_col": "ltr", "revenue_col": "revenue", "segment_col": None})


def test_a_finished_column_of_a_crm_table_leaves_no_answer_out(tmp_path):
    """Status Active/Churned and Finished 0/1 are a customer table's fields, not a survey tool's metadata."""
    frame = pd.DataFrame({"Status": ["Active", "Churned"] * 30, "Finished": [0, 1, 1] * 20, "nps": [9, 3, 7] * 20})
    path = write(tmp_path, "crm.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "segment_cols": [], "date_col": None,
                                                    "revenue_col": None, "tenure_col": None, "id_col": None})
    assert study.overall.n == 60


def test_an_all_blank_segment_or_left_column_is_read_as_one_blank_cell_is(tmp_path):
    frame = pd.DataFrame({"LTR": [5, 1, 9, 10] * 30, "Seg": ["A", "B"] * 60, "Region": None})
    path = write(tmp_path, "s.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR", "date_col": None,
                                                    "segment_cols": ["Seg", "Region"], "revenue_col": None,
                                                    "tenure_col": None})
    assert study.segments.set_index(["segment_col", "segment"]).loc[("Region", "(missing)"), "n"] == 120
    answers = pd.DataFrame({"Id": ["a", "b", "c"], "LTR": [2, 3, 9], "When": ["2025-06-01"] * 3,
                            "Text": ["slow", "rude", "great"], "Gone": None})
    path = write(tmp_path, "cl.csv", answers.to_csv(index=False))
    loop, _ = cx.studies.compute("closed_loop", {"data_path": str(path), "id_col": "Id", "score_col": "LTR",
                                                 "date_col": "When", "comment_col": "Text", "left_col": "Gone",
                                                 "touchpoint_col": None, "revenue_col": None, "segment_col": None,
                                                 "min_rows": 1})
    assert sorted(loop.callbacks["customer_id"]) == ["a", "b"] and loop.already_left == 0


@pytest.mark.parametrize("given", [{"margin": 0}, {"share_moved": 0}])
def test_shares_the_business_case_divides_by_are_above_zero(given):
    with pytest.raises(ParameterError, match=f"{next(iter(given))} must be a number > 0 and ≤ 1"):
        cx.studies.compute("business_case", given)


def test_a_comment_of_megabytes_is_read_for_themes_in_its_first_pages():
    from cxlib.feedback.themes import TAGGED_CHARACTERS, load_taxonomy

    long = "the invoice was charged twice " + "lorem ipsum " * 500_000  # 6 MB
    flags = load_taxonomy("en").tag(pd.Series([long, "great service"]))
    assert bool(flags.loc[0, "billing"]) and len(long) > 100 * TAGGED_CHARACTERS


def test_a_chinese_gbk_file_is_not_called_utf8_mixed_with_another_encoding(tmp_path):
    path = write(tmp_path, "gbk.csv", b"LTR,City\n" + "".join(
        f"{i % 11},{city}\n" for i, city in enumerate(["北京市", "上海市"] * 30)).encode("gbk"))
    try:
        read_table(path, {"LTR": col.score(0, 10)})
    except DataError as exc:
        assert "mixes encodings" not in str(exc)
    assert read_table(path, {"LTR": col.score(0, 10)}, encoding="gbk").data["City"].iloc[0] == "北京市"


@pytest.mark.parametrize(("yes", "no"), [("WAHR", "FALSCH"), ("VRAI", "FAUX"), ("DOĞRU", "YANLIŞ"), ("TAČNO", "NETAČNO")])
def test_a_survey_exports_finished_column_saved_by_a_localised_excel_still_says_which_answers_are_unfinished(
        tmp_path, yes, no):
    frame = qualtrics(n=120, previews=0, unfinished=20).assign(Finished=lambda f: f["Finished"].map(
        {"True": yes, "False": no}))
    path = write(tmp_path, "q.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path)})
    assert study.overall.n == 100


def test_a_closed_loop_whose_comments_are_all_blank_still_calls_back(tmp_path):
    answers = pd.DataFrame({"Id": ["a", "b", "c"], "LTR": [2, 3, 9], "When": ["2025-06-01"] * 3, "Text": None})
    path = write(tmp_path, "cl.csv", answers.to_csv(index=False))
    loop, _ = cx.studies.compute("closed_loop", {"data_path": str(path), "id_col": "Id", "score_col": "LTR",
                                                 "date_col": "When", "comment_col": "Text", "touchpoint_col": None,
                                                 "revenue_col": None, "segment_col": None, "min_rows": 1})
    assert sorted(loop.callbacks["customer_id"]) == ["a", "b"]
