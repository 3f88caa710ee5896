"""Exports from the sixth outside pass (issue 25): placeholders, partial columns and codes read as users mean them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxlib as cx


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def customers(n: int = 300, seed: int = 5) -> pd.DataFrame:
    """Customers with tenure in months, a plan, monthly revenue and whether they left."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"id": [f"C{i}" for i in range(n)], "months": rng.integers(1, 40, n),
                         "left": rng.random(n) < 0.33, "plan": rng.choice(["Basic", "Pro"], n),
                         "mrr": rng.uniform(10, 60, n).round(2)})


def risk_by_hand(frame: pd.DataFrame, period: float = 1.0) -> float:
    """Revenue at risk: each plan's active revenue times 1 - exp(-events / exposure * period)."""
    total = 0.0
    for _, part in frame.groupby("plan"):
        hazard = part["left"].sum() / part["months"].sum()
        total += part.loc[~part["left"], "mrr"].sum() * (1 - np.exp(-hazard * period))
    return total


CHURN = {"duration_col": "months", "event_col": "left", "segment_col": "plan", "time_unit": "months",
         "revenue_col": "mrr", "id_col": "id", "period": 1}


@pytest.mark.parametrize("backend", ["pandas", "duckdb"])
def test_a_placeholder_duration_is_left_out_and_counted_on_every_backend(tmp_path, backend):
    """999,000,000,000,000 months is no tenure: kept, it swamped every hazard and made revenue at risk 0."""
    frame = customers()
    hostile = frame.assign(months=frame["months"].where(frame.index % 60 != 7, 999_000_000_000_000))
    path = write(tmp_path, "c.csv", hostile.to_csv(index=False))
    params = {**CHURN, "data_path": str(path), "backend": backend}
    if backend != "pandas":
        params = {k: v for k, v in params.items() if k not in ("revenue_col", "id_col")}
    study, data = cx.studies.compute("churn_study", params)
    kept = frame[frame.index % 60 != 7]
    assert study.n == len(kept) == 295 and study.events == int(kept["left"].sum())
    (issue,) = [i for i in data.quality.issues if i.column == "months"]
    assert (issue.rule, issue.n_rows, issue.action) == ("not a number from 0 to 1,800 (150 years)", 5, "excluded")
    if backend == "pandas":
        assert study.revenue_risk.iloc[-1]["revenue_at_risk"] == pytest.approx(risk_by_hand(kept))


def test_the_longest_duration_follows_the_time_unit():
    from cxlib.io.columns import longest_duration

    assert [longest_duration(u) for u in ("days", "weeks", "months", "years")] == [54788, 7827, 1800, 150]


def test_an_unreadable_revenue_leaves_the_customer_out_of_revenue_at_risk_only(tmp_path):
    """"0.06k" is no amount: the customer still counts in churn, the curves and the Cox model."""
    frame = customers()
    hostile = frame.astype({"mrr": object})
    hostile.loc[hostile.index % 10 == 3, "mrr"] = "0.06k"
    path = write(tmp_path, "c.csv", hostile.to_csv(index=False))
    study, data = cx.studies.compute("churn_study", {**CHURN, "data_path": str(path)})
    assert study.n == 300 and study.events == int(frame["left"].sum())
    known = frame[frame.index % 10 != 3]
    assert study.revenue_risk.iloc[-1]["revenue_at_risk"] == pytest.approx(risk_by_hand(known))
    claim = {c.key: c for c in study.claims()}["churn.revenue_at_risk"].text()
    assert claim.startswith("Revenue at risk over the next month, on the 270 of 300 customers whose revenue is known:")
    (issue,) = [i for i in data.quality.issues if i.column == "mrr"]
    assert issue.n_rows == 30 and "view only" in issue.rule


def test_the_business_case_still_needs_every_revenue(tmp_path):
    """Every figure of the business case is revenue: a customer without one is left out of it, and counted."""
    frame = customers().assign(ltr=lambda f: np.arange(len(f)) % 11, days=lambda f: f["months"] * 30)
    hostile = frame.astype({"mrr": object})
    hostile.loc[hostile.index % 10 == 3, "mrr"] = "0.06k"
    path = write(tmp_path, "c.csv", hostile.to_csv(index=False))
    _, data = cx.studies.compute("business_case", {
        "data_path": str(path), "duration_col": "days", "event_col": "left", "nps_col": "ltr",
        "revenue_col": "mrr", "segment_col": None})
    (issue,) = [i for i in data.quality.issues if i.column == "mrr"]
    assert (issue.n_rows, issue.action) == (30, "excluded")


def test_greek_in_cp1253_reads_as_greek_and_cyrillic_never_as_greek():
    """Greek bytes read as Cyrillic in ISO-8859-5 ("Αθήνα" as "Сшоэс"), Cyrillic as Greek in cp1253 ("Шабац" as
    "Ψΰαΰφ"): a reading with words no language writes loses."""
    from cxlib.io.encodings import detect_encoding

    greek = ("LTR,Poli\n" + "".join(f"{i % 11},{city}\n" for i, city in
                                    enumerate(["Αθήνα", "Πάτρα"] * 30))).encode("cp1253")
    assert detect_encoding(greek).codec == "cp1253"
    cities = ["Београд", "Нови Сад", "Шабац", "Чачак", "Петровац"]
    text = ("LTR,Grad\n" + "".join(f"{i % 11},{c}\n" for i, c in enumerate(cities * 5))).encode("cp1251")
    assert detect_encoding(text).codec == "cp1251"


def survey(n: int = 120, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"LTR": rng.integers(0, 11, n), "Seg": rng.choice(["A", "B"], n),
                         "Date": pd.date_range("2025-01-01", periods=n, freq="2D").strftime("%Y-%m-%d")})


def test_blank_dates_are_noted_and_the_trend_sentence_says_how_many_answers_it_rests_on(tmp_path):
    """114 of 120 dates blank: every other figure stands on 120 answers, the trends on 6, and both say so."""
    frame = survey()
    frame.loc[frame.index % 20 != 0, "Date"] = ""
    path = write(tmp_path, "s.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"], "date_col": "Date"})
    assert study.overall.n == 120
    (note,) = [i for i in data.quality.issues if i.column == "Date"]
    assert (note.rule, note.action, note.n_rows) == ("blank (left out of the Date view only)", "note", 114)
    claim = {c.key: c for c in study.claims()}["segment.trend_thin_periods"]  # 6 answers: thin periods, not judged
    assert "(on the 6 of 120 answers with a date; every segment has a period with fewer than 30" in claim.text()
    assert claim.numbers["answers"] == 6


def test_a_cox_term_without_an_estimate_or_check_shows_dashes_and_not_checked(tmp_path):
    """Every Gold customer left, no Silver one did: no hazard ratio to show ("0.00 (0.00-not reached)" before), and
    no proportional-hazards check to call "yes"."""
    from cxlib.formatting.tables import format_table

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"months": rng.integers(1, 30, 120), "plan": ["Gold"] * 60 + ["Silver"] * 60})
    frame["left"] = (frame["plan"] == "Gold").astype(int)
    path = write(tmp_path, "sep.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("churn_study", {
        "data_path": str(path), "duration_col": "months", "event_col": "left", "segment_col": "plan",
        "covariates": ["plan"], "time_unit": "months"})
    shown = format_table(study.cox_table()).iloc[0]
    assert shown["hazard ratio (95% CI)"] == "–" and shown["proportional"] == "not checked"
    assert study.ph_table().iloc[0]["proportional"] == "not checked"
    assert np.isnan(study.ph_table().iloc[0]["p_value"])


def test_coded_cancellation_reasons_find_their_themes():
    """A CRM's reason codes ("Bad support", "Moved to competitor") are reasons too, in English and in Turkish."""
    from cxlib.studies.churn_study import cancellation_reasons

    codes = pd.Series(["Price too high"] * 3 + ["Bad support"] * 2 + ["Moved to competitor"] * 2 + ["Other"])
    table = cancellation_reasons(codes).set_index("label")["count"].to_dict()
    assert table == {"Pricing": 3, "Poor service": 2, "Moved to a competitor": 2, "No theme found": 1}
    turkish = pd.Series(["Kötü destek", "Rakip firmaya geçtim", "Çok beklettiler, kimse açmadı"])
    table = cancellation_reasons(turkish, "tr").set_index("label")["count"].to_dict()
    assert table == {"Kötü hizmet": 2, "Rakibe geçti": 1, "No theme found": 0}


@pytest.mark.parametrize("study, params, hint", [
    ("segment_study", {"score_col": "LTR", "segment_cols": ["Seg"], "weight_col": "W"},
     "column 'W' has no values (every row is blank); it is weight_col: name a column with values, or none "
     "(weight_col: null)"),
    ("churn_study", {"duration_col": "months", "event_col": "left", "segment_col": "W", "time_unit": "months"},
     "column 'W' has no values (every row is blank); it is segment_col: name a column with values, or none "
     "(segment_col: null)"),
])
def test_a_column_with_no_values_is_told_by_the_parameter_that_names_it(tmp_path, study, params, hint):
    from cxlib.io import DataError

    frame = survey().assign(months=lambda f: f.index % 30 + 1, left=lambda f: f.index % 3 == 0, W="")
    path = write(tmp_path, "s.csv", frame.to_csv(index=False))
    with pytest.raises(DataError) as caught:
        cx.studies.compute(study, {"data_path": str(path), **params})
    assert str(caught.value).endswith(hint)


def test_a_closed_loop_window_without_answers_says_so_and_where_the_answers_are(tmp_path):
    """until 1900-01-01 on answers of June 2025: no call-back, and the summary asks whether until is right."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"Id": [f"K{i % 50}" for i in range(100)], "LTR": rng.integers(0, 11, 100),
                          "When": pd.date_range("2025-06-01", periods=100, freq="5h").strftime("%Y-%m-%d %H:%M"),
                          "Text": "slow app"})
    path = write(tmp_path, "cl.csv", frame.to_csv(index=False))
    params = {"data_path": str(path), "id_col": "Id", "score_col": "LTR", "date_col": "When", "comment_col": "Text",
              "touchpoint_col": None, "segment_col": None, "revenue_col": None}
    study, _ = cx.studies.compute("closed_loop", {**params, "until": "1900-01-01"})
    (claim,) = study.claims()
    assert claim.text() == ("No answer falls in the window from 1899-12-03 to 1900-01-01, so nobody is to be called "
                            "back: the latest answer is from 2025-06-21, after the window. Is until (or window_days) "
                            "right?")
    study, _ = cx.studies.compute("closed_loop", params)
    assert study.claims()[0].key == "closed_loop.window" and study.answers == 100


def test_the_business_case_refuses_revenue_that_is_all_zero_and_never_keeps_fewer_than_zero(tmp_path):
    rng = np.random.default_rng(3)
    n = 2000
    frame = pd.DataFrame({"days": rng.integers(1, 900, n), "nps": rng.integers(0, 11, n), "rev": 0.0})
    frame["left"] = rng.random(n) < np.where(frame["nps"].between(7, 8), 0.45, 0.25)  # passives leave more often
    path = write(tmp_path, "c.csv", frame.to_csv(index=False))
    params = {"data_path": str(path), "duration_col": "days", "event_col": "left", "nps_col": "nps",
              "revenue_col": "rev", "n_sim": 200}
    from cxlib.io import DataError

    with pytest.raises(DataError, match="every active customer's revenue in 'rev' is 0"):
        cx.studies.compute("business_case", params)
    frame["rev"] = rng.gamma(2, 30, n).round(2)
    frame.to_csv(path, index=False)
    study, _ = cx.studies.compute("business_case", params)
    saved = study.case.customers_saved["value"]
    assert saved < 0
    text = {c.key: c.text() for c in study.claims()}["business.case"]
    assert f"and passives leave more often than detractors, as they do in these data, it would lose {abs(saved):,.0f} " \
           "more customers after" in text


def test_ids_that_differ_only_in_case_are_kept_apart_and_noted(tmp_path):
    """"c900" and "C900" may be one customer typed twice or two (Salesforce ids tell case apart): kept, and said."""
    from cxlib.io import columns as col
    from cxlib.io import read_table

    path = write(tmp_path, "ids.csv", "id,nps\nc900,9\nC900,3\nC901,5\nc901,10\nA1,7\n")
    table = read_table(path, {"id": col.identifier(), "nps": col.score(0, 10)})
    assert table.data["id"].tolist() == ["c900", "C900", "C901", "c901", "A1"]
    (note,) = [i for i in table.quality.issues if i.column == "id"]
    assert (note.rule, note.n_rows) == ("ids that differ only in case, kept as different customers (c900/C900, "
                                        "C901/c901)", 4)


def test_a_cut_utf16_file_and_a_quote_left_open_are_told_where_they_are(tmp_path):
    from cxlib.io import DataError

    text = "Puan,Şehir\n" + "".join(f"{i % 11},İzmir\n" for i in range(40))
    cut = write(tmp_path, "u16.csv", text.encode("utf-16")[:-1])
    with pytest.raises(DataError, match=r"is UTF-16 \(its byte order mark says so\) but ends inside a character: "
                                        r"the file was cut short"):
        cx.studies.compute("segment_study", {"data_path": str(cut), "score_col": "Puan", "segment_cols": ["Şehir"]})
    rows = [f"{i % 11},A,2025-01-0{i % 9 + 1}" for i in range(30)]
    rows[5] = '6,"A,2025-07-22'
    opened = write(tmp_path, "q.csv", "LTR,Seg,Date\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"line 7 has 2 fields, the header has 3: a quote opened on line 7 runs to "
                                        r"line 31 \(is it left open\?\)"):
        cx.studies.compute("segment_study", {"data_path": str(opened), "score_col": "LTR", "segment_cols": ["Seg"]})


@pytest.mark.parametrize("written, value", [("₹3,13,404.68", 313404.68), ("3.250,00 руб.", 3250.0),
                                            ("R$ 1.234,56", 1234.56), ("1 250 Kč", 1250.0), ("12 500 Ft", 12500.0)])
def test_amounts_in_more_currencies_read_as_their_numbers(tmp_path, written, value):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    path = write(tmp_path, "a.csv", "x\n" + "".join(f'"{written}"\n' for _ in range(3)))
    table = read_table(path, {"x": col.amount(required=True)})
    assert table.data["x"].tolist() == [value] * 3


def test_yaml_booleans_and_exponents_read_as_the_user_meant_them():
    """YAML 1.1 reads `No` as false and `1e3` as text: a column named No is told how to quote it, and 1e3 is a
    number (as -p reads it); an NPS gain beyond 200 points a period cannot be."""
    from cxlib.studies import ParameterError

    with pytest.raises(ParameterError, match=r"id_col must be a column name or None, got False \(YAML reads yes, no, "
                                             r"on, off, true and false as false: quote a name such as \"No\"\)"):
        resolve_segment_study({"id_col": False})
    with pytest.raises(ParameterError, match=r"segment_cols must be a list of column names, got \[True\] \(YAML"):
        resolve_segment_study({"segment_cols": [True]})
    assert resolve_segment_study({"target_change": "1e1"}).values["target_change"] == 10.0
    with pytest.raises(ParameterError, match="target_change must be a number ≥ -200 and ≤ 200, got '1e300'"):
        resolve_segment_study({"target_change": "1e300"})


def resolve_segment_study(given: dict):
    from cxlib.studies import REGISTRY

    return REGISTRY["segment_study"].resolve(given)


def test_a_control_character_in_a_parameter_is_refused_before_it_reaches_a_report():
    from cxlib.studies import ParameterError

    with pytest.raises(ParameterError, match=r"labels holds an invisible control character \(\\x1b\) that a terminal"):
        resolve_segment_study({"labels": {"Seg": "Se\x1b[31mg"}})
    assert resolve_segment_study({"labels": {"Seg": "Two\nlines"}}).values["labels"] == {"Seg": "Two\nlines"}


def test_a_yes_no_segment_is_named_with_its_column(tmp_path):
    """"No (151 answers)" says nothing alone: a segment whose values are yes/no or numbers reads "Smoker: no"."""
    rng = np.random.default_rng(6)
    n = 240
    frame = pd.DataFrame({"bill": rng.gamma(4, 5, n), "size": rng.integers(1, 6, n),
                          "smoker": np.where(np.arange(n) < 150, "No", "Yes")})
    frame["tip"] = 0.15 * frame["bill"] + 0.2 * frame["size"] + rng.normal(0, 1, n)
    path = write(tmp_path, "tips.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("driver_study", {"data_path": str(path), "outcome": "tip",
                                                   "driver_groups": ["bill", "size"], "segment_col": "smoker",
                                                   "n_boot": 50})
    claim = {c.key: c for c in study.claims()}["drivers.segments_too_small"]
    assert "Smoker: No (150 answers), Smoker: Yes (90 answers)" in claim.text()


def test_a_whole_score_stored_with_rounding_noise_is_that_score(tmp_path):
    """Excel's =0.6*10 stores 6.000000000000001: a 6, noted; 7.5 stays a fractional answer, left out."""
    from cxlib.io import columns as col
    from cxlib.io import read_table

    path = write(tmp_path, "s.csv", "LTR\n6.000000000000001\n7.000000000000001\n7.5\n9\n")
    table = read_table(path, {"LTR": col.score(0, 10)})
    assert table.data["LTR"].tolist()[:2] == [6, 7] and table.data["LTR"].tolist()[-1] == 9
    rules = {(i.rule, i.n_rows) for i in table.quality.issues}
    assert rules == {("whole numbers stored with rounding noise read as whole (e.g. 6.000000000000001)", 2),
                     ("not a whole number", 1)}


def test_a_duration_unit_is_never_read_against_what_the_column_name_says(tmp_path):
    """tenure_days with time_unit months, or tenure_months in the business case (which reads days), is refused
    before a kernel starts; a follow-up of a century is asked about."""
    from cxlib.studies import ParameterError

    frame = customers().rename(columns={"months": "tenure_months"}).assign(ltr=lambda f: np.arange(len(f)) % 11)
    path = write(tmp_path, "c.csv", frame.to_csv(index=False))
    with pytest.raises(ParameterError, match=r"duration_col 'tenure_months' is named in months; the business case "
                                             r"reads durations in days: give a column of days \(months x 30.4375\)"):
        cx.studies.REGISTRY["business_case"].resolve({"data_path": str(path), "duration_col": "tenure_months",
                                                      "event_col": "left", "nps_col": "ltr", "revenue_col": "mrr"})
    with pytest.raises(ParameterError, match=r"time_unit is days, but duration_col 'tenure_months' is named in "
                                             r"months: leave time_unit out"):
        cx.studies.REGISTRY["churn_study"].resolve({"data_path": str(path), "duration_col": "tenure_months",
                                                    "event_col": "left", "time_unit": "days"})
    days = frame.assign(tenure_months=frame["tenure_months"] * 30)  # days, in a column named in months
    days.to_csv(path, index=False)
    study, _ = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "tenure_months",
                                                  "event_col": "left", "time_unit": None})
    claim = {c.key: c for c in study.claims()}["churn.long_follow_up"]
    years = days["tenure_months"].max() * 30.4375 / 365.25
    assert claim.text() == f"That is {years:,.0f} years: are the durations in months? If not, give time_unit."


def test_placeholder_amounts_are_left_out_and_a_few_large_ones_are_said_to_carry_the_weight(tmp_path):
    """9999999 means "unknown": kept, five of them made a revenue-weighted NPS of -79.9 (truth +4.1). Real large
    amounts stay, and the sentence says when a few answers carry most of the weight."""
    frame = survey()
    frame["Rev"] = np.random.default_rng(8).uniform(50, 500, len(frame)).round(2)
    hostile = frame.copy()
    hostile.loc[[3, 40, 77], "Rev"] = 9999999
    path = write(tmp_path, "s.csv", hostile.to_csv(index=False))
    params = {"data_path": str(path), "score_col": "LTR", "segment_cols": ["Seg"], "revenue_col": "Rev"}
    study, data = cx.studies.compute("segment_study", params)
    kept = frame.drop(index=[3, 40, 77])
    w, s = kept["Rev"], kept["LTR"]
    assert study.revenue["nps"] == pytest.approx(100 * (w[s >= 9].sum() - w[s <= 6].sum()) / w.sum())
    (issue,) = [i for i in data.quality.issues if i.column == "Rev"]
    assert issue.n_rows == 3 and issue.rule.startswith("a placeholder (all nines")
    claim = {c.key: c for c in study.claims()}["segment.revenue"].text()
    assert "A few answers hold most" not in claim
    frame.loc[[3, 40, 77], "Rev"] = 2_500_000.0  # real, if rare: three key accounts
    frame.to_csv(path, index=False)
    study, _ = cx.studies.compute("segment_study", params)
    claim = {c.key: c for c in study.claims()}["segment.revenue"].text()
    ne = study.revenue["n_effective"]
    assert claim.endswith(f"A few answers hold most of the revenue: the weights count as {ne:,.0f} answers of 120.")


def test_a_total_row_below_the_data_is_no_answer(tmp_path):
    """A BI export's footer ("Total", the mean score) was one more answer and a segment of its own."""
    frame = survey()
    text = frame.to_csv(index=False) + "6,Grand Total:,\n"
    path = write(tmp_path, "bi.csv", text)
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"], "date_col": "Date"})
    s = frame["LTR"]
    assert study.overall.n == 120 and study.overall.value == pytest.approx(100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert set(study.segments["segment"]) == {"A", "B"}
    (issue,) = [i for i in data.quality.issues if i.rule.startswith("a total, subtotal or summary row")]
    assert (issue.n_rows, issue.action) == (1, "excluded")



def test_summary_rows_ending_the_data_are_no_answers_and_their_blanks_no_note(tmp_path):
    """"Median" (7) and "Max" (10) below the data were two more answers and a segment "(missing)" of NPS 50."""
    frame = survey().assign(Id=[f"R{i}" for i in range(120)])
    footer = "".join(f"{v},,,{label}\n" for label, v in (("Average", 6.43), ("Median", 7), ("Count", 120),
                                                         ("Max", 10), ("Prosek", 6.4)))
    path = write(tmp_path, "bi.csv", frame.to_csv(index=False) + footer)
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"], "id_col": "Id"})
    s = frame["LTR"]
    assert study.overall.n == 120 and study.overall.value == pytest.approx(100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert set(study.segments["segment"]) == {"A", "B"}
    assert [(i.rule, i.n_rows, i.rows) for i in data.quality.issues] == [
        ("a total, subtotal or summary row (a report's summary), not an answer", 5, (121, 122, 123, 124, 125))]


def test_a_column_named_with_a_leading_zero_stays_that_name_in_y_and_p():
    """YAML 1.1 reads an unquoted 010 as octal 8, and int("010") is 10: either analysed another column."""
    from cxlib.io.yaml_files import yaml_value
    from cxlib.reports.cli import resolve_type

    assert yaml_value("{score_col: 010, segment_cols: [0x1F, 1_000], min_n: 30, share: 0.5}", "-y") == {
        "score_col": "010", "segment_cols": ["0x1F", "1_000"], "min_n": 30, "share": 0.5}
    assert [resolve_type(v) for v in ("010", "1_000", "10", "0.5", "-3", "1e3")] == ["010", "1_000", 10, 0.5, -3,
                                                                                     1000.0]


def test_a_step_for_a_categorical_covariate_names_covariate_steps(tmp_path):
    from cxlib.io import DataError

    frame = customers().assign(age=lambda f: 20 + f.index % 50)
    path = write(tmp_path, "c.csv", frame.to_csv(index=False))
    with pytest.raises(DataError, match=r"covariate_steps gives a step for 'plan', a category: its hazard ratios are "
                                        r"read level against level; leave it out of covariate_steps"):
        cx.studies.compute("churn_study", {**CHURN, "data_path": str(path), "covariates": ["age", "plan"],
                                           "covariate_steps": {"plan": 10}})


def test_a_surveymonkey_export_saved_as_a_workbook_reads_as_its_csv_does(tmp_path):
    """SurveyMonkey's second header row ("Response", then one answer per column under a merged question) in .xlsx:
    refused before ("values under an empty header cell"), while the same export as CSV read."""
    import openpyxl

    rng = np.random.default_rng(9)
    n = 60
    question = "How likely is it that you would recommend us?"
    rows = [["Respondent ID", "Start Date", question, "Which plan?", "Which channels?", None],
            [None, None, "Response", "Response", "Email", "Phone"]]
    scores, plans = rng.integers(0, 11, n), rng.choice(["Basic", "Pro"], n)
    rows += [[1000 + i, "2025-03-01", int(scores[i]), plans[i], "Email" if i % 2 else None, "Phone" if i % 3 else None]
             for i in range(n)]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "sm.xlsx")
    csv = tmp_path / "sm.csv"
    pd.DataFrame(rows).to_csv(csv, index=False, header=False)
    results = []
    for path in (tmp_path / "sm.xlsx", csv):
        study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": question,
                                                           "segment_cols": ["Which plan?", "Which channels? - Phone"],
                                                           "id_col": "Respondent ID"})
        assert "a SurveyMonkey export: 1 more header row read as column labels" in [i.rule for i in
                                                                                    data.quality.issues]
        results.append((study.overall.n, study.overall.value, sorted(study.segments["segment"])))
    assert results[0] == results[1]
    assert results[0][0] == n and results[0][1] == pytest.approx(100 * ((scores >= 9).mean() - (scores <= 6).mean()))


def test_excel_error_cells_are_told_as_errors_not_as_answers_left_blank(tmp_path):
    """pandas reads #DIV/0! or #N/A as blank: "not answered", as if the respondent had skipped the question."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["LTR", "Seg"])
    scores = [9, 3, 10, "#DIV/0!", 7, "#N/A", 6, 9, None, 2] * 3
    for i, score in enumerate(scores):
        book.active.append([score, "AB"[i % 2]])
    book.save(tmp_path / "e.xlsx")
    study, data = cx.studies.compute("segment_study", {"data_path": str(tmp_path / "e.xlsx"), "score_col": "LTR",
                                                       "segment_cols": ["Seg"], "min_rows": 10})
    assert study.overall.n == 21
    issues = {(i.rule, i.action): i.n_rows for i in data.quality.issues if i.column == "LTR"}
    assert issues[("an Excel error value (#DIV/0!, #N/A), not a value", "excluded")] == 6
    assert [n for (rule, _), n in issues.items() if rule.startswith("not answered")] == [3]


def test_ids_excel_wrote_in_scientific_notation_are_said_to_have_lost_digits_and_find_no_repeat(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    path = write(tmp_path, "ids.csv", "id,nps\n1.23457E+11,9\n1.23457E+11,3\nA7,5\n")
    table = read_table(path, {"id": col.identifier(), "nps": col.score(0, 10)})
    (note,) = [i for i in table.quality.issues if i.column == "id" and i.action == "note"]
    assert note.rule.startswith("ids in Excel's scientific notation (e.g. 1.23457E+11): their last digits are lost, "
                                "so they are not used to find repeated rows")
    assert note.n_rows == 2
    assert table.data["nps"].tolist() == [9, 3, 5]  # two customers whose ids Excel made alike: both answers stay


def test_two_names_shown_alike_are_refused():
    from cxlib.studies import ParameterError

    with pytest.raises(ParameterError, match=r"labels shows 'A', 'B' alike as 'Gold': give each its own display name"):
        resolve_segment_study({"labels": {"A": "Gold", "B": "gold "}})


def test_personas_too_small_to_be_a_kind_of_customer_are_said_so(tmp_path):
    rng = np.random.default_rng(10)
    n = 60
    frame = pd.DataFrame({"cid": [f"P{i}" for i in range(n)], "Plan": rng.choice(["Basic", "Pro"], n),
                          "Region": rng.choice(["N", "S"], n), "Rev": rng.uniform(10, 90, n).round(2),
                          "LTR": rng.integers(0, 11, n)})
    path = write(tmp_path, "p.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("persona_study", {
        "data_path": str(path), "trait_cols": ["Plan", "Region", "Rev"], "k": 6, "score_col": "LTR",
        "csat_col": None, "churn_col": None, "revenue_col": "Rev", "id_col": "cid", "n_boot": 10, "min_rows": 10})
    claim = {c.key: c for c in study.claims()}["persona.too_small"]
    sizes = study.personas["size"]
    assert claim.numbers == {"small_personas": int((sizes < 30).sum()), "k": 6, "smallest": int(sizes.min()),
                             "min_n": 30}
    assert claim.text().startswith(f"{int((sizes < 30).sum())} of the 6 personas hold fewer than 30 customers")
    assert "persona.largest" not in {c.key for c in study.claims()}  # every persona is small: none is described
    small = study.personas[study.personas["name"].str.startswith("Small group")]
    assert set(small["description"]) <= {"Too few customers (fewer than 30) to tell what sets them apart."}


def test_a_name_error_in_a_notebook_is_a_short_message_with_the_closest_column():
    """IPython shows an exception's _render_traceback_: the analyst sees the message and "did you mean", not twelve
    frames of library code."""
    from IPython.core.interactiveshell import InteractiveShell

    from cxlib.io import DataError

    frame = cx.io.load().survey_frame()
    with pytest.raises(DataError) as caught:
        cx.segment_table(frame, by="chanel")
    assert "column 'chanel' (did you mean 'channel'?) is not in the data" in str(caught.value)
    shell = InteractiveShell.instance()
    result = shell.run_cell("from cxlib.studies import compute\ncompute('segment_study', {'segment_col': 'plan'})")
    assert type(result.error_in_exec).__name__ == "ParameterError"
    assert result.error_in_exec._render_traceback_() == [
        "\x1b[0;31mParameterError\x1b[0m: segment_study: unknown parameter 'segment_col' (did you mean "
        "'segment_cols'?)"]
    assert caught.value._render_traceback_()[0].startswith("\x1b[0;31mDataError\x1b[0m: column 'chanel' (did you")


@pytest.mark.parametrize("written", [["８", "１０", "３"], ["٨", "١٠", "٣"], ["۸", "۱۰", "۳"]])
def test_digits_typed_in_another_script_are_numbers(tmp_path, written):
    """Fullwidth digits (a Japanese or Chinese input method) and Arabic-Indic or Persian ones were "not a number":
    a quarter of the answers lost and the headline seven points off."""
    frame = survey()
    shown = frame["LTR"].astype(str).tolist()
    for i in range(0, len(shown), 4):
        shown[i] = {"8": written[0], "10": written[1], "3": written[2]}.get(shown[i], shown[i])
    path = write(tmp_path, "s.csv", frame.assign(LTR=shown).to_csv(index=False))
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"]})
    s = frame["LTR"]
    assert study.overall.n == 120 and study.overall.value == pytest.approx(100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert any(i.rule.startswith("digits or a minus sign of another script") for i in data.quality.issues)


def test_several_codes_can_mean_left_and_the_codes_counted_as_stayed_are_said(tmp_path):
    """Churn with a reason code ("Cancelled - Price", "Cancelled - Competitor"): one code alone halved the churn and
    hid a difference between plans; the codes counted as stayed are now named in data quality and the summary."""
    frame = customers()
    rng = np.random.default_rng(11)
    frame["status"] = np.where(frame["left"], rng.choice(["Cancelled - Price", "Cancelled - Competitor"], len(frame)),
                               "Active")
    path = write(tmp_path, "c.csv", frame.drop(columns="left").to_csv(index=False))
    params = {"data_path": str(path), "duration_col": "months", "event_col": "status", "time_unit": "months"}
    both, _ = cx.studies.compute("churn_study", {**params, "event_value": ["Cancelled - Price",
                                                                           "Cancelled - Competitor"]})
    assert both.events == int(frame["left"].sum())
    one, data = cx.studies.compute("churn_study", {**params, "event_value": "cancelled - price"})
    assert one.events == int((frame["status"] == "Cancelled - Price").sum())
    (note,) = [i for i in data.quality.issues if i.column == "status"]
    assert note.rule.startswith("counted as stayed (not in event_value): 'Active' (")
    assert "'Cancelled - Competitor' (" in note.rule
    competitor = int((frame["status"] == "Cancelled - Competitor").sum())
    (stayed,) = [c for c in one.claims() if c.key == "churn.counted_as_stayed"]
    assert f"'Cancelled - Competitor' ({competitor})" in stayed.text()
    assert stayed.numbers == {"customers": len(frame) - one.events}
    assert not [c for c in both.claims() if c.key == "churn.counted_as_stayed"]  # 'Active' alone: nothing to say


def test_a_duration_column_of_dates_is_refused_with_what_to_give(tmp_path):
    from cxlib.io import DataError
    from cxlib.studies import ParameterError

    frame = customers().assign(end_date="2025-03-01", start="2024-01-01")
    path = write(tmp_path, "c.csv", frame.to_csv(index=False))
    with pytest.raises(ParameterError, match=r"duration_col 'end_date' is named as a date; durations are needed"):
        cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "end_date", "event_col": "left",
                                           "time_unit": "days"})
    with pytest.raises(DataError, match=r"'start' holds dates \('2024-01-01'"):
        cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "start", "event_col": "left",
                                           "time_unit": "days"})


def test_the_closed_loop_window_counts_the_day_where_an_answer_was_written(tmp_path):
    """01:30+03:00 on 1 June is 1 June where it was written (31 May in UTC); 00:30+05:00 on 1 July is not in June."""
    rows = ([(f"K{i}", (2, 9)[i % 2], f"2025-06-{10 + i % 10:02d}T14:00:00+02:00") for i in range(20)]
            + [(f"E{i}", 1, "2025-06-01T01:30:00+03:00") for i in range(5)]
            + [(f"F{i}", 1, "2025-07-01T00:30:00+05:00") for i in range(5)])
    frame = pd.DataFrame(rows, columns=["Id", "LTR", "When"]).assign(Text="slow app")
    path = write(tmp_path, "cl.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("closed_loop", {
        "data_path": str(path), "id_col": "Id", "score_col": "LTR", "date_col": "When", "comment_col": "Text",
        "touchpoint_col": None, "segment_col": None, "revenue_col": None, "until": "2025-06-30", "window_days": 30,
        "min_rows": 10})
    called = set(study.callbacks["customer_id"])
    assert {f"E{i}" for i in range(5)} <= called and not any(c.startswith("F") for c in called)



def test_answers_of_one_customer_on_one_day_without_a_time_are_noted_as_ordered_by_row(tmp_path):
    """3 then 9 on one date with no time: the promoter list took the 9 by row order, and nothing said so."""
    rows = ([(f"K{i}", (2, 9)[i % 2], f"2025-06-{10 + i % 10:02d}") for i in range(20)]
            + [(f"D{i}", s, "2025-06-20") for i in range(5) for s in (3, 9)]
            + [(f"S{i}", 9, "2025-06-21") for i in range(5) for _ in range(2)])  # the same score twice: no doubt
    frame = pd.DataFrame(rows, columns=["Id", "LTR", "When"]).assign(Text="slow app")
    path = write(tmp_path, "cl.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("closed_loop", {
        "data_path": str(path), "id_col": "Id", "score_col": "LTR", "date_col": "When", "comment_col": "Text",
        "touchpoint_col": None, "segment_col": None, "revenue_col": None, "window_days": 30, "min_rows": 10})
    assert {f"D{i}" for i in range(5)} <= set(study.promoters["customer_id"])
    (note,) = [i for i in data.quality.issues if i.rule.startswith("answers of one customer at one moment")]
    assert (note.column, note.n_rows, note.rows) == ("When", 10, (21, 22, 23, 24, 25))

@pytest.mark.parametrize("with_id", [False, True])
def test_subtotal_rows_of_a_grouped_export_are_no_answers_nor_segments(tmp_path, with_id):
    """A grouped BI export: "North Total" and "South Total" below each group, "Total" at the end. They were two
    one-answer segments, or answers "without an id", and the total was counted twice."""
    frame = survey().rename(columns={"Seg": "Region"}).replace({"Region": {"A": "North", "B": "South"}})
    frame = frame.sort_values("Region", kind="stable").assign(Id=[f"R{i}" for i in range(len(frame))])
    parts = []
    for region, rows in frame.groupby("Region", sort=True):
        parts += [rows, pd.DataFrame({"Region": [f"{region} Total"], "LTR": [round(rows["LTR"].mean())]})]
    parts.append(pd.DataFrame({"Region": ["Total"], "LTR": [round(frame["LTR"].mean())]}))
    path = write(tmp_path, "pbi.csv", pd.concat(parts).to_csv(index=False))
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Region"], "id_col": "Id" if with_id else None})
    s = frame["LTR"]
    assert study.overall.n == 120 and study.overall.value == pytest.approx(100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert set(study.segments["segment"]) == {"North", "South"}
    excluded = [(i.rule, i.n_rows) for i in data.quality.issues if i.action == "excluded"]
    assert excluded == [("a total, subtotal or summary row (a report's summary), not an answer", 3)]


def test_a_report_footer_below_a_csv_is_left_out_and_noted(tmp_path):
    """Salesforce's "Export Details" CSV ends with a title, a copyright line and "Generated By": a parser error."""
    frame = survey()
    footer = ('\r\n\r\n"NPS Responses Q1-Q4"\r\n"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\r\n'
              '"Confidential Information - Do Not Distribute"\r\n"Generated By:  Jane Analyst  1/5/2026 9:14 AM"\r\n')
    path = write(tmp_path, "sf.csv", frame.to_csv(index=False, lineterminator="\r\n") + footer)
    study, data = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                       "segment_cols": ["Seg"]})
    assert study.overall.n == 120
    assert "a report's footer below the data left out (4 lines, e.g. 'NPS Responses Q1-Q4')" in [
        i.rule for i in data.quality.issues]
    one_column = write(tmp_path, "one.csv", "LTR\n9\n3\n\n7\n")
    assert len(cx.io.read_table(one_column, {"LTR": cx.io.columns.score(0, 10)}).data) == 3


def test_columns_written_as_one_text_are_told_how_to_write_a_list():
    from cxlib.studies import ParameterError

    with pytest.raises(ParameterError, match=r"column 'plan, region' \(for a list of columns write -y "
                                             r"'\{segment_cols: \[plan, region\]\}'\)"):
        resolve_segment_study({"segment_cols": "plan, region"})


def test_a_trait_that_differs_for_every_customer_is_refused():
    """An e-mail column as a trait: no group, and every address printed in the persona cards."""
    from cxlib.io import DataError
    from cxlib.studies.persona_study import _refuse_identifiers

    frame = pd.DataFrame({"email": [f"c{i}@example.com" for i in range(40)], "plan": ["A", "B"] * 20})
    with pytest.raises(DataError, match=r"trait 'email' holds a different value for every customer \(e.g. "
                                        r"'c0@example.com'\): an identifier describes no group"):
        _refuse_identifiers(frame, ["plan", "email"])
    _refuse_identifiers(frame, ["plan"])


def test_comments_no_theme_names_and_cyrillic_comments_still_give_the_lists(tmp_path):
    """No comment naming a theme of the taxonomy was a KeyError; Cyrillic comments were "placeholders"."""
    rng = np.random.default_rng(12)
    n = 60
    words = ["одлична услуга", "спора испорука", "лоша подршка", "све је у реду"]
    frame = pd.DataFrame({"Id": [f"S{i}" for i in range(n)], "LTR": rng.integers(0, 11, n),
                          "When": pd.date_range("2025-06-01", periods=n, freq="11h").strftime("%Y-%m-%d %H:%M"),
                          "Text": [words[i % 4] for i in range(n)]})
    path = write(tmp_path, "sr.csv", frame.to_csv(index=False))
    study, data = cx.studies.compute("closed_loop", {
        "data_path": str(path), "id_col": "Id", "score_col": "LTR", "date_col": "When", "comment_col": "Text",
        "touchpoint_col": None, "segment_col": None, "revenue_col": None, "min_rows": 10})
    assert study.comments == n and not any("placeholder" in i.rule for i in data.quality.issues)
    assert len(study.callbacks) == int((frame.groupby("Id")["LTR"].last() <= 6).sum())
    assert study.detractor_themes.empty
    assert study.no_detractor_themes().text().startswith("Not available: no comment names a theme of the taxonomy")


def test_a_one_to_five_scale_is_not_read_as_nps_and_a_yaml_date_names_a_column(tmp_path):
    """A CSAT column given as score_col was "NPS -100" with exit 0; a YAML file's `score_col: 2025-06-30` named a
    date object, not the column "2025-06-30"."""
    from cxlib.io import DataError

    frame = survey().assign(CSAT=lambda f: f.index % 5 + 1)
    path = write(tmp_path, "s.csv", frame.rename(columns={"LTR": "2025-06-30"}).to_csv(index=False))
    with pytest.raises(DataError, match=r"column 'CSAT' holds answers from 1 to 5 alone \(120 of them"):
        cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "CSAT", "segment_cols": ["Seg"]})
    from cxlib.io.yaml_files import yaml_value

    given = yaml_value("{score_col: 2025-06-30, segment_cols: [Seg]}", "-f")
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), **given})
    assert study.overall.n == 120


def test_unix_times_formulas_and_yaml_mistakes_are_named_for_what_they_are(tmp_path):
    from cxlib.io import DataError, read_table
    from cxlib.io import columns as col
    from cxlib.io.yaml_files import yaml_value

    path = write(tmp_path, "t.csv", "LTR,When\n9,1758162518000\n=AVERAGE(B2:B5),1758162519000\n=B3,1758162519000\n"
                                    "=10-1,1758162519000\n")
    table = read_table(path, {"LTR": col.score(0, 10), "When": col.date(nullable=True)})
    rules = {i.rule: i.n_rows for i in table.quality.issues}
    assert "not a date: numbers like Unix time (seconds or milliseconds since 1970); write dates (YYYY-MM-DD)" in rules
    assert rules["a formula written as text (=AVERAGE(...), =B3), not its value: export the values"] == 3
    with pytest.raises(DataError, match=r"indent with spaces: YAML does not allow tabs"):
        yaml_value("a:\n\tb: 1", "-f")
    with pytest.raises(DataError, match=r"quote a value that holds"):
        yaml_value("score_col: Q1: How likely", "-y")


def test_the_data_quality_table_says_what_to_do_for_dates_of_a_known_shape(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    path = write(tmp_path, "m.csv", "nps,month\n9,Jun-25\n3,May-25\n7,Feb-25\n")
    rules = {"nps": col.score(0, 10), "month": col.date(required=False)}
    frame = read_table(path, rules).quality.to_frame()
    assert frame.loc[frame["column"] == "month", "what_to_do"].tolist() == [
        "dates like Jun-25: set date_format to %b-%y (a month and its year: each date reads as the month's first day)"]
    read = read_table(path, rules, date_format="%b-%y")
    assert read.data["month"].dt.strftime("%Y-%m-%d").tolist() == ["2025-06-01", "2025-05-01", "2025-02-01"]


def test_answers_on_a_0_100_scale_are_named_as_such_not_as_codes():
    from cxlib.io.quality import fix_hint

    rule = "not a whole number from 0 to 10"
    assert fix_hint(rule, ("80", "40", "60", "100")) == (" -> answers up to 100 (e.g. '80'): the column holds a 0-100 "
                                                         "scale, not 0-10; name a column of 0-10 answers")
    assert fix_hint(rule, ("99", "99", "98")).startswith(" -> answers off the scale: check the column, or list codes")


def test_a_covariate_written_as_percentages_is_a_number_of_points_as_lifelines_reads_it(tmp_path):
    """A discount written "10%" was read as four categories against "20%"; it is a number (10), noted."""
    from lifelines import CoxPHFitter

    frame = customers()
    rng = np.random.default_rng(3)
    frame["discount"] = rng.choice([0, 10, 20, 30], len(frame))
    written = frame.assign(discount=frame["discount"].astype(str) + "%")
    path = write(tmp_path, "c.csv", written.to_csv(index=False))
    study, data = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "months",
                                                     "event_col": "left", "time_unit": "months",
                                                     "covariates": ["discount"]})
    peer = CoxPHFitter().fit(frame[["months", "left", "discount"]].astype(float), "months", "left")
    (term,) = study.cox.terms.itertuples()
    assert term.term == "discount"
    assert term.coef == pytest.approx(peer.params_["discount"], rel=1e-6)
    (note,) = [i for i in data.quality.issues if i.column == "discount"]
    assert (note.rule, note.n_rows) == ("percentages read as numbers of points (10% = 10)", len(frame))


def test_a_surveymonkey_other_please_specify_answer_is_the_answer_other_not_a_blank(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    question = "Which plan do you use?"
    rows = [f"{i},{s},{plan},{typed}" for i, (s, plan, typed) in enumerate(
        [(9, "Pro", ""), (2, "Basic", ""), (3, "", "Enterprise"), (7, "", ""), (10, "", "the old one")])]
    path = write(tmp_path, "sm.csv", f"Respondent ID,NPS,{question},\n,Response,Response,Other (please specify)\n"
                 + "\n".join(rows) + "\n")
    table = read_table(path, {"NPS": col.score(0, 10), question: col.category()})
    assert table.data[question].fillna("blank").tolist() == ["Pro", "Basic", "Other", "blank", "Other"]
    (note,) = [i for i in table.quality.issues if i.rule.startswith("answered 'Other (please specify)'")]
    assert (note.column, note.n_rows, note.rows) == (question, 2, (3, 5))


def test_a_canonical_folder_saved_with_windows_names_is_read_and_a_folder_without_tables_says_what_it_holds(tmp_path):
    import shutil

    from cxlib.io import DataError, load
    from cxlib.io.tables import SAMPLE_DIR

    folder = tmp_path / "export"
    folder.mkdir()
    for path in SAMPLE_DIR.iterdir():
        if path.suffix == ".csv":
            shutil.copy(path, folder / (path.stem.title() + ".CSV"))
    data, sample = load(folder), load()
    assert (len(data.customers), len(data.responses)) == (len(sample.customers), len(sample.responses))
    other = tmp_path / "other"
    other.mkdir()
    (other / "klienti.csv").write_text("a\n1\n")
    with pytest.raises(DataError, match=r"holds none of the tables .* \(as \.csv, \.parquet, .*\.dta\); it holds "
                                         r"klienti\.csv: name each file after its table \(customers\.csv\)"):
        load(other)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_column_without_a_name_is_noted_where_it_is_not_a_reason_to_stop(tmp_path, suffix):
    """`Id,,Region,LTR,`: an empty column 2 and remarks in column 5 stopped the study, naming column 2."""
    from cxlib.io import columns as col
    from cxlib.io import read_table

    rows = [[f"R{i}", None, "North" if i % 2 else "South", i % 11, "note" if i % 7 == 0 else None] for i in range(40)]
    frame = pd.DataFrame(rows, columns=["Id", "", "Region", "LTR", " "])
    path = tmp_path / f"blank{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_excel(path, index=False)
    table = read_table(path, {"LTR": col.score(0, 10), "Region": col.category()})
    assert table.data["LTR"].tolist() == [i % 11 for i in range(40)]
    (note,) = [i for i in table.quality.issues if "no name" in i.rule]
    assert note.rule == "column 5 has no name in the header: its values (e.g. 'note') are not read; name the column to use it"
    assert (note.n_rows, note.rows) == (6, (1, 8, 15, 22, 29))


def test_the_header_repeated_where_two_exports_were_joined_is_named_as_such(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    frame = survey()
    text = frame.iloc[:60].to_csv(index=False) + frame.iloc[60:].to_csv(index=False)  # the second keeps its header
    table = read_table(write(tmp_path, "joined.csv", text), {"LTR": col.score(0, 10), "Seg": col.category()})
    assert table.data["LTR"].tolist() == frame["LTR"].tolist()
    assert [(i.rule, i.n_rows, i.rows) for i in table.quality.issues] == [
        ("the header again (exports joined one below the other), not an answer", 1, (61,))]


def test_scores_excel_shows_as_dates_get_a_hint_to_format_them_as_numbers():
    from cxlib.io.quality import fix_hint

    assert fix_hint("not a number", ("1900-01-09 00:00:00", "1900-01-02 00:00:00")) == (
        " -> numbers Excel shows as dates ('1900-01-09 00:00:00' is a small number, such as a score, in a date "
        "format): format the column as Number in Excel, save, and export again")


def test_reasons_given_as_codes_are_shown_as_the_codes_and_words_no_theme_reads_are_said(tmp_path):
    """Three Serbian reason codes were one row "No theme found 157 (100%)", and churn_study had no taxonomy."""
    from cxlib.core.inference import wilson_interval

    frame = customers()
    rng = np.random.default_rng(12)
    codes = ["Firma zatvorena", "Preselili smo se", "Cena"]
    frame["reason"] = np.where(frame["left"], rng.choice(codes, len(frame), p=[0.5, 0.3, 0.2]), None)
    path = write(tmp_path, "c.csv", frame.to_csv(index=False))
    params = {"data_path": str(path), "duration_col": "months", "event_col": "left", "time_unit": "months",
              "reason_col": "reason"}
    study, _ = cx.studies.compute("churn_study", params)
    given = frame["reason"].dropna()
    expected = given.value_counts()
    low, high = wilson_interval(expected.to_numpy(float) / len(given), float(len(given)))
    assert study.reasons["label"].tolist() == expected.index.tolist()
    np.testing.assert_allclose(study.reasons["share"], 100 * expected.to_numpy() / len(given))
    np.testing.assert_allclose(study.reasons[["ci_low", "ci_high"]].to_numpy().T, 100 * np.array([low, high]))
    top = {c.key: c for c in study.claims()}["churn.top_reason"].text()
    assert top.startswith(f"The most frequent reason given for leaving is '{expected.index[0]}': "
                          f"{100 * expected.iloc[0] / len(given):.0f}% of the reasons given")
    words = frame.assign(reason=np.where(frame["left"], [f"we had our own reasons no {i}" for i in range(300)], None))
    path = write(tmp_path, "w.csv", words.to_csv(index=False))
    study, _ = cx.studies.compute("churn_study", {**params, "data_path": str(path), "taxonomy": "tr"})
    assert {c.key: c for c in study.claims()}["churn.no_reason_themes"].text() == (
        "No reason for leaving names a theme of the taxonomy (tr); is taxonomy the reasons' language?")


def test_a_has_left_flag_written_as_statuses_reads_as_yes_and_no_and_other_words_are_still_refused(tmp_path):
    """persona_study and closed_loop have no event_value: "Active"/"Cancelled" stopped them with "recode it"."""
    from cxlib.io import DataError, read_table
    from cxlib.io import columns as col

    path = write(tmp_path, "s.csv", "id,Status\n1,Active\n2,Cancelled\n3,active\n4,CHURNED\n5,\n")
    table = read_table(path, {"Status": col.left_flag()})
    assert table.data["Status"].tolist() == [False, True, False, True, pd.NA]
    (note,) = [i for i in table.quality.issues if i.rule.startswith("statuses read")]
    assert (note.rule, note.n_rows) == ("statuses read as left ('cancelled', 'churned') and stayed ('active')", 4)
    with pytest.raises(DataError, match=r"should be yes/no but holds 3 different codes: 'active'"):
        read_table(path, {"Status": col.flag()})  # a flag that does not say "has left" reads no status
    unsure = write(tmp_path, "u.csv", "id,Status\n1,Active\n2,Cancelled\n3,Paused\n")
    with pytest.raises(DataError, match=r"should be yes/no but holds 3 different codes"):
        read_table(unsure, {"Status": col.left_flag()})


def test_a_column_named_like_a_number_is_that_name_as_typed_after_p(tmp_path):
    """-p score_col 2.10 read the column "2.1"; -p segment_cols 1.1 was refused as a number."""
    from cxlib.reports.cli import resolve_type

    path = write(tmp_path, "q.csv", survey().rename(columns={"LTR": "2.10", "Seg": "1.1"}).to_csv(index=False))
    given = {"data_path": str(path), "score_col": resolve_type("2.10"), "segment_cols": resolve_type("1.1"), "min_n": resolve_type("30"),
             "target_change": resolve_type("2.50")}
    values = cx.studies.REGISTRY["segment_study"].resolve(given).values
    assert (values["score_col"], values["segment_cols"]) == ("2.10", ["1.1"])
    assert values["min_n"] == 30 and values["target_change"] == 2.5


def test_an_alchemer_exports_partial_and_disqualified_responses_are_left_out_and_counted(tmp_path):
    """Partial (12) and Disqualified (8) responses were counted: -50.0 on 120 where the completes give -40.0."""
    from cxlib.io import columns as col
    from cxlib.io import read_table

    rng = np.random.default_rng(13)
    status = ["Complete"] * 100 + ["Partial"] * 12 + ["Disqualified"] * 8
    frame = pd.DataFrame({"Response ID": range(120), "Time Started": "2025-03-01", "Status": status,
                          "LTR": rng.integers(0, 11, 120)})
    rules = {"LTR": col.score(0, 10)}
    table = read_table(write(tmp_path, "a.csv", frame.to_csv(index=False)), rules)
    assert table.data["LTR"].tolist() == frame.loc[frame["Status"] == "Complete", "LTR"].tolist()
    assert [(i.rule, i.n_rows) for i in table.quality.issues] == [
        ("a disqualified (screened-out), deleted or test response", 8),
        ("an unfinished response (keep_unfinished keeps it)", 12)]
    kept = read_table(write(tmp_path, "a.csv", frame.to_csv(index=False)), rules, keep_unfinished=True)
    assert len(kept.data) == 112
    orders = frame.drop(columns=["Response ID", "Time Started"])  # an order table's "Partial" is no survey status
    assert len(read_table(write(tmp_path, "o.csv", orders.to_csv(index=False)), rules).data) == 120


@pytest.mark.parametrize("where", ["first", "last"])
@pytest.mark.parametrize("label", ["Gesamtergebnis", "Total général", "Grand Total", "Totale complessivo"])
def test_a_pivot_tables_grand_total_in_any_language_first_or_last_is_no_answer(tmp_path, label, where):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    frame = survey().assign(Id=[f"R{i}" for i in range(120)])[["Id", "Seg", "LTR"]]
    total = f"{label},,10\n"
    lines = frame.to_csv(index=False).splitlines(keepends=True)
    text = "".join([lines[0], total, *lines[1:]] if where == "first" else [*lines, total])
    table = read_table(write(tmp_path, "p.csv", text), {"LTR": col.score(0, 10), "Seg": col.category()})
    assert table.data["LTR"].tolist() == frame["LTR"].tolist()
    assert [i.rule for i in table.quality.issues] == ["a total, subtotal or summary row (a report's summary), not an "
                                                      "answer"]


def test_two_periods_give_no_change_per_period_and_no_verdict_on_the_target(tmp_path):
    """Two years of answers: "Not one of the 2 segments gains at least 3 NPS points a year" where both rose 30-39
    points; no slope can be fitted on two periods, and the report now says that instead."""
    rng = np.random.default_rng(14)
    frame = pd.DataFrame({"LTR": np.r_[rng.integers(0, 11, 200), rng.integers(4, 11, 200)],
                          "Region": rng.choice(["North", "South"], 400),
                          "Date": ["2025-05-01"] * 200 + ["2026-05-01"] * 200})
    path = write(tmp_path, "t.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                    "segment_cols": ["Region"], "date_col": "Date", "freq": "Y"})
    keys = {c.key: c for c in study.claims()}
    assert "segment.trend_target" not in keys
    assert keys["segment.trend_too_few_periods"].text() == (
        "No change per year is estimated: no segment has answers in 3 or more years (at most 2); section 4 shows "
        "each period's NPS.")
    assert set(study.slopes["verdict"]) == {"too few periods"}


def test_a_number_that_orders_who_leaves_has_no_hazard_ratio_anywhere(tmp_path):
    """Usage = 100 - months and the first 50 months leave: the likelihood has no maximum. results.json carried a
    hazard ratio of 1,462 with a zero-width interval, the chart text "clearly sooner: Usage", the summary a reason
    about "its groups"."""
    months = np.arange(1, 101)
    frame = pd.DataFrame({"id": months, "months": months, "left": months <= 50, "usage": 100 - months,
                          "plan": np.where(months % 2, "A", "B")})
    path = write(tmp_path, "sep.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "months",
                                                  "event_col": "left", "segment_col": "plan", "covariates": ["usage"],
                                                  "time_unit": "months", "revenue_col": None})
    assert study.cox.no_estimate() == ["usage"]
    assert study.cox.terms[["coef", "se", "hazard_ratio", "ci_low", "ci_high", "p_value"]].isna().all(axis=None)
    assert study.cox.ph_check["p_value"].isna().all() and not study.cox.warnings
    text = {c.key: c for c in study.claims()}["churn.cox_clear"].text()
    assert "The model cannot size Usage: it tells apart completely who leaves" in text and "groups" not in text
    chart = cx.plots.hazard_ratios(study.cox.per_step())
    assert chart.alt.endswith("Without an estimate, not drawn: Usage, per 29.") and "sooner to leave: none" in chart.alt


def test_a_sep_that_leaves_the_header_one_column_is_named_as_the_cause(tmp_path):
    from cxlib.studies import ParameterError

    path = write(tmp_path, "c.csv", survey().to_csv(index=False))
    with pytest.raises(ParameterError, match=r"Its columns: 'LTR,Seg,Date'\. The header reads as one column: the "
                                             r"file is separated by ',', not ';': leave sep out"):
        cx.studies.REGISTRY["segment_study"].resolve({"data_path": str(path), "score_col": "LTR", "sep": ";"})


def test_a_dos_cp850_export_reads_as_the_letters_it_holds(tmp_path):
    """Köln, München and Zürich in cp850 read as cp1251 ("K”ln", "MЃnchen"): no candidate could read them."""
    from cxlib.io import columns as col
    from cxlib.io import read_table

    text = "Kunde;Filiale;Bewertung\r\n" + "".join(f"{i};{city};{i % 11}\r\n" for i, city in
                                                 enumerate(["Köln", "München", "Zürich", "Düsseldorf"] * 10))
    (tmp_path / "dos.csv").write_bytes(text.encode("cp850"))
    table = read_table(tmp_path / "dos.csv", {"Filiale": col.category(), "Bewertung": col.score(0, 10)})
    assert set(table.data["Filiale"]) == {"Köln", "München", "Zürich", "Düsseldorf"}
    assert table.source.encoding == "cp850"


def test_a_date_parameter_written_right_but_not_in_the_calendar_says_so():
    from cxlib.studies import ParameterError

    with pytest.raises(ParameterError, match=r"until is written YYYY-MM-DD, but '2025-06-31' is no day of the "
                                             r"calendar \(day is out of range for month\)"):
        cx.studies.REGISTRY["closed_loop"].resolve({"until": "2025-06-31"})


def test_iso_dates_under_another_date_format_are_told_to_leave_it_out():
    from cxlib.io.quality import fix_hint

    assert fix_hint("not a date (DD.MM.YYYY)", ("2025-01-20", "2025-02-03")) == (
        " -> dates written YYYY-MM-DD (e.g. 2025-01-20) read by themselves: leave date_format out")


def test_a_weighted_segment_table_shows_the_effective_n_its_small_n_flag_rests_on(tmp_path):
    """One weight of 50 among 40 answers of segment A: "small n" beside n = 40, with the effective n (3.1) nowhere."""
    frame = survey().assign(W=1.0)
    frame.loc[frame.index[frame["Seg"] == "A"][0], "W"] = 50.0
    path = write(tmp_path, "w.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                    "segment_cols": ["Seg"], "weight_col": "W"})
    rows = study.segment_rows().set_index("segment")
    w = frame.loc[frame["Seg"] == "A", "W"]
    assert rows.loc["A", "n_effective"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert bool(rows.loc["A", "small_n"]) and rows.loc["A", "n"] == len(w)
    plain, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                    "segment_cols": ["Seg"]})
    assert "n_effective" not in plain.segment_rows().columns


def test_a_plan_nobody_in_which_left_leaves_the_other_terms_estimated_as_lifelines_without_it(tmp_path):
    """Gold: nobody left. Its coefficient runs to minus infinity and dragged Pro and age along: every term was
    withheld, with false reasons. The other terms are the limit, which lifelines gives without Gold."""
    from lifelines import CoxPHFitter

    rng = np.random.default_rng(15)
    n = 150
    frame = pd.DataFrame({"id": range(n), "plan": rng.choice(["Basic", "Pro", "Gold"], n, p=[0.5, 0.3, 0.2]),
                          "months": rng.integers(1, 36, n), "age": rng.integers(20, 70, n)})
    frame["left"] = (frame["plan"] != "Gold") & (rng.random(n) < 0.5)
    path = write(tmp_path, "c.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "months",
                                                  "event_col": "left", "segment_col": "plan",
                                                  "covariates": ["plan", "age"], "time_unit": "months",
                                                  "revenue_col": None})
    others = frame[frame["plan"] != "Gold"].assign(pro=lambda f: (f["plan"] == "Pro").astype(float))
    peer = CoxPHFitter().fit(others[["months", "left", "pro", "age"]].astype(float), "months", "left")
    terms = study.cox.terms.set_index("term")
    assert study.cox.no_estimate() == ["plan[Gold]"]
    assert terms.loc["plan[Pro]", "coef"] == pytest.approx(peer.params_["pro"], rel=1e-5)
    assert terms.loc["age", "coef"] == pytest.approx(peer.params_["age"], rel=1e-5)
    assert terms.loc["age", "se"] == pytest.approx(peer.standard_errors_["age"], rel=1e-4)
    medians = study.medians.set_index("segment")
    assert np.isinf(medians.loc["Gold", "median"])  # nobody left: the median is not reached, and the row is there
    text = {c.key: c for c in study.claims()}["churn.cox_clear"].text()
    assert "cannot size Plan: Gold vs Basic:" in text and "Pro" not in text.split("cannot size")[1].split(":")[0]


def test_questionpro_and_limesurvey_unfinished_responses_are_left_out_and_counted(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    rng = np.random.default_rng(16)
    scores = rng.integers(0, 11, 130)
    questionpro = pd.DataFrame({"Response ID": range(130), "Response Status": ["Completed"] * 100 + ["Partial"] * 18
                                + ["Terminated"] * 12, "LTR": scores})
    table = read_table(write(tmp_path, "qp.csv", questionpro.to_csv(index=False)), {"LTR": col.score(0, 10)})
    assert table.data["LTR"].tolist() == scores[:100].tolist()
    assert [(i.column, i.n_rows) for i in table.quality.issues] == [("Response Status", 12), ("Response Status", 18)]
    limesurvey = pd.DataFrame({"id": range(130), "submitdate": ["2025-06-15 10:05:00"] * 105 + [None] * 25,
                               "lastpage": [3] * 105 + [1] * 25, "startlanguage": "en", "Q1": scores})
    table = read_table(write(tmp_path, "ls.csv", limesurvey.to_csv(index=False)), {"Q1": col.score(0, 10)})
    assert table.data["Q1"].tolist() == scores[:105].tolist()
    assert [(i.column, i.rule, i.n_rows) for i in table.quality.issues] == [
        ("submitdate", "an unfinished response (keep_unfinished keeps it)", 25)]


@pytest.mark.parametrize("with_id", [False, True])
def test_german_excel_subtotals_are_no_answers(tmp_path, with_id):
    """Excel's Teilergebnis writes "Nord Ergebnis" below Nord's rows and "Gesamtergebnis" at the end."""
    from cxlib.io import columns as col
    from cxlib.io import read_table

    frame = survey().replace({"Seg": {"A": "Nord", "B": "Süd"}}).sort_values("Seg", kind="stable")
    frame = frame.assign(Id=[f"R{i}" for i in range(len(frame))])[["Id", "Seg", "LTR"]]
    parts = []
    for region, rows in frame.groupby("Seg", sort=True):
        parts += [rows, pd.DataFrame({"Seg": [f"{region} Ergebnis"], "LTR": [10]})]
    parts.append(pd.DataFrame({"Seg": ["Gesamtergebnis"], "LTR": [10]}))
    rules = {"LTR": col.score(0, 10), "Seg": col.category(), **({"Id": col.identifier()} if with_id else {})}
    table = read_table(write(tmp_path, "de.csv", pd.concat(parts).to_csv(index=False, sep=";")), rules)
    assert sorted(table.data["LTR"].tolist()) == sorted(frame["LTR"].tolist())
    assert [(i.rule, i.n_rows) for i in table.quality.issues if i.action == "excluded"] == [
        ("a total, subtotal or summary row (a report's summary), not an answer", 3)]


def test_a_slope_never_fitted_is_not_adjusted_for_and_a_thin_one_is_never_met(tmp_path):
    """North in 4 quarters, South in 2: North's p was Holm-adjusted over 2 and South showed an adjusted p of 1.0 for a
    test never run. A slope on a quarter of 3 answers was "met" in the table and "not judged" in the summary."""
    rng = np.random.default_rng(17)
    rows = [("North", q, rng.integers(0, 11)) for q in ("2025-01-15", "2025-04-15", "2025-07-15", "2025-10-15")
            for _ in range(60)] + [("South", q, rng.integers(0, 11)) for q in ("2025-01-15", "2025-10-15")
                                   for _ in range(60)]
    frame = pd.DataFrame(rows, columns=["Region", "Date", "LTR"])
    path = write(tmp_path, "t.csv", frame.to_csv(index=False))
    params = {"data_path": str(path), "score_col": "LTR", "segment_cols": ["Region"], "date_col": "Date", "freq": "Q"}
    slopes = cx.studies.compute("segment_study", params)[0].slopes.set_index("segment")
    assert slopes.loc["North", "p_adjusted"] == slopes.loc["North", "p_value"]
    assert np.isnan(slopes.loc["South", "p_adjusted"]) and slopes.loc["South", "verdict"] == "too few periods"
    thin = frame[(frame["Region"] == "South") | (frame["Date"] != "2025-07-15")]
    thin = pd.concat([thin, frame[(frame["Region"] == "North") & (frame["Date"] == "2025-07-15")].head(3)])
    path = write(tmp_path, "thin.csv", thin.to_csv(index=False))
    study, _ = cx.studies.compute("segment_study", {**params, "data_path": str(path)})
    assert study.slopes.set_index("segment").loc["North", "verdict"] == "not judged: a period with few answers"
    assert {c.key for c in study.claims()} >= {"segment.trend_thin_periods"}


def test_a_tab_typed_as_backslash_t_is_a_tab_in_the_header_check_too(tmp_path):
    """-p sep '\\t' passed the parameter check, then crashed the header check: '"delimiter" must be a 1-character
    string'."""
    path = write(tmp_path, "s.tsv", survey().to_csv(index=False, sep="\t"))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                    "segment_cols": ["Seg"], "sep": "\\t"})
    assert study.overall.n == 120


def test_lines_quoted_whole_are_named_as_such_not_a_separator_to_set(tmp_path):
    from cxlib.studies import ParameterError

    text = "".join(f'"{line}"\n' for line in survey().to_csv(index=False).splitlines())
    path = write(tmp_path, "q.csv", text)
    for sep in (None, ","):
        with pytest.raises(ParameterError, match=r"each line is enclosed in quotes whole; export again without "
                                                 r"quoting whole lines"):
            cx.studies.REGISTRY["segment_study"].resolve({"data_path": str(path), "score_col": "LTR", "sep": sep})


def test_other_tools_unfinished_words_and_limesurvey_full_headings_are_left_out(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    rng = np.random.default_rng(18)
    scores = rng.integers(0, 11, 125)
    sparrow = pd.DataFrame({"Response ID": range(125), "Status": ["Completed"] * 100 + ["Partially Completed"] * 25,
                            "NPS": scores})
    table = read_table(write(tmp_path, "s.csv", sparrow.to_csv(index=False)), {"NPS": col.score(0, 10)})
    assert table.data["NPS"].tolist() == scores[:100].tolist()
    lime = pd.DataFrame({"Response ID": range(125), "Date submitted": ["2025-06-15"] * 100 + [None] * 25,
                         "Last page": 3, "Start language": "en", "Q1": scores})
    table = read_table(write(tmp_path, "l.csv", lime.to_csv(index=False)), {"Q1": col.score(0, 10)})
    assert table.data["Q1"].tolist() == scores[:100].tolist()


def test_excel_subtotals_made_with_max_are_no_answers(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table

    frame = survey().replace({"Seg": {"A": "North", "B": "South"}}).sort_values("Seg", kind="stable")
    parts = []
    for region, rows in frame.groupby("Seg", sort=True):
        parts += [rows, pd.DataFrame({"Seg": [f"{region} Max"], "LTR": [10]})]
    parts.append(pd.DataFrame({"Seg": ["Grand Max"], "LTR": [10]}))
    table = read_table(write(tmp_path, "m.csv", pd.concat(parts).to_csv(index=False)),
                       {"LTR": col.score(0, 10), "Seg": col.category()})
    assert sorted(table.data["LTR"].tolist()) == sorted(frame["LTR"].tolist())


def test_terms_without_an_estimate_are_no_tests_in_holms_adjustment(tmp_path):
    """Gold and East: nobody left. Pro's adjusted p counted them: 0.21 where the 3 estimable terms give 0.10."""
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(19)
    n = 240
    frame = pd.DataFrame({"months": rng.integers(1, 36, n), "plan": rng.choice(["Basic", "Pro", "Gold"], n),
                          "region": rng.choice(["North", "South", "East"], n), "usage": rng.normal(50, 14, n)})
    frame["left"] = (frame["plan"] != "Gold") & (frame["region"] != "East") & (rng.random(n) < 0.6)
    path = write(tmp_path, "c.csv", frame.to_csv(index=False))
    study, _ = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "months",
                                                  "event_col": "left", "segment_col": None,
                                                  "covariates": ["plan", "region", "usage"], "time_unit": "months",
                                                  "revenue_col": None})
    terms = study.cox.per_step()
    estimable = terms["p_value"].notna()
    assert sorted(terms.loc[~estimable, "term"]) == ["plan[Gold]", "region[East]"]
    np.testing.assert_allclose(terms.loc[estimable, "p_adjusted"],
                               multipletests(terms.loc[estimable, "p_value"], method="holm")[1])
    assert terms.loc[~estimable, "p_adjusted"].isna().all()


def test_a_tab_given_as_a_tab_is_the_separator_not_a_control_character(tmp_path):
    path = write(tmp_path, "s.tsv", survey().to_csv(index=False, sep="\t"))
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "score_col": "LTR",
                                                    "segment_cols": ["Seg"], "sep": "\t"})
    assert study.overall.n == 120


def test_a_typeform_response_never_submitted_is_unfinished_and_an_empty_value_is_named_empty(tmp_path):
    from cxlib.io import columns as col
    from cxlib.io import read_table
    from cxlib.studies import ParameterError

    rng = np.random.default_rng(20)
    scores = rng.integers(0, 11, 130)
    frame = pd.DataFrame({"#": range(130), "LTR": scores, "Start Date (UTC)": "2025-06-15 10:00:00",
                          "Submit Date (UTC)": ["2025-06-15 10:04:00"] * 102 + [None] * 28})
    table = read_table(write(tmp_path, "tf.csv", frame.to_csv(index=False)), {"LTR": col.score(0, 10)})
    assert table.data["LTR"].tolist() == scores[:102].tolist()
    with pytest.raises(ParameterError, match=r"sep is empty: give a value, or None \(in YAML, quote a value that is "
                                             r"a sign such as \| or >: sep: '\|'\)"):
        cx.studies.REGISTRY["segment_study"].resolve({"sep": ""})
