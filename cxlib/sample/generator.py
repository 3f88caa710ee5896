"""The sample's tables drawn from the structural model (:mod:`.model`), month by month, seeded: customers,
responses, tickets, competitor NPS and social posts; written as CSV or Parquet."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..formatting.result_view import ResultView
from ..io.nps_groups import score_groups
from ..io.tables import SAMPLE_DIR
from .model import (
    AGE_BANDS,
    AS_OF,
    CANCELLATION_COMMENT_RATE,
    CANCELLATION_SURVEY_RATE,
    CANCELLATION_THEME_PROBABILITIES,
    CHANNELS,
    COMMENT_RATE,
    COMMENT_THEMES,
    COMPETITORS,
    CONTACTS,
    CUSTOMER_NOISE_VAR,
    CUSTOMER_SHARE_OF_DRIVERS,
    DAYS_PER_YEAR,
    DEFAULT_SEED,
    DRIVER_GROUPS,
    DRIVER_MEANS,
    DRIVER_SD,
    DRIVER_WEIGHTS,
    DRIVERS,
    FIRST_RESPONSE_MEDIAN_HOURS,
    FIRST_RESPONSE_SIGMA,
    HAZARD_RATIOS,
    LATENT_R2,
    LOYALTY_MEAN,
    LOYALTY_SD,
    N_MONTHS,
    PLAN_SHIFT,
    PLANS,
    PRE_WINDOW_SHARE,
    REGION_SHIFT,
    REGIONS,
    REVENUE_MEDIAN,
    REVENUE_SIGMA,
    SOCIAL_CHANNELS,
    SOCIAL_NOISE_SHAPE,
    SOCIAL_POST_TYPES,
    SOCIAL_POSTS_PER_DAY,
    SOCIAL_STREAM,
    SOCIAL_TREND,
    SURVEY_RATE,
    TENURED_DAYS,
    THEME_PROBABILITIES,
    TICKET_CATEGORIES,
    TICKET_CHANNELS,
    TICKET_RATE,
    TOUCHPOINT_SHIFT,
    TOUCHPOINTS,
    TREND_POINTS_PER_QUARTER,
    TREND_REGION,
    UNRESOLVED_RATE,
    WEIBULL_SCALE,
    WEIBULL_SHAPE,
    WINDOW_START,
    Truth,
    driver_correlation,
    group_shapley_shares,
    nps_of_normal_mixture,
    survey_mix,
    trend_shifts,
)

__all__ = ["SampleData", "default_path", "generate", "write"]


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
    corr = driver_correlation()
    chol = np.linalg.cholesky(corr)
    explained_var = LATENT_R2 * LOYALTY_SD**2
    driver_scale = math.sqrt(explained_var / float(DRIVER_WEIGHTS @ corr @ DRIVER_WEIGHTS))
    occasion_noise_sd = math.sqrt(LOYALTY_SD**2 - explained_var - CUSTOMER_NOISE_VAR)
    trend = trend_shifts()
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
        group_shares=dict(zip(DRIVER_GROUPS, group_shapley_shares(
            DRIVER_WEIGHTS, corr, [[DRIVERS.index(d) for d in g] for g in DRIVER_GROUPS.values()]).tolist(),
            strict=True)),
        latent_r2=LATENT_R2,
        hazard_ratios=dict(HAZARD_RATIOS),
        weibull_shape=WEIBULL_SHAPE,
        weibull_scale=WEIBULL_SCALE,
        trend_points_per_quarter=TREND_POINTS_PER_QUARTER,
        tenured_north_nps=tuple(
            nps_of_normal_mixture(survey_mix()[0] + s, survey_mix()[1], LOYALTY_SD) for s in trend),
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
