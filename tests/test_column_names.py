"""The Python API matches column names as `cx run` matches a file's header: case, Unicode form, spaces and dashes
do not matter; a name two columns could mean is refused; a typo gets "did you mean"."""

import numpy as np
import pandas as pd
import pytest

import cxlib as cx
from cxlib.drivers.binary import binary_drivers
from cxlib.drivers.key_drivers import key_drivers
from cxlib.feedback.themes import theme_table
from cxlib.io import DataError
from cxlib.io.column_names import column_arguments, match_column
from cxlib.lifecycle.cox import cox
from cxlib.lifecycle.economics import revenue_at_risk
from cxlib.personas.clustering import discover_personas


def _upper(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with every column name written as an export might: Title Case, spaces for underscores."""
    return frame.rename(columns=lambda c: c.replace("_", " ").title())


@pytest.fixture(scope="module")
def sample():
    return cx.io.load()


@pytest.fixture(scope="module")
def frames(sample):
    r = sample.survey_frame()
    return r, _upper(r)


CALLS = {
    "nps": lambda f, n: cx.nps(f, n("nps"), weights=n("weight")),
    "csat": lambda f, n: cx.csat(f, n("csat")),
    "mean_score": lambda f, n: cx.mean_score(f, n("ces"), scale=(1, 7)),
    "compare": lambda f, n: cx.compare(f, n("plan"), "premium", "basic", score=n("nps")),
    "segment_table": lambda f, n: cx.segment_table(f, by=[n("plan"), n("region")], score=n("nps")),
    "paired": lambda f, n: cx.paired(f, n("nps"), id=n("customer_id"), order=n("survey_date")),
    "trend": lambda f, n: cx.trend(f, n("nps"), date=n("survey_date"), by=n("region")).slopes,
    "score_histogram": lambda f, n: cx.score_histogram(f, n("nps"), by=n("plan")).counts,
}


def _numbers(result) -> np.ndarray:
    """The numbers of a result, whatever its type (an Estimate, a table), to compare two calls."""
    if isinstance(result, cx.Estimate):
        return np.array([result.value, result.ci_low, result.ci_high, result.n])
    table = result if isinstance(result, pd.DataFrame) else pd.DataFrame(result)
    return table.select_dtypes("number").to_numpy(dtype=float)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_names_written_in_another_case_give_the_same_numbers(frames, name):
    lower, upper = frames
    same = CALLS[name](lower, lambda c: c)
    other = CALLS[name](upper, lambda c: c.upper())  # "NPS" finds "Nps", "CUSTOMER_ID" finds "Customer Id"
    np.testing.assert_array_equal(_numbers(same), _numbers(other))


def test_tickets_customers_and_loaded_data_match_names_too(sample):
    tickets = _upper(sample.tickets)
    assert cx.fcr(tickets, "contacts").value == cx.fcr(sample.tickets).value
    assert (cx.response_within(tickets, 24, opened="OPENED_AT", first_response="first-response-at").value
            == cx.response_within(sample.tickets, 24).value)
    customers = _upper(sample.customers)
    pd.testing.assert_frame_equal(cx.churn_rate(customers, signup="signup_date", churn="CHURN DATE", by="Plan"),
                                  cx.churn_rate(sample.customers, by="plan").rename(columns={"plan": "Plan"}))
    assert cx.segment_table(sample, by="PLAN")["n"].tolist() == cx.segment_table(sample, by="plan")["n"].tolist()


def test_models_match_names_in_lists_group_members_and_keys_of_mappings(sample):
    r = sample.survey_frame().dropna(subset=["speed", "price_value", "nps"]).head(3000)
    groups = {"CX": ["speed", "ease_of_use"], "Price": ["price_value"]}
    shouted = {"CX": ["SPEED", "Ease of use"], "Price": ["Price-Value"]}
    a = key_drivers(r, "nps", groups=groups, n_boot=20, seed=1)
    b = key_drivers(_upper(r), "NPS", groups=shouted, n_boot=20, seed=1)
    np.testing.assert_allclose(a.group_shares["share"], b.group_shares["share"], rtol=0, atol=1e-12)
    churned = r.assign(left=r["churn_date"].notna())
    pd.testing.assert_frame_equal(binary_drivers(churned, "left", drivers=["speed", "price_value"]).drivers,
                                  binary_drivers(churned, "LEFT", drivers=["Speed", "PRICE_VALUE"]).drivers)
    customers = sample.customers.assign(days=lambda c: (pd.Timestamp("2026-01-01") - c["signup_date"]).dt.days,
                                        left=lambda c: c["churn_date"].notna())
    fit = cox(customers, "days", "left", ["plan"], reference={"plan": "basic"})
    shouted_fit = cox(_upper(customers), "Days", "LEFT", ["Plan"], reference={"PLAN": "basic"})
    np.testing.assert_allclose(fit.terms["hazard_ratio"], shouted_fit.terms["hazard_ratio"], rtol=1e-12)
    risk = revenue_at_risk(customers, "monthly_revenue", duration="days", event="left", by="plan")
    assert revenue_at_risk(_upper(customers), "Monthly Revenue", duration="DAYS", event="Left",
                           by="PLAN")["revenue_at_risk"].tolist() == risk["revenue_at_risk"].tolist()
    model = discover_personas(customers.head(400), ["monthly_revenue", "plan"], k=2, n_boot=2)
    assert discover_personas(_upper(customers.head(400)), ["MONTHLY_REVENUE", "Plan"], k=2,
                             n_boot=2).labels.tolist() == model.labels.tolist()
    comments = sample.responses.head(500)
    assert theme_table(_upper(comments), "COMMENT")["count"].tolist() == theme_table(comments)["count"].tolist()


def test_turkish_dotted_capital_i_and_unicode_forms():
    present = ["İl Bölgesi", "nps"]
    assert match_column("il bölgesi", present) == "İl Bölgesi"
    assert match_column("IL-BÖLGESI", present) == "İl Bölgesi"
    assert match_column("il bo\u0308lgesi", present) == "İl Bölgesi"  # "ö" written as o + combining diaeresis


def test_a_name_two_columns_could_mean_is_refused_and_a_typo_gets_the_closest():
    frame = pd.DataFrame({"Plan": ["a", "b"], "PLAN": ["a", "a"], "nps": [9, 3]})
    with pytest.raises(DataError, match=r"column 'plan' could be any of 'Plan', 'PLAN'.*name one exactly"):
        cx.segment_table(frame, by="plan")
    assert cx.segment_table(frame, by="PLAN")["segment"].tolist() == ["a"]  # an exact name is that column
    with pytest.raises(DataError, match=r"column 'npss' \(did you mean 'nps'\?\) is not in the data"):
        cx.nps(frame, "npss")


def test_a_decorator_naming_a_parameter_the_function_lacks_is_a_programming_error():
    with pytest.raises(TypeError, match=r"f has no parameter \['scor'\]"):
        @column_arguments("scor")
        def f(data, score):
            return score
