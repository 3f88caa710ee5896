"""Persona sentences that hold: separating traits found, names that describe most members, stability and structure
in words that their numbers support."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib import studies
from cxlib.personas.clustering import (
    PersonaModel,
    discover_personas,
    encode_traits,
    persona_names,
    profile_personas,
)
from cxlib.studies.persona_study import PersonaStudy


def _profile(frame: pd.DataFrame, labels: np.ndarray, traits: list[str]):
    model = PersonaModel(int(labels.max()) + 1, labels, pd.DataFrame({"k": [2], "silhouette": [0.5], "inertia": [1.0]}),
                         {"mean": 0.9, "ci_low": 0.8, "ci_high": 1.0}, encode_traits(frame, traits))
    return profile_personas(frame, model)


def test_a_perfectly_separating_trait_is_the_most_distinguishing():
    """A 0/1 trait at 0% in one persona and 100% in the other, and a number constant at different values, were
    'effect 0.00, not distinguishing'; they are the clearest contrasts, with a difference of proportions and its test."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], [120, 80])
    frame = pd.DataFrame({"senior": np.where(labels == 0, 0, 1), "seats": np.where(labels == 0, 5.0, 7.0),
                          "age": rng.normal(40, 10, 200)})
    table, contrasts = _profile(frame, labels, ["senior", "seats", "age"])
    first = contrasts[1].set_index("trait")
    assert first.loc["senior", "kind"] == "binary"
    assert (first.loc["senior", "in_persona"], first.loc["senior", "elsewhere"]) == (0.0, 100.0)
    assert first.loc["senior", "effect"] == pytest.approx(-np.pi)  # Cohen's h from 0% to 100%
    z = 1.0 / np.sqrt(0.4 * 0.6 * (1 / 120 + 1 / 80))  # the pooled two-proportion z-test
    assert first.loc["senior", "p_value"] == pytest.approx(2 * stats.norm.sf(z))
    assert first.loc["senior", "distinguishing"] and first.loc["seats", "distinguishing"]
    assert first.loc["seats", "kind"] == "binary" and first.loc["seats", "level"] == "7"
    assert first.loc["seats", "effect"] == pytest.approx(-np.pi)
    assert set(contrasts[1]["trait"].iloc[:2]) == {"senior", "seats"}
    assert not first.loc["age", "distinguishing"]
    # named by the value most members hold, as written: a 0/1 column may be a flag or a gender (no "no gender")
    assert table.loc[0, "name"] == "Senior 0, seats 5" and table.loc[1, "name"] == "Senior 1, seats 7"
    assert table.loc[0, "description"].startswith("Senior 0: 100% of them (against 0% of the others); seats 5: 100% "
                                                  "of them (against 0% of the others)")


def test_names_describe_most_members_and_mostly_means_more_than_half():
    traits = pd.DataFrame([{"trait": "plan", "level": "basic", "effect": 0.9, "in_persona": 59.0, "elsewhere": 20.0,
                            "kind": "categorical", "name_levels": ["basic", "standard"], "coverage": 100.0,
                            "distinguishing": True},
                           {"trait": "region", "level": "north", "effect": 0.5, "in_persona": 45.0,
                            "elsewhere": 20.0, "kind": "categorical", "name_levels": ["north", "south", "east"],
                            "coverage": 80.0, "distinguishing": True}])
    name, description = persona_names(traits)
    assert name == "Basic or standard plan, north or south or east region"
    assert description == ("Mostly plan basic (59% of them against 20% of the others); region north (45% of them "
                           "against 20% of the others).")
    rng = np.random.default_rng(2)
    labels = np.repeat([0, 1], [100, 100])
    plan = np.concatenate([np.where(np.arange(100) < 59, "basic", "standard"), rng.choice(["premium", "basic"], 100,
                                                                                           p=[0.8, 0.2])])
    _, contrasts = _profile(pd.DataFrame({"plan": plan}), labels, ["plan"])
    row = contrasts[1].set_index("trait").loc["plan"]
    assert row["name_levels"] == ["basic", "standard"] and row["coverage"] == pytest.approx(100.0)


def _study(stability: dict, silhouette: float) -> PersonaStudy:
    personas = pd.DataFrame({"persona": [1, 2], "name": ["A", "B"], "description": ["a", "b"], "share": [60.0, 40.0],
                             "size": [600, 400], "nps": [None, None], "churn_rate": [None, None]})
    model = PersonaModel(2, np.array([0, 1]), pd.DataFrame({"k": [2], "silhouette": [silhouette], "inertia": [1.0]}),
                         stability, encode_traits(pd.DataFrame({"x": [1.0, 2.0]}), ["x"]))
    return PersonaStudy(model, personas, {})


@pytest.mark.parametrize("low, mean, verdict", [(0.01, 0.62, "unstable"), (0.8, 0.9, "stable"),
                                                (0.65, 0.8, "moderately stable"), (0.3, 0.7, "not stable")])
def test_stability_in_words_its_interval_supports(low, mean, verdict):
    claims = {c.key: c for c in _study({"mean": mean, "ci_low": low, "ci_high": 1.0}, 0.5).claims()}
    text = claims["persona.stability"].text()
    assert text.split("). The groups are ")[1].startswith(verdict)
    assert "persona.no_clear_groups" not in claims


def test_weak_structure_is_said_to_be_a_convenient_split():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"a": rng.normal(size=600), "b": rng.normal(size=600)})  # one round cloud: no groups
    model = discover_personas(frame, ["a", "b"], k_range=(2, 4), seed=1, n_boot=3)
    assert model.criterion["silhouette"].max() < 0.4
    claims = {c.key: c for c in _study({"mean": 0.9, "ci_low": 0.8, "ci_high": 1.0}, 0.21).claims()}
    assert "no clear groups" in claims["persona.no_clear_groups"].text()
    assert claims["persona.no_clear_groups"].numbers["best_silhouette"] == 0.21


def test_a_persona_of_a_few_customers_is_named_small_and_ranks_nothing(tmp_path):
    """Two outliers are no "typical customers", and their 1 of 2 leaving is not "leave most often"."""
    rng = np.random.default_rng(13)
    n = 300
    frame = pd.DataFrame({"id": range(n), "onset": rng.normal(50, 10, n), "age": rng.normal(40, 8, n),
                          "left": rng.random(n) < 0.3})
    frame.loc[[0, 1], ["onset", "left"]] = [[360.0, True], [355.0, False]]
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    result, _ = studies.compute("persona_study", {"data_path": str(path), "trait_cols": ["onset", "age"], "k": 3,
                                                  "score_col": None, "csat_col": None, "churn_col": "left",
                                                  "revenue_col": None, "id_col": "id", "n_boot": 5})
    small = result.personas[result.personas["size"] < 30]
    assert len(small) == 1 and small["size"].iloc[0] == 2 and small["name"].iloc[0] != "Typical customers"
    (churn,) = [c for c in result.claims() if c.key.startswith("persona.churn")]
    assert churn.text().startswith("Among the personas of 30 or more customers, ")
    assert small["name"].iloc[0] not in churn.text()


def test_k_at_the_top_of_its_range_is_not_called_chosen():
    stability = {"mean": 0.9, "ci_low": 0.8, "ci_high": 1.0}
    study = _study(stability, 0.5)
    rising = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.29, 0.37, 0.41], "inertia": [3.0, 2.0, 1.0]})
    model = PersonaModel(4, study.model.labels, rising, stability, study.model.encoding)
    text = PersonaStudy(model, study.personas, {}).claims()[0].text()
    assert "4 personas (the largest number considered; the separation still grew there" in text


def test_a_column_name_with_its_unit_in_brackets_is_shown_as_words():
    from cxlib.formatting import labels

    assert labels.name("time_elapsed_between_onset_and_diagnosis_(months)") == (
        "Time elapsed between onset and diagnosis (months)")
    assert labels.name("Tenure (months)") == "Tenure (months)"


def test_the_trait_table_writes_means_as_numbers_and_shares_as_percentages():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"age": np.r_[rng.normal(30, 3, 100), rng.normal(60, 3, 100)],
                          "app_user": np.r_[np.ones(100), np.zeros(100)]})
    labels = np.r_[np.zeros(100, int), np.ones(100, int)]
    personas, contrasts = _profile(frame, labels, ["age", "app_user"])
    study = PersonaStudy(PersonaModel(2, labels, pd.DataFrame(), {"mean": 0.9, "ci_low": 0.8, "ci_high": 1.0},
                                      encode_traits(frame, ["age", "app_user"])), personas, contrasts)
    table = study.trait_table(1).set_index("trait")
    assert table.loc["app_user", "in_persona"] == "100.0%" and table.loc["app_user", "elsewhere"] == "0.0%"
    assert table.loc["age", "in_persona"] == f"{frame['age'][:100].mean():,.1f}"
    assert "name_levels" not in table.columns


def test_cohens_d_divides_by_the_pooled_standard_deviation():
    """Unequal groups: d = (m1 - m2) / sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2)) (Cohen 1988, 2.5.2)."""
    rng = np.random.default_rng(8)
    labels = np.repeat([0, 1], [40, 160])
    frame = pd.DataFrame({"gtv": np.r_[rng.normal(20, 3, 40), rng.normal(10, 9, 160)]})
    _, contrasts = _profile(frame, labels, ["gtv"])
    a, b = frame["gtv"][:40], frame["gtv"][40:]
    pooled = np.sqrt((39 * a.var() + 159 * b.var()) / 198)
    assert contrasts[1].set_index("trait").loc["gtv", "effect"] == pytest.approx((a.mean() - b.mean()) / pooled)
