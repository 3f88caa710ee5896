"""Theme tagging: a hand-labelled set, typos and accents, Turkish, counting, and taxonomy errors."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlib import sample
from cxlib.feedback.themes import (
    UNTAGGED,
    load_taxonomy,
    normalize,
    placeholder_comments,
    tag_themes,
    theme_table,
)
from cxlib.io import DataError

# Written for this test (not taken from the sample's templates); the themes a reader would assign.
LABELLED = [
    ("Your app crashed three times today", {"technical_problem"}),
    ("I can't log in to my account anymore", {"technical_problem"}),
    ("The website is down and I cannot pay, total outage", {"technical_problem", "incident"}),
    ("Error 500 when I open the billing page", {"technical_problem"}),
    ("Bluetooth keeps disconnecting from the device", {"technical_problem"}),
    ("Checkout page freezes on my phone", {"technical_problem"}),
    ("It would be great to have a widget for the home screen", {"feature_request"}),
    ("Please add Apple Pay", {"feature_request"}),
    ("I wish there was a yearly plan", {"feature_request"}),
    ("Would like an option to share my account with family", {"feature_request"}),
    ("Way too expensive for what you get", {"pricing"}),
    ("Your competitor is cheaper", {"pricing"}),
    ("Price increase again? Not worth it anymore", {"pricing"}),
    ("Monthly fee is far too high", {"pricing"}),
    ("You charged me twice for May", {"billing"}),
    ("Still waiting for my refund", {"billing"}),
    ("There is an unexpected fee on my bill", {"billing"}),
    ("My invoice is wrong again", {"billing"}),
    ("Thank you, the agent was super helpful", {"praise"}),
    ("Excellent service as always", {"praise"}),
    ("I love this product", {"praise"}),
    ("Great support, very friendly", {"praise"}),
    ("Your data breach is unacceptable", {"incident"}),
    ("Service down for the whole city since this morning", {"incident"}),
    ("Another outage, second one this week", {"incident"}),
    ("Can someone call me about a quote for 30 licences?", {"sales_lead"}),
    ("We are interested in upgrading the whole team", {"sales_lead"}),
    ("Do you have a volume discount for 500 seats?", {"sales_lead"}),
    ("I made a YouTube video about your app", {"user_generated_content"}),
    ("Posted my review on my blog yesterday", {"user_generated_content"}),
    ("Check out my TikTok, I unboxed your box", {"user_generated_content"}),
    ("ok", set()),
    ("Nothing to say", set()),
    ("Delivered on Tuesday", set()),
    ("I moved to another city", set()),
    ("n/a please", set()),
]


def test_precision_and_recall_on_a_hand_labelled_set():
    taxonomy = load_taxonomy("en")
    comments = pd.Series([text for text, _ in LABELLED])
    flags = tag_themes(comments.rename("comment").to_frame(), taxonomy=taxonomy)
    true_positive = false_positive = false_negative = 0
    for i, (_, truth) in enumerate(LABELLED):
        found = {t for t in taxonomy.names if flags.loc[i, t]}
        true_positive += len(found & truth)
        false_positive += len(found - truth)
        false_negative += len(truth - found)
        assert bool(flags.loc[i, UNTAGGED]) == (not found)
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_typos_case_and_accents_are_tolerated():
    flags = tag_themes(pd.DataFrame({"comment": ["TOO EXPNSIVE", "refnud please", "Thé app keeps crashng",
                                                 "teh website is vey slow, pages take forever"]}))
    assert flags.loc[0, "pricing"] and flags.loc[1, "billing"] and flags.loc[2, "technical_problem"]
    assert flags.loc[3, "technical_problem"]
    assert not flags.loc[0, "billing"]
    assert normalize("İade ÇOK geç, ÖDEME") == "iade cok gec odeme"


def test_turkish_taxonomy_shows_the_format_carries_other_languages():
    comments = pd.DataFrame({"comment": ["Fiyatlar çok PAHALI", "Uygulama sürekli çöküyor", "Fatura iki kez kesildi",
                                         "Harika hizmet, teşekkürler", "Kesinti yüzünden bütün gün hizmet yok",
                                         "merhaba"]})
    flags = tag_themes(comments, taxonomy="tr")
    assert flags.loc[0, "pricing"] and flags.loc[1, "technical_problem"] and flags.loc[2, "billing"]
    assert flags.loc[3, "praise"] and flags.loc[4, "incident"] and flags.loc[5, UNTAGGED]


def test_untagged_counted_blank_not_eligible_and_wilson_intervals():
    data = pd.DataFrame({"comment": ["too expensive"] * 12 + ["fine"] * 8 + [None, "  "], "g": ["a"] * 22})
    table = theme_table(data, by="g").set_index("theme")
    assert table.loc["pricing", "comments"] == 20  # blank and missing comments are not counted
    assert table.loc["pricing", "count"] == 12 and table.loc[UNTAGGED, "count"] == 8
    low, high = proportion_confint(12, 20, method="wilson")
    assert table.loc["pricing", "ci_low"] == pytest.approx(100 * low, abs=1e-10)
    assert table.loc["pricing", "ci_high"] == pytest.approx(100 * high, abs=1e-10)
    assert table.index[-1] == UNTAGGED and table.index[0] == "pricing"


def test_the_sample_comments_are_tagged_as_generated():
    generated = sample.generate(n_customers=1500, seed=3)
    responses, truth = generated.responses, generated.truth.comment_themes.to_numpy()
    flags = tag_themes(responses)
    has = (responses["comment"].fillna("").str.strip().ne("") & ~placeholder_comments(responses["comment"])).to_numpy()
    for theme in [*load_taxonomy().names, UNTAGGED]:
        expected = (truth == (theme if theme != UNTAGGED else "other")) & has
        found = flags[theme].fillna(False).to_numpy(dtype=bool)
        recall = (expected & found).sum() / expected.sum() if expected.sum() else 1.0
        precision = (expected & found).sum() / found.sum() if found.sum() else 1.0
        assert recall >= 0.95 and precision >= 0.9, (theme, precision, recall)


@pytest.mark.parametrize("text, message", [
    ("themes: {}", "needs a 'themes' mapping"),
    ("themes:\n  a:\n    keyword: [x]", "unknown keys"),
    ("themes:\n  a:\n    patterns: ['(']", "invalid pattern"),
    ("themes:\n  a:\n    label: A", "neither keywords nor patterns"),
])
def test_taxonomy_errors_are_clear(tmp_path, text, message):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        load_taxonomy(path)
    with pytest.raises(DataError, match="no shipped taxonomy 'xx'"):
        load_taxonomy("xx")


def test_tagging_is_per_distinct_comment_and_keeps_the_index():
    data = pd.DataFrame({"comment": np.repeat(["charged twice", "ok"], 1000)}, index=np.arange(5, 2005))
    flags = tag_themes(data)
    assert flags.index.equals(data.index)
    assert flags["billing"].sum() == 1000 and flags[UNTAGGED].sum() == 1000


@pytest.mark.parametrize("language, common", [
    ("tr", "çok ve bir bu da de ile için ama gibi daha en çok iyi değil var yok ben sen o biz siz onlar ne"),
    ("en", "very and a the is it of to in for but as more most not there no i you he we they what"),
])
def test_no_keyword_matches_the_languages_most_common_words(language, common):
    """With case and accents ignored, a keyword's stem can fall on an everyday word ("çök*", crash, is "çok",
    very): then every comment with it gets the theme."""
    taxonomy = load_taxonomy(language)
    flags = tag_themes(pd.DataFrame({"c": common.split()}), "c", taxonomy)
    assert not flags[taxonomy.names].any().any(), flags[taxonomy.names].any()[lambda s: s].index.tolist()


def test_a_placeholder_is_no_comment_and_is_not_counted_in_the_shares():
    taxonomy = load_taxonomy("en")
    flags = tag_themes(pd.DataFrame({"c": ["No comment", "N/A", "-", "Yorum yok", "nema komentara", "Great support",
                                           "ok", None]}), "c", taxonomy)
    assert flags[UNTAGGED].notna().tolist() == [False] * 5 + [True, True, False]
