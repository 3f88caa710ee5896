"""Social engagement: the ratio estimator's intervals, answered-within-24h shares, and the sample's truth."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import cxlib as cx
from cxlib import sample
from cxlib.io import DataError
from cxlib.metrics.social import channel_comparison, engagement_table, engagement_trend, response_table


def posts(n: int, rate: float, rng, shape: float = 2.0) -> pd.DataFrame:
    impressions = rng.integers(500, 20_000, n)
    engaged = rng.binomial(impressions, np.minimum(rate * rng.gamma(shape, 1 / shape, n), 1))
    likes = rng.binomial(engaged, 0.8)
    return pd.DataFrame({"impressions": impressions, "likes": likes, "shares": engaged - likes, "comments": 0,
                         "channel": "a", "date": pd.Timestamp("2025-01-01")})


def test_engagement_interval_covers_with_overdispersed_posts_where_a_binomial_one_would_not():
    rng = np.random.default_rng(1)
    covered = binomial_covered = 0
    runs = 1000
    for _ in range(runs):
        table = engagement_table(posts(60, 0.03, rng), by=None).iloc[0]
        covered += table["ci_low"] <= 3.0 <= table["ci_high"]
        p, n = table["engagements"] / table["impressions"], table["impressions"]
        half = 196 * np.sqrt(p * (1 - p) / n)
        binomial_covered += 100 * p - half <= 3.0 <= 100 * p + half
    assert 0.92 <= covered / runs <= 0.97
    assert binomial_covered / runs < 0.5  # counting impressions as independent trials is far too confident


def test_engagement_rate_is_the_ratio_of_sums_and_se_matches_the_formula():
    frame = pd.DataFrame({"channel": ["a"] * 3, "impressions": [100, 200, 700], "likes": [5, 4, 21],
                          "shares": [0, 2, 0], "comments": [1, 0, 7], "date": pd.Timestamp("2025-01-01")})
    row = engagement_table(frame).iloc[0]
    e, i = np.array([6.0, 6.0, 28.0]), np.array([100.0, 200.0, 700.0])
    r = e.sum() / i.sum()
    se = np.sqrt(3 / 2 * ((e - r * i) ** 2).sum()) / i.sum()
    assert row["rate"] == pytest.approx(100 * r) and row["se"] == pytest.approx(100 * se)


def test_answered_within_24h_uses_wilson_intervals():
    frame = pd.DataFrame({"channel": ["a", "a", "b"], "inbound_messages": [10, 30, 5],
                          "answered_within_24h": [7, 20, 5], "date": pd.Timestamp("2025-01-01")})
    table = response_table(frame).set_index("channel")
    low, high = proportion_confint(27, 40, method="wilson")
    assert table.loc["a", "share"] == pytest.approx(67.5)
    assert (table.loc["a", "ci_low"], table.loc["a", "ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert table.loc["b", "small_n"]
    with pytest.raises(DataError, match="social table column 'inbound_messages' is not in the data; its 3 columns"):
        response_table(frame.drop(columns="inbound_messages"))


def test_sample_social_table_recovers_the_designed_channels():
    generated = sample.generate(n_customers=20_000, seed=11)
    social = generated.social
    engagement = engagement_table(social).set_index("channel")
    truth = generated.truth.social_engagement.groupby("channel")["engagement_rate"].mean()  # flat post volume
    for channel, rate in truth.items():
        assert engagement.loc[channel, "ci_low"] <= 100 * rate <= engagement.loc[channel, "ci_high"], channel
    answered = response_table(social).set_index("channel")
    for channel, share in generated.truth.social_answered.items():
        assert answered.loc[channel, "ci_low"] <= 100 * share <= answered.loc[channel, "ci_high"], channel
    trends = engagement_trend(social).set_index("channel")
    mix = sum(s * f for s, f in sample.SOCIAL_POST_TYPES.values())
    assert trends.loc["tiktok", "ci_low"] <= 100 * 0.003 * mix <= trends.loc["tiktok", "ci_high"]
    assert trends.loc["facebook", "ci_low"] <= 0 <= trends.loc["facebook", "ci_high"]
    comparison = channel_comparison(social).set_index("channel")
    assert comparison.loc["tiktok", "significant"] and comparison.loc["tiktok", "difference"] > 0


def test_social_rows_that_break_the_rules_are_excluded_and_counted(tmp_path):
    frame = cx.io.load().social.head(20).copy()
    frame.loc[3, "answered_within_24h"] = frame.loc[3, "inbound_messages"] + 2
    frame.loc[5, "impressions"] = -1
    path = tmp_path / "social.csv"
    frame.to_csv(path, index=False)
    table = cx.io.read_table(path, "social")
    issues = {i.rule: i.n_rows for i in table.quality.issues}
    assert issues["answered_within_24h more than inbound_messages"] == 1
    assert len(table.data) == 18
