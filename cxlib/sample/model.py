"""The structural model of the bundled sample (module :mod:`cxlib.sample`): its constants, the true parameters
(:class:`Truth`) and the closed forms they follow from (group Shapley shares of the latent model, the NPS of a
normal mixture).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.lazy import lazy_module
from ..formatting.result_view import ResultView
from ..io.nps_groups import GROUP_RANGES

__all__ = ["AGE_BANDS", "AS_OF", "CANCELLATION_COMMENT_RATE", "CANCELLATION_SURVEY_RATE",
           "CANCELLATION_THEME_PROBABILITIES", "CHANNELS", "COMMENT_RATE", "COMMENT_THEMES", "COMPETITORS",
           "CONTACTS", "CUSTOMER_NOISE_VAR", "CUSTOMER_SHARE_OF_DRIVERS", "DAYS_PER_YEAR", "DEFAULT_SEED",
           "DRIVERS", "DRIVER_GROUPS", "DRIVER_MEANS", "DRIVER_SD", "DRIVER_WEIGHTS",
           "FIRST_RESPONSE_MEDIAN_HOURS", "FIRST_RESPONSE_SIGMA", "HAZARD_RATIOS", "LATENT_R2",
           "LOYALTY_MEAN", "LOYALTY_SD", "N_MONTHS", "PLANS", "PLAN_SHIFT", "PRE_WINDOW_SHARE", "REGIONS",
           "REGION_SHIFT", "REVENUE_MEDIAN", "REVENUE_SIGMA", "SOCIAL_CHANNELS", "SOCIAL_NOISE_SHAPE",
           "SOCIAL_POSTS_PER_DAY", "SOCIAL_POST_TYPES", "SOCIAL_STREAM", "SOCIAL_TREND", "SURVEY_RATE",
           "TENURED_DAYS", "THEME_PROBABILITIES", "TICKET_CATEGORIES", "TICKET_CHANNELS", "TICKET_RATE",
           "TOUCHPOINTS", "TOUCHPOINT_SHIFT", "TREND_POINTS_PER_QUARTER", "TREND_REGION", "UNRESOLVED_RATE",
           "WEIBULL_SCALE", "WEIBULL_SHAPE", "WINDOW_START", "Truth", "driver_correlation",
           "group_shapley_shares", "nps_of_normal_mixture", "optimize", "survey_mix", "trend_shifts"]

optimize = lazy_module("scipy.optimize")
stats = lazy_module("scipy.stats")


DEFAULT_SEED = 2024
WINDOW_START = pd.Timestamp("2024-01-01")
N_MONTHS = 24
AS_OF = WINDOW_START + pd.DateOffset(months=N_MONTHS) - pd.Timedelta(days=1)  # 2025-12-31
DAYS_PER_YEAR = 365.25

DRIVERS = ("speed", "ease_of_use", "knowledgeable_help", "friendly_service", "price_value", "brand_image")
DRIVER_GROUPS = {
    "CX": ["speed", "ease_of_use", "knowledgeable_help", "friendly_service"],
    "Price": ["price_value"],
    "Brand": ["brand_image"],
}
# Weights of the standardized driver perceptions in the latent loyalty index.
DRIVER_WEIGHTS = np.array([0.30, 0.30, 0.25, 0.20, 0.31, 0.157])
DRIVER_MEANS = np.array([6.6, 7.0, 7.2, 7.6, 6.2, 7.0])
DRIVER_SD = 1.9
CUSTOMER_SHARE_OF_DRIVERS = 0.15  # share of driver-perception variance that is a stable customer trait

LOYALTY_MEAN = 8.1
LOYALTY_SD = 2.1  # total SD of y* within a segment
LATENT_R2 = 0.55  # share of within-segment y* variance explained by the drivers
CUSTOMER_NOISE_VAR = 0.3  # variance of u_i (stable customer effect not explained by drivers)

PLANS = {"basic": 0.50, "standard": 0.35, "premium": 0.15}
REGIONS = {"North": 0.30, "South": 0.25, "East": 0.25, "West": 0.20}
CHANNELS = {"online": 0.50, "retail": 0.30, "partner": 0.20}
AGE_BANDS = {"18-24": 0.12, "25-34": 0.22, "35-44": 0.22, "45-54": 0.20, "55-64": 0.14, "65+": 0.10}
TOUCHPOINTS = {"purchase": 0.22, "website": 0.30, "service_call": 0.26, "sales_call": 0.22}

PLAN_SHIFT = {"basic": -0.25, "standard": 0.0, "premium": 0.35}
REGION_SHIFT = {"North": 0.0, "South": -0.45, "East": 0.10, "West": 0.0}
TOUCHPOINT_SHIFT = {"purchase": 0.25, "website": 0.0, "service_call": -0.45, "sales_call": 0.10,
                    "cancellation": -2.2}
TREND_REGION = "North"
TREND_POINTS_PER_QUARTER = 3.0
TENURED_DAYS = 365

REVENUE_MEDIAN = {"basic": 25.0, "standard": 55.0, "premium": 140.0}
REVENUE_SIGMA = 0.35
SURVEY_RATE = {"basic": 0.21, "standard": 0.25, "premium": 0.31}  # surveys per active month
TICKET_RATE = 0.185  # tickets per active month
CANCELLATION_SURVEY_RATE = 0.35
PRE_WINDOW_SHARE = 0.6  # customers who signed up before the window (and were active at its start)

WEIBULL_SHAPE = 0.8
WEIBULL_SCALE = 0.13  # cumulative baseline hazard = scale * (tenure in years) ** shape
HAZARD_RATIOS = {
    "plan[basic]": 1.3, "plan[premium]": 0.7,            # against standard
    "nps_group[detractor]": 2.5, "nps_group[passive]": 1.5,  # against promoter; unsurveyed = passive
    "bad_service": 1.6,                                 # any bad ticket so far
    "price_doubling": 1.3,                              # per doubling of revenue against the plan median
}

TICKET_CHANNELS = {"phone": 0.35, "email": 0.30, "chat": 0.25, "social": 0.10}
FIRST_RESPONSE_MEDIAN_HOURS = {"phone": 5.0, "email": 30.0, "chat": 1.5, "social": 8.0}
FIRST_RESPONSE_SIGMA = 1.3
TICKET_CATEGORIES = {"technical": 0.35, "billing": 0.20, "account": 0.15, "product_question": 0.20,
                     "complaint": 0.10}
CONTACTS = {1: 0.70, 2: 0.17, 3: 0.08, 4: 0.03, 5: 0.02}
UNRESOLVED_RATE = 0.04

COMPETITORS = {  # true NPS in quarter q = base + slope * q; n surveyed a quarter
    "industry": (30.0, 0.0, 1000),
    "CompetitorA": (34.0, 0.5, 600),
    "CompetitorB": (22.0, 0.0, 600),
}

SOCIAL_CHANNELS = {  # true engagement rate (engagements / impressions) and share of messages answered in 24 h
    "facebook": (0.020, 0.80), "instagram": (0.045, 0.75), "linkedin": (0.030, 0.85), "x": (0.015, 0.60),
    "tiktok": (0.060, 0.50),
}
SOCIAL_POST_TYPES = {"image": (0.40, 1.0), "video": (0.25, 1.4), "text": (0.20, 0.6), "link": (0.15, 0.7)}
SOCIAL_TREND = {"tiktok": 0.003}  # engagement rate gained per quarter
SOCIAL_POSTS_PER_DAY = 0.8
SOCIAL_NOISE_SHAPE = 4.0  # gamma shape of the post-to-post variation of the rate
SOCIAL_STREAM = 7  # the social table's random stream: default_rng((seed, 7))

COMMENT_THEMES = {
    "technical_problem": [
        "The app keeps crashing when I open my account page",
        "Login does not work since the last update",
        "Very slow website, pages take forever to load",
        "Error message every time I try to pay online",
        "The router disconnects several times a day",
        "Sync between the app and the website is broken",
    ],
    "feature_request": [
        "Would love a dark mode in the app",
        "Please add an export to Excel for my invoices",
        "It would be great if I could schedule deliveries",
        "Missing a family plan option",
        "I wish there was an option to pause my subscription",
    ],
    "pricing": [
        "Too expensive compared to other providers",
        "The price went up again, not worth it",
        "Cheaper offers elsewhere for the same service",
        "Good service but the monthly fee is too high",
    ],
    "billing": [
        "I was charged twice this month",
        "My invoice is wrong and nobody fixes it",
        "Refund still not received after three weeks",
        "Unexpected fee on my bill",
    ],
    "praise": [
        "Great service, the agent was very friendly",
        "Fast and easy, thank you!",
        "Excellent support, problem solved in minutes",
        "Love the product, keep up the good work",
        "Very helpful and knowledgeable staff",
        "The café-style onboarding session was a delight",
    ],
    "incident": [
        "Total outage for two days, completely unacceptable",
        "Service down again, I lost a full day of work",
        "Data breach email scared me, what happened?",
        "Everything stopped working during the outage",
    ],
    "sales_lead": [
        "We are a team of 50, can someone contact me about a business plan?",
        "Interested in upgrading to premium, please call me",
        "Do you offer discounts for schools? We want to buy for 200 students",
    ],
    "user_generated_content": [
        "I posted a video of my setup on Instagram, check it out",
        "Wrote a review on my blog about your service",
        "Shared my experience on TikTok, people loved it",
    ],
    "other": [
        "ok",
        "No comment",
        "Nothing to add",
        "Fine",
    ],
}
# Theme probabilities of a comment by NPS group (columns in COMMENT_THEMES order).
THEME_PROBABILITIES = {
    "detractor": [0.32, 0.08, 0.20, 0.15, 0.02, 0.10, 0.02, 0.00, 0.11],
    "passive":   [0.15, 0.28, 0.15, 0.05, 0.15, 0.02, 0.05, 0.03, 0.12],
    "promoter":  [0.04, 0.18, 0.02, 0.01, 0.50, 0.00, 0.08, 0.07, 0.10],
}
CANCELLATION_THEME_PROBABILITIES = [0.22, 0.15, 0.38, 0.13, 0.00, 0.07, 0.00, 0.00, 0.05]
COMMENT_RATE = 0.6
CANCELLATION_COMMENT_RATE = 0.85


def driver_correlation() -> np.ndarray:
    """Correlation of the six standardized driver perceptions (order of ``DRIVERS``)."""
    r = np.eye(6)
    cx = range(4)
    for i, j in itertools.permutations(cx, 2):
        r[i, j] = 0.55
    r[0, 1] = r[1, 0] = 0.50
    r[2, 3] = r[3, 2] = 0.60
    for i in cx:
        r[i, 4] = r[4, i] = 0.30
        r[i, 5] = r[5, i] = 0.35
    r[4, 5] = r[5, 4] = 0.25
    return r


def group_shapley_shares(beta: np.ndarray, corr: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Shares of R^2 of each group (as one player) for ``y = beta'z + noise``, ``z ~ N(0, corr)``.

    Subset R^2 follow from the covariance: ``R2_S = c_S' R_SS^-1 c_S / var(y)`` with
    ``c = R beta``; the Shapley value averages a group's marginal R^2 over orderings
    (Lindeman, Merenda & Gold 1980). Only the shares (which do not depend on the noise)
    are returned. Brute force over the few groups here.
    """
    cov_zy = corr @ beta

    def explained(idx: list[int]) -> float:
        if not idx:
            return 0.0
        return float(cov_zy[idx] @ np.linalg.solve(corr[np.ix_(idx, idx)], cov_zy[idx]))

    k = len(groups)
    values = np.zeros(k)
    for i in range(k):
        others = [j for j in range(k) if j != i]
        for size in range(k):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                members = [x for j in subset for x in groups[j]]
                values[i] += weight * (explained(members + groups[i]) - explained(members))
    return values / values.sum()


def nps_of_normal_mixture(means: np.ndarray, weights: np.ndarray, sd: float) -> float:
    """NPS (points) of ``clip(round(y), 0, 10)`` when ``y`` is a mixture of normals.

    Promoters answer 9-10 (``y >= 8.5``), detractors 0-6 (``y < 6.5``).
    """
    promoters = stats.norm.sf((GROUP_RANGES["promoter"][0] - 0.5 - means) / sd)
    detractors = stats.norm.cdf((GROUP_RANGES["detractor"][1] + 0.5 - means) / sd)
    return float(100 * np.sum(weights * (promoters - detractors)))


def survey_mix() -> tuple[np.ndarray, np.ndarray]:
    """Latent means and weights of the (plan x touchpoint) cells of routine surveys, North region."""
    plan_weight = {p: PLANS[p] * SURVEY_RATE[p] for p in PLANS}
    total = sum(plan_weight.values())
    means, weights = [], []
    for plan, touchpoint in itertools.product(PLANS, TOUCHPOINTS):
        means.append(LOYALTY_MEAN + PLAN_SHIFT[plan] + REGION_SHIFT[TREND_REGION] + TOUCHPOINT_SHIFT[touchpoint])
        weights.append(plan_weight[plan] / total * TOUCHPOINTS[touchpoint])
    return np.array(means), np.array(weights)


def trend_shifts() -> np.ndarray:
    """Latent shift per quarter that raises the tenured-North NPS by exactly 3 points a quarter."""
    means, weights = survey_mix()
    base = nps_of_normal_mixture(means, weights, LOYALTY_SD)
    shifts = [0.0]
    for q in range(1, N_MONTHS // 3):
        target = base + TREND_POINTS_PER_QUARTER * q
        shifts.append(optimize.brentq(
            lambda s, t=target: nps_of_normal_mixture(means + s, weights, LOYALTY_SD) - t, 0.0, 5.0,
            xtol=1e-12))
    return np.array(shifts)


@dataclass(frozen=True, repr=False)
class Truth(ResultView):
    """The true parameters behind a generated sample (see data/README.md).

    ``group_shares`` are the group Shapley shares of R^2 of the latent linear model; the
    analysis of the observed, rounded scores converges to values within about one
    percentage point of them. ``tenured_north_nps`` is the true NPS of routine surveys
    of tenured North customers per quarter at the design's plan and touchpoint mix.
    """

    driver_weights: dict[str, float]
    driver_correlation: pd.DataFrame
    group_shares: dict[str, float]
    latent_r2: float
    hazard_ratios: dict[str, float]
    weibull_shape: float
    weibull_scale: float
    trend_points_per_quarter: float
    tenured_north_nps: tuple[float, ...]
    competitor_nps: pd.DataFrame
    comment_themes: pd.Series = field(repr=False)
    social_engagement: pd.DataFrame = field(repr=False, default=None)
    social_answered: dict = field(repr=False, default=None)
