"""Seeded sample data with known truth.

The bundled sample (``data/sample``) is generated here from a documented structural
model, so tests can check that every analysis recovers what was put in. The same seed
gives byte-identical files. ``data/README.md`` states the model; :class:`Truth` holds
its true parameters for tests.

The model, in brief (all effects are on customers active in 2024-01-01 .. 2025-12-31,
simulated month by month):

* **Loyalty.** Each survey response has a latent likelihood-to-recommend
  ``y* = mu0 + plan + region + touchpoint + trend + S * beta'z + u_i + e``
  where ``z ~ N(0, R)`` are six standardized driver perceptions (30% of their variance
  is a stable customer component, 70% varies by occasion), ``u_i`` a customer effect and
  ``e`` occasion noise. The recorded NPS answer is ``clip(round(y*), 0, 10)`` and the
  driver ratings are ``clip(round(mean + 1.9 z), 1, 10)``. With ``beta`` and ``R``
  below, the CX drivers hold 66% of the explained variance, price 20% and brand 14%
  (group Shapley values of the latent linear model).
* **Trend.** Tenured customers (12 months or more at the survey date) in the North
  region gain 3 NPS points a quarter; every other segment is flat.
* **Churn.** A Weibull hazard in tenure (shape 0.8) multiplied by
  ``exp(eta)``, ``eta`` depending on plan, price paid against the plan median, the NPS
  group of the customer's most recent survey and whether any ticket so far went badly
  (first response over 48 hours, unresolved, or three or more contacts).
* **Tickets.** First-response times lognormal by channel, contacts to resolve with
  70% resolved at the first contact, 4% never resolved.
* **Comments.** Free text drawn from theme templates with probabilities that depend
  on the NPS group, with mixed case, typos and empty comments.
* **Social.** Posts per channel and day with impressions, and engagements (likes,
  shares, comments) at a true rate per channel and post type with post-to-post noise;
  TikTok's rate rises 0.3 points a quarter. Inbound messages answered within 24 hours
  at a true share per channel. Drawn from a random stream of its own, so adding the
  table changed none of the others.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .core.lazy import lazy_module
from .formatting.result_view import ResultView
from .io.nps_groups import GROUP_RANGES, score_groups
from .io.tables import SAMPLE_DIR

optimize = lazy_module("scipy.optimize")
stats = lazy_module("scipy.stats")

__all__ = ["DEFAULT_SEED", "SampleData", "Truth", "default_path", "generate", "write"]

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


def _driver_correlation() -> np.ndarray:
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


def _group_shapley_shares(beta: np.ndarray, corr: np.ndarray, groups: list[list[int]]) -> np.ndarray:
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


def _nps_of_normal_mixture(means: np.ndarray, weights: np.ndarray, sd: float) -> float:
    """NPS (points) of ``clip(round(y), 0, 10)`` when ``y`` is a mixture of normals.

    Promoters answer 9-10 (``y >= 8.5``), detractors 0-6 (``y < 6.5``).
    """
    promoters = stats.norm.sf((GROUP_RANGES["promoter"][0] - 0.5 - means) / sd)
    detractors = stats.norm.cdf((GROUP_RANGES["detractor"][1] + 0.5 - means) / sd)
    return float(100 * np.sum(weights * (promoters - detractors)))


def _survey_mix() -> tuple[np.ndarray, np.ndarray]:
    """Latent means and weights of the (plan x touchpoint) cells of routine surveys, North region."""
    plan_weight = {p: PLANS[p] * SURVEY_RATE[p] for p in PLANS}
    total = sum(plan_weight.values())
    means, weights = [], []
    for plan, touchpoint in itertools.product(PLANS, TOUCHPOINTS):
        means.append(LOYALTY_MEAN + PLAN_SHIFT[plan] + REGION_SHIFT[TREND_REGION] + TOUCHPOINT_SHIFT[touchpoint])
        weights.append(plan_weight[plan] / total * TOUCHPOINTS[touchpoint])
    return np.array(means), np.array(weights)


def _trend_shifts() -> np.ndarray:
    """Latent shift per quarter that raises the tenured-North NPS by exactly 3 points a quarter."""
    means, weights = _survey_mix()
    base = _nps_of_normal_mixture(means, weights, LOYALTY_SD)
    shifts = [0.0]
    for q in range(1, N_MONTHS // 3):
        target = base + TREND_POINTS_PER_QUARTER * q
        shifts.append(optimize.brentq(
            lambda s, t=target: _nps_of_normal_mixture(means + s, weights, LOYALTY_SD) - t, 0.0, 5.0,
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


@dataclass(frozen=True, repr=False)
class SampleData(ResultView):
    """The canonical tables of a generated sample and the truth behind them."""

    customers: pd.DataFrame
    responses: pd.DataFrame
    tickets: pd.DataFrame
    competitor_nps: pd.DataFrame
    social: pd.DataFrame
    truth: Truth = field(repr=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"customers": self.customers, "responses": self.responses, "tickets": self.tickets,
                "competitor_nps": self.competitor_nps, "social": self.social}


def _lookup(mapping: dict, keys: np.ndarray) -> np.ndarray:
    """The mapping's value for each key (works on empty arrays, unlike np.vectorize)."""
    return pd.Series(keys, dtype=object).map(mapping).to_numpy(dtype=float)


def _choice(rng: np.random.Generator, options: dict, size: int) -> np.ndarray:
    keys = np.array(list(options))
    return keys[rng.choice(len(keys), size=size, p=np.array(list(options.values())))]


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _weibull_cumhaz(years: np.ndarray) -> np.ndarray:
    return WEIBULL_SCALE * np.power(np.maximum(years, 0.0), WEIBULL_SHAPE)


def _weibull_inverse(cumhaz: np.ndarray) -> np.ndarray:
    return np.power(cumhaz / WEIBULL_SCALE, 1.0 / WEIBULL_SHAPE)


def _nps_group(scores: np.ndarray) -> np.ndarray:
    """0 detractor, 1 passive, 2 promoter."""
    return pd.Series(score_groups(scores)).map({"detractor": 0, "passive": 1, "promoter": 2}).to_numpy(dtype=int)


def _comment_variants(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every template in six spellings: as written, lower, UPPER, a swap typo, a dropped letter, lower+typo.

    Returns the flat array of spellings and the index of each template's first one.
    """
    def swap(text: str) -> str:
        i = int(rng.integers(1, max(2, len(text) - 2)))
        return text[:i - 1] + text[i] + text[i - 1] + text[i + 1:] if len(text) > 3 else text

    def drop(text: str) -> str:
        i = int(rng.integers(1, max(2, len(text) - 1)))
        return text[:i] + text[i + 1:] if len(text) > 3 else text

    variants = []
    for templates in COMMENT_THEMES.values():
        for template in templates:
            variants += [template, template.lower(), template.upper(), swap(template), drop(template),
                         swap(template.lower())]
    return np.array(variants, dtype=object), np.arange(len(variants) // 6) * 6


def _comments(rng: np.random.Generator, probabilities: np.ndarray, present: np.ndarray,
              variants: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Draw a comment (and its theme) per row; ``probabilities`` is rows x themes."""
    texts, first = variants
    theme_names = np.array(list(COMMENT_THEMES))
    cumulative = probabilities.cumsum(axis=1)
    theme_idx = (rng.random(len(present))[:, None] > cumulative).sum(axis=1)
    theme_idx = np.minimum(theme_idx, len(theme_names) - 1)
    theme = theme_names[theme_idx]
    # a template of that theme, then a spelling
    counts = np.array([len(v) for v in COMMENT_THEMES.values()])
    offsets = np.concatenate([[0], counts.cumsum()[:-1]])
    template = offsets[theme_idx] + (rng.random(len(present)) * counts[theme_idx]).astype(int)
    spelling = rng.choice(6, size=len(present), p=[0.45, 0.20, 0.05, 0.15, 0.10, 0.05])
    comment = texts[first[template] + spelling]
    comment = np.where(present, comment, "")
    theme = np.where(present, theme, "")
    return comment, theme


def generate(n_customers: int = 5000, seed: int = DEFAULT_SEED) -> SampleData:
    """Generate the canonical tables from the structural model.

    Parameters
    ----------
    n_customers : int
        Customers in the window (about four survey responses and three tickets each).
    seed : int
        Seed of the only random generator used; the same seed gives the same tables.

    Examples
    --------
    >>> s = generate(n_customers=200, seed=1)
    >>> sorted(s.tables())
    ['competitor_nps', 'customers', 'responses', 'social', 'tickets']
    >>> round(s.truth.group_shares["CX"], 3)
    0.66
    """
    if n_customers < 1:
        raise ValueError(f"n_customers must be at least 1, got {n_customers}")
    rng = np.random.default_rng(seed)
    n = n_customers
    corr = _driver_correlation()
    chol = np.linalg.cholesky(corr)
    explained_var = LATENT_R2 * LOYALTY_SD**2
    driver_scale = math.sqrt(explained_var / float(DRIVER_WEIGHTS @ corr @ DRIVER_WEIGHTS))
    occasion_noise_sd = math.sqrt(LOYALTY_SD**2 - explained_var - CUSTOMER_NOISE_VAR)
    trend = _trend_shifts()
    variants = _comment_variants(rng)

    # --- customers -----------------------------------------------------------------------
    pre = rng.random(n) < PRE_WINDOW_SHARE
    pre_start = pd.Timestamp("2019-01-01")
    pre_days = (WINDOW_START - pre_start).days
    window_days = (AS_OF - WINDOW_START).days + 1
    signup_offset = np.where(pre, -rng.integers(1, pre_days + 1, size=n), rng.integers(0, window_days, size=n))
    signup_day = signup_offset.astype(float)  # days since WINDOW_START
    plan = _choice(rng, PLANS, n)
    region = _choice(rng, REGIONS, n)
    channel = _choice(rng, CHANNELS, n)
    age_band = _choice(rng, AGE_BANDS, n)
    plan_median = _lookup(REVENUE_MEDIAN, plan)
    revenue = np.round(plan_median * np.exp(rng.normal(0.0, REVENUE_SIGMA, n)), 2)
    customer_z = rng.standard_normal((n, 6)) @ chol.T
    customer_u = rng.normal(0.0, math.sqrt(CUSTOMER_NOISE_VAR), n)
    survey_rate = _lookup(SURVEY_RATE, plan)

    log_hr = (np.log(HAZARD_RATIOS["plan[basic]"]) * (plan == "basic")
              + np.log(HAZARD_RATIOS["plan[premium]"]) * (plan == "premium")
              + np.log(HAZARD_RATIOS["price_doubling"]) * np.log2(revenue / plan_median))
    group_log_hr = np.log([HAZARD_RATIOS["nps_group[detractor]"], HAZARD_RATIOS["nps_group[passive]"], 1.0])

    last_group = np.full(n, 1)  # unsurveyed customers carry the passive hazard
    bad_service = np.zeros(n, dtype=bool)
    churn_day = np.full(n, np.nan)

    population = _Population(signup_day, plan, region, customer_z, customer_u, chol, driver_scale,
                             occasion_noise_sd, trend)
    surveys, tickets = [], []
    month_starts = [WINDOW_START + pd.DateOffset(months=m) for m in range(N_MONTHS + 1)]
    for m in range(N_MONTHS):
        start = float((month_starts[m] - WINDOW_START).days)
        end = float((month_starts[m + 1] - WINDOW_START).days)
        active = np.flatnonzero((signup_day < end) & np.isnan(churn_day))
        t0 = np.maximum(signup_day[active], start)
        # churn this month, from the state at the start of the month
        eta = log_hr[active] + group_log_hr[last_group[active]] + np.log(HAZARD_RATIOS["bad_service"]) * bad_service[active]
        a0 = (t0 - signup_day[active]) / DAYS_PER_YEAR
        exit_years = _weibull_inverse(_weibull_cumhaz(a0) + rng.exponential(1.0, len(active)) * np.exp(-eta))
        exit_day = signup_day[active] + exit_years * DAYS_PER_YEAR
        churns = exit_day < end
        churn_day[active[churns]] = np.floor(exit_day[churns])
        exposure = np.maximum(np.where(churns, np.floor(exit_day), end) - t0, 0.0)

        # routine surveys and tickets in the active part of the month
        survey_who, survey_when = _events(rng, active, t0, exposure, survey_rate[active])
        ticket_who, ticket_when = _events(rng, active, t0, exposure, TICKET_RATE)
        survey = _loyalty_scores(rng, population, survey_who, survey_when, m, None)
        ticket = _ticket_rows(rng, ticket_who, ticket_when)
        surveys.append(survey)
        tickets.append(ticket)
        # state for next month: the latest survey's NPS group, any bad ticket
        order = np.argsort(survey_when, kind="stable")
        last_group[survey_who[order]] = _nps_group(np.clip(np.round(survey["loyalty"][order]), 0, 10))
        bad_service[ticket_who[ticket["bad"]]] = True

    # cancellation surveys at churn
    churned = np.flatnonzero(~np.isnan(churn_day))
    responds = churned[rng.random(len(churned)) < CANCELLATION_SURVEY_RATE]
    when = churn_day[responds]
    month_of = np.searchsorted([(ms - WINDOW_START).days for ms in month_starts], when, side="right") - 1
    surveys.append(_loyalty_scores(rng, population, responds, when, month_of, "cancellation"))

    responses = _assemble_responses(rng, _stack(surveys), survey_rate, variants)
    customers = pd.DataFrame({
        "customer_id": _ids("C", n, max(6, len(str(n)))),
        "signup_date": _dates(signup_day),
        "churn_date": _dates(churn_day),
        "plan": plan, "region": region, "channel": channel, "age_band": age_band,
        "monthly_revenue": revenue,
    })
    responses.insert(1, "customer_id", customers["customer_id"].to_numpy()[responses.pop("_customer")])
    tickets = _assemble_tickets(_stack(tickets), customers["customer_id"].to_numpy())
    competitor = _competitor_nps(rng)

    truth = Truth(
        driver_weights=dict(zip(DRIVERS, DRIVER_WEIGHTS.tolist(), strict=True)),
        driver_correlation=pd.DataFrame(corr, index=list(DRIVERS), columns=list(DRIVERS)),
        group_shares=dict(zip(DRIVER_GROUPS, _group_shapley_shares(
            DRIVER_WEIGHTS, corr, [[DRIVERS.index(d) for d in g] for g in DRIVER_GROUPS.values()]).tolist(),
            strict=True)),
        latent_r2=LATENT_R2,
        hazard_ratios=dict(HAZARD_RATIOS),
        weibull_shape=WEIBULL_SHAPE,
        weibull_scale=WEIBULL_SCALE,
        trend_points_per_quarter=TREND_POINTS_PER_QUARTER,
        tenured_north_nps=tuple(
            _nps_of_normal_mixture(_survey_mix()[0] + s, _survey_mix()[1], LOYALTY_SD) for s in trend),
        competitor_nps=pd.DataFrame(
            [(_quarter_label(q), name, base + slope * q) for name, (base, slope, _) in COMPETITORS.items()
             for q in range(N_MONTHS // 3)], columns=["period", "competitor", "nps"]),
        comment_themes=pd.Series(responses.pop("_theme").to_numpy(), index=responses["response_id"],
                                 name="theme"),
        social_engagement=_social_truth(),
        social_answered={channel: answered for channel, (_, answered) in SOCIAL_CHANNELS.items()},
    )
    social = _social(np.random.default_rng((seed, SOCIAL_STREAM)), n_customers / 5000)
    return SampleData(customers, responses, tickets, competitor, social, truth)


@dataclass(frozen=True)
class _Population:
    """Customer traits and model constants that every month's survey responses draw on."""

    signup_day: np.ndarray
    plan: np.ndarray
    region: np.ndarray
    customer_z: np.ndarray
    customer_u: np.ndarray
    chol: np.ndarray
    driver_scale: float
    occasion_noise_sd: float
    trend: np.ndarray


def _events(rng, active: np.ndarray, t0: np.ndarray, exposure: np.ndarray, rate) -> tuple[np.ndarray, np.ndarray]:
    """Poisson events (``rate`` a month) in each active customer's exposure: who and when (day)."""
    k = rng.poisson(rate * exposure / 30.44)
    return np.repeat(active, k), np.repeat(t0, k) + rng.random(k.sum()) * np.repeat(exposure, k)


def _stack(parts: list[dict]) -> dict:
    """Concatenate per-month dicts of arrays, then order the rows by (when, who)."""
    stacked = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((stacked["who"], stacked["when"]))
    return {key: value[order] for key, value in stacked.items()}


def _loyalty_scores(rng, pop: _Population, who, when, month, touchpoint) -> dict:
    """Latent driver perceptions and loyalty of each survey response (see the module docstring)."""
    k = len(who)
    if touchpoint is None:
        tp = _choice(rng, TOUCHPOINTS, k)
    else:
        tp = np.full(k, touchpoint)
    occasion = rng.standard_normal((k, 6)) @ pop.chol.T
    z = (math.sqrt(CUSTOMER_SHARE_OF_DRIVERS) * pop.customer_z[who]
         + math.sqrt(1 - CUSTOMER_SHARE_OF_DRIVERS) * occasion)
    tenure_days = when - pop.signup_day[who]
    quarter = np.asarray(month) // 3
    tenured_trend = (pop.region[who] == TREND_REGION) & (tenure_days >= TENURED_DAYS)
    loyalty = (LOYALTY_MEAN
               + _lookup(PLAN_SHIFT, pop.plan[who]) + _lookup(REGION_SHIFT, pop.region[who])
               + _lookup(TOUCHPOINT_SHIFT, tp)
               + np.where(tenured_trend, pop.trend[quarter], 0.0)
               + pop.driver_scale * (z @ DRIVER_WEIGHTS) + pop.customer_u[who]
               + rng.normal(0.0, pop.occasion_noise_sd, k))
    return {"who": who, "when": when, "touchpoint": tp, "z": z, "loyalty": loyalty, "tenure_days": tenure_days}


def _ticket_rows(rng, who, opened_day) -> dict:
    """Channel, category, first-response and resolution times and contacts of each ticket."""
    k = len(opened_day)
    channel = _choice(rng, TICKET_CHANNELS, k)
    median = _lookup(FIRST_RESPONSE_MEDIAN_HOURS, channel)
    first_hours = median * np.exp(rng.normal(0.0, FIRST_RESPONSE_SIGMA, k))
    contacts = rng.choice(np.array(list(CONTACTS)), size=k, p=np.array(list(CONTACTS.values())))
    resolve_hours = first_hours + 6.0 * contacts**1.3 * np.exp(rng.normal(0.0, 1.0, k))
    unresolved = rng.random(k) < UNRESOLVED_RATE
    bad = (first_hours > 48) | unresolved | (contacts >= 3)
    return {"who": who, "when": opened_day, "channel": channel, "category": _choice(rng, TICKET_CATEGORIES, k),
            "first_hours": first_hours,
            "resolve_hours": resolve_hours, "contacts": contacts, "unresolved": unresolved, "bad": bad}


def _rating(z: np.ndarray, mean: float) -> np.ndarray:
    return np.clip(np.round(mean + DRIVER_SD * z), 1, 10)


def _assemble_responses(rng, surveys: dict, survey_rate, variants) -> pd.DataFrame:
    who, when, tp, z = surveys["who"], surveys["when"], surveys["touchpoint"], surveys["z"]
    loyalty, tenure = surveys["loyalty"], surveys["tenure_days"]
    k = len(who)

    nps = np.clip(np.round(loyalty), 0, 10)
    std_loyalty = (loyalty - LOYALTY_MEAN) / LOYALTY_SD
    csat_latent = 0.8 * std_loyalty + 0.6 * rng.standard_normal(k)
    csat = 1 + np.searchsorted([-1.9, -1.3, -0.674, 0.25], csat_latent)
    ces_latent = 0.55 * z[:, 1] + 0.35 * z[:, 0] + 0.3 * std_loyalty + 0.6 * rng.standard_normal(k)
    ces = 1 + np.searchsorted([-2.0, -1.5, -0.95, -0.5, 0.3, 1.0], ces_latent)
    ces_asked = np.where(np.isin(tp, ["service_call", "website"]), 0.9, 0.2)
    stage = np.select(
        [tp == "purchase", tp == "website", tp == "service_call", tp == "sales_call", tp == "cancellation"],
        [np.where(tenure < 90, "onboarding", "renewal"), "usage", "support",
         np.where(tenure < 90, "onboarding", "renewal"), "exit"], default="usage")

    def asked(values: np.ndarray, rate) -> pd.Series:
        """Answers of the respondents asked (and answering) the question; missing otherwise."""
        keep = rng.random(k) < rate
        return pd.Series(values.astype(int), dtype="Int64").where(keep)

    frame = {
        "response_id": _ids("R", k, max(7, len(str(k)))),
        "_customer": who,
        "survey_date": _dates(when),
        "touchpoint": tp,
        "journey_stage": stage,
        "nps": asked(nps, 0.97),
        "csat": asked(csat, 0.75),
        "ces": asked(ces, ces_asked),
    }
    module = rng.random(k) < 0.85
    for j, name in enumerate(DRIVERS):
        frame[name] = asked(_rating(z[:, j], DRIVER_MEANS[j]), np.where(module, 0.98, 0.0))

    cancellation = tp == "cancellation"
    groups = _nps_group(nps)
    probabilities = np.array([THEME_PROBABILITIES[g] for g in ("detractor", "passive", "promoter")])[groups]
    probabilities[cancellation] = CANCELLATION_THEME_PROBABILITIES
    present = rng.random(k) < np.where(cancellation, CANCELLATION_COMMENT_RATE, COMMENT_RATE)
    frame["comment"], frame["_theme"] = _comments(rng, probabilities, present, variants)
    # design weights undo the plan's effect on response rates (premium customers answer more)
    weight = 1.0 / survey_rate[who]
    frame["weight"] = np.round(weight / weight.mean(), 4)
    return pd.DataFrame(frame)


def _assemble_tickets(cols: dict, customer_ids) -> pd.DataFrame:
    who, when = cols["who"], cols["when"]
    k = len(who)
    opened = np.floor(when * 24 * 60) / (24 * 60)  # to the minute
    horizon = float((AS_OF - WINDOW_START).days + 1)
    first = opened + np.round(cols["first_hours"] * 60) / (24 * 60)
    resolved = opened + np.round(cols["resolve_hours"] * 60) / (24 * 60)
    first = np.where(first < horizon, first, np.nan)
    resolved = np.where((resolved < horizon) & ~cols["unresolved"], resolved, np.nan)
    return pd.DataFrame({
        "ticket_id": _ids("T", k, max(7, len(str(k)))),
        "customer_id": customer_ids[who],
        "channel": cols["channel"],
        "category": cols["category"],
        "opened_at": _timestamps(opened),
        "first_response_at": _timestamps(first),
        "resolved_at": _timestamps(resolved),
        "contacts": pd.Series(cols["contacts"], dtype="Int64").where(~np.isnan(resolved)),
    })


def _quarter_label(q: int) -> str:
    return f"{WINDOW_START.year + q // 4}Q{q % 4 + 1}"


def _competitor_nps(rng) -> pd.DataFrame:
    """Observed competitor and industry NPS per quarter: multinomial draws around the true NPS."""
    rows = []
    for q in range(N_MONTHS // 3):
        for name, (base, slope, n) in COMPETITORS.items():
            true_nps = (base + slope * q) / 100
            detractors = 0.25
            promoters = detractors + true_nps
            counts = rng.multinomial(n, [promoters, 1 - promoters - detractors, detractors])
            rows.append((_quarter_label(q), name, round(100 * (counts[0] - counts[2]) / n, 1), n))
    return pd.DataFrame(rows, columns=["period", "competitor", "nps", "n"])


def _social_truth() -> pd.DataFrame:
    """True engagement rate per channel and quarter at the design's post-type mix."""
    mix = sum(share * factor for share, factor in SOCIAL_POST_TYPES.values())
    return pd.DataFrame([(channel, _quarter_label(q), (rate + SOCIAL_TREND.get(channel, 0.0) * q) * mix)
                         for channel, (rate, _) in SOCIAL_CHANNELS.items() for q in range(N_MONTHS // 3)],
                        columns=["channel", "period", "engagement_rate"])


def _social(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Posts per channel and day with impressions, engagements and inbound messages (module docstring)."""
    days = (AS_OF - WINDOW_START).days + 1
    channels = np.array(list(SOCIAL_CHANNELS))
    posts = rng.poisson(SOCIAL_POSTS_PER_DAY * scale, (days, len(channels)))
    day = np.repeat(np.tile(np.arange(days), (len(channels), 1)).T.ravel(), posts.ravel())
    channel = np.repeat(np.tile(channels, days), posts.ravel())
    n = len(day)
    kinds = np.array(list(SOCIAL_POST_TYPES))
    kind = kinds[rng.choice(len(kinds), n, p=[share for share, _ in SOCIAL_POST_TYPES.values()])]
    quarter = np.searchsorted([(WINDOW_START + pd.DateOffset(months=3 * q) - WINDOW_START).days
                               for q in range(N_MONTHS // 3)], day, side="right") - 1
    base = _lookup({c: r for c, (r, _) in SOCIAL_CHANNELS.items()}, channel)
    trend = _lookup({c: SOCIAL_TREND.get(c, 0.0) for c in SOCIAL_CHANNELS}, channel)
    rate = (base + trend * quarter) * _lookup(
        {k: f for k, (_, f) in SOCIAL_POST_TYPES.items()}, kind)
    rate = rate * rng.gamma(SOCIAL_NOISE_SHAPE, 1 / SOCIAL_NOISE_SHAPE, n)
    impressions = np.round(rng.lognormal(np.log(4000), 0.8, n)).astype(int) + 50
    engaged = rng.binomial(impressions, np.minimum(rate, 1.0))
    likes = rng.binomial(engaged, 0.80)  # engagements split 80 / 12 / 8 into likes, shares, comments
    rest = engaged - likes
    shares = rng.binomial(rest, 0.6)
    messages = rng.poisson(1.5 * impressions / 4000)
    answered = rng.binomial(messages, _lookup({c: a for c, (_, a) in SOCIAL_CHANNELS.items()}, channel))
    hours = np.where(messages > 0, np.round(rng.lognormal(np.log(6.0), 1.0, n), 1), np.nan)
    frame = pd.DataFrame({"post_id": _ids("P", n, max(6, len(str(n)))), "date": _dates(day.astype(float)),
                          "channel": channel, "post_type": kind, "impressions": impressions, "likes": likes,
                          "shares": shares, "comments": rest - shares, "inbound_messages": messages,
                          "answered_within_24h": answered, "median_response_hours": hours})
    return frame


def _dates(days: np.ndarray) -> pd.Series:
    return pd.Series(WINDOW_START + pd.to_timedelta(np.floor(days), unit="D")).dt.strftime("%Y-%m-%d")


def _timestamps(days: np.ndarray) -> pd.Series:
    stamps = WINDOW_START + pd.to_timedelta(np.round(days * 24 * 60), unit="min")
    return pd.Series(stamps).dt.strftime("%Y-%m-%d %H:%M")


def write(sample: SampleData, folder: str | Path, file_format: str = "csv") -> list[Path]:
    """Write the canonical tables to ``folder`` (CSV or Parquet); returns the paths.

    CSV files are written with ``\\n`` line ends and fixed float formats, so the same
    sample gives byte-identical files. Files are written beside their final name and
    renamed into place, so an interrupted run leaves no half-written table.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in sample.tables().items():
        path = folder / f"{name}.{file_format}"
        tmp = path.with_name(f".{path.name}.tmp")
        if file_format == "csv":
            table.to_csv(tmp, index=False, lineterminator="\n")
        elif file_format == "parquet":
            table.to_parquet(tmp, index=False)
        else:
            raise ValueError(f"file_format must be 'csv' or 'parquet', got {file_format!r}")
        tmp.replace(path)
        paths.append(path)
    return paths


def default_path() -> Path:
    """The bundled sample folder (``data/sample`` of the project)."""
    return SAMPLE_DIR
