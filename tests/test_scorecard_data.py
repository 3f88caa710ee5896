"""The scorecard on a folder with only what a customer survey export holds: NPS answers and customers."""

import pandas as pd
import pytest

from cxlib import studies
from cxlib.io import DataError, load
from cxlib.metrics.scores import nps


@pytest.fixture
def nps_only(tmp_path):
    data = load()
    data.responses[["response_id", "customer_id", "survey_date", "nps"]].to_csv(tmp_path / "responses.csv",
                                                                               index=False)
    data.customers.assign(churn_date=pd.NaT).to_csv(tmp_path / "customers.csv", index=False)  # nobody has left yet
    return tmp_path


def test_a_folder_with_nps_and_customers_only_gives_the_figures_it_can(nps_only):
    card, data = studies.compute("cx_scorecard", {"data_path": str(nps_only), "goal_filter": {}})
    assert card.overall["metric"].tolist() == ["NPS", "churn % per quarter"]
    responses = load().responses
    assert card.overall.iloc[0]["value"] == pytest.approx(nps(responses, "nps").value, abs=1e-12)
    assert card.overall.iloc[1]["value"] == 0 and len(card.segments) == 0 and card.figures() == []
    keys = [c.key for c in card.claims()]
    assert "scorecard.service" not in keys and keys[0] == "scorecard.overall"
    assert card.answered == {"nps": int(responses["nps"].notna().sum())}


def test_a_scorecard_without_any_nps_answer_says_so(nps_only):
    frame = pd.read_csv(nps_only / "responses.csv").assign(nps=None)
    frame.to_csv(nps_only / "responses.csv", index=False)
    with pytest.raises(DataError, match="no answer has an NPS score"):
        studies.compute("cx_scorecard", {"data_path": str(nps_only), "goal_filter": {}})
