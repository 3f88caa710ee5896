"""Personas: groups of customers found from shared traits, and how each group experiences the brand.

**Discovery.** Traits are encoded so that every trait weighs the same in a Euclidean
distance: numeric traits standardized (missing values set to the median, with a 0/1
column marking them when any are missing), categorical traits one-hot with each column
scaled by 1/sqrt(2), so that two customers in different categories are exactly as far
apart as one standard deviation of a numeric trait (missing is a category of its own).
A trait with a single value carries no information and is dropped (reported). Groups are
found by k-means (Lloyd's algorithm, k-means++ starts, best of ``n_init``; scikit-learn),
chosen over the alternative of Gower distances with hierarchical clustering because
k-means is linear in the number of customers while Gower needs all n^2 distances (a
million customers would need 4 TB). The number of groups maximizes the mean silhouette
width (Rousseeuw 1987) over ``k_range``, computed on a seeded subsample of at most 5,000
customers, unless the user fixes k.

**Stability.** Customers are resampled with replacement ``n_boot`` times; k-means is
refitted on each resample and every original customer assigned to the nearest new
centre; the adjusted Rand index (Hubert & Arabie 1985) between these and the original
groups measures how reproducible the personas are (Hennig 2007; above 0.75 is usually
read as stable, below 0.6 as not).

**Profiles.** Per persona: size and share; the traits that set it apart from the other
customers -- for numeric traits the standardized mean difference (Cohen's d against the
rest, Welch's t-test), for two-valued traits (0/1 markers, or a number constant at
different values in the two groups, whose within-group variance is 0 and would zero a
standardized difference) and categories the share holding a value (the higher one; for
categories the most over-represented level) in the persona against the rest, with
Cohen's h as the effect and the two-proportion z-test, Holm-adjusted within the persona;
then revenue, NPS
and CSAT (% satisfied, 4-5 of 5) with their intervals, churn rate, and where the data
allow the top comment themes.

**Names that describe most members.** A persona's name and description are built from
its distinguishing traits, and say no more than the members bear out: a category is
named by the fewest of its levels that together hold more than three quarters of the
persona ("basic or standard plan" when 59% are basic and 41% standard), a two-valued
trait by the value most members hold, and "mostly" is said only of a share above half.

**How clear the groups are.** The best mean silhouette below 0.25 means the customers
show no substantial group structure (Kaufman & Rousseeuw 1990): the personas are then a
convenient split of a continuum, and the study says so. Stability whose 95% range
reaches down to chance agreement (an adjusted Rand index of 0.1 or less) is called
unstable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.estimate import MIN_N
from ..core.inference import holm, wilson_interval
from ..core.lazy import lazy_module
from ..formatting.narrative import plural
from ..formatting.result_view import ResultView
from ..io.column_names import column_arguments
from ..io.quality import DataError, check_columns
from ..metrics.scores import csat as csat_estimate
from ..metrics.scores import nps

stats = lazy_module("scipy.stats")

__all__ = ["PersonaModel", "discover_personas", "encode_traits", "persona_names", "plain_number",
           "profile_personas"]

SILHOUETTE_SAMPLE = 5000
CATEGORY_SCALE = 1 / np.sqrt(2)
NAME_COVERAGE = 0.75  # a name's levels together hold more than this share of the persona
CLEAR_STRUCTURE = 0.25  # a best mean silhouette below this: no substantial group structure
CHANCE_AGREEMENT = 0.1  # a stability range reaching this adjusted Rand index reaches chance


@dataclass(frozen=True)
class Encoding:
    """The numeric matrix behind the clustering and how each trait became columns."""

    matrix: np.ndarray
    columns: list[str]
    numeric: list[str]
    categorical: list[str]
    dropped: list[str]


@column_arguments("traits", data="frame")
def encode_traits(frame: pd.DataFrame, traits: Sequence[str]) -> Encoding:
    """Standardize numeric traits and one-hot encode categorical ones (module docstring)."""
    check_columns(traits, frame.columns, "trait column")
    blocks, names, numeric, categorical, dropped = [], [], [], [], []
    for trait in traits:
        column = frame[trait]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            values = column.astype(float)
            if values.nunique(dropna=True) < 2:
                dropped.append(trait)
                continue
            filled = values.fillna(values.median())
            blocks.append(((filled - filled.mean()) / filled.std(ddof=0)).to_numpy()[:, None])
            names.append(trait)
            if values.isna().any():
                blocks.append(values.isna().to_numpy(dtype=float)[:, None])
                names.append(f"{trait} missing")
            numeric.append(trait)
        else:
            text = column.astype("string").fillna("(missing)")
            if text.nunique() < 2:
                dropped.append(trait)
                continue
            dummies = pd.get_dummies(text, dtype=float)
            blocks.append(dummies.to_numpy() * CATEGORY_SCALE)
            names.extend(f"{trait}={level}" for level in dummies.columns)
            categorical.append(trait)
    if not blocks:
        raise DataError(f"no trait varies among the customers: {list(traits)}", rule="traits vary")
    return Encoding(np.hstack(blocks), names, numeric, categorical, dropped)


def _kmeans(matrix: np.ndarray, k: int, seed: int, n_init: int):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(matrix)


@dataclass(frozen=True, repr=False)
class PersonaModel(ResultView):
    """The chosen grouping: labels (0..k-1, largest group first), the criterion per k, and stability."""

    k: int
    labels: np.ndarray
    criterion: pd.DataFrame
    stability: dict
    encoding: Encoding = field(repr=False)
    fixed_k: bool = False


@column_arguments("traits", data="frame")
def discover_personas(frame: pd.DataFrame, traits: Sequence[str], k: int | None = None,
                      k_range: Sequence[int] = (2, 8), seed: int = 1, n_init: int = 10,
                      n_boot: int = 30) -> PersonaModel:
    """Find k groups of customers (k chosen by silhouette within ``k_range`` unless given); seeded."""
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    encoding = encode_traits(frame, traits)
    x = encoding.matrix
    n = len(x)
    candidates = [k] if k is not None else list(range(int(k_range[0]), int(k_range[-1]) + 1))
    if min(candidates) < 2:
        raise DataError(f"personas need at least 2 groups, got {min(candidates)}", rule="k >= 2")
    distinct = len(np.unique(x, axis=0))
    if max(candidates) > min(n - 1, distinct):
        most = min(n - 1, distinct)
        ask = f"set k to {most} or fewer" if k is not None else f"set k_range to end at {most} or fewer"
        raise DataError(f"{max(candidates)} groups asked, but {n} customers with {distinct} distinct trait "
                        f"combinations allow at most {most}: {ask}, or add a trait that tells customers apart",
                        rule="k below the customers")
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, SILHOUETTE_SAMPLE, replace=False) if n > SILHOUETTE_SAMPLE else np.arange(n)
    rows, fits = [], {}
    for candidate in candidates:
        fit = _kmeans(x, candidate, seed, n_init)
        fits[candidate] = fit
        rows.append({"k": candidate, "silhouette": float(silhouette_score(x[sample], fit.labels_[sample])),
                     "inertia": float(fit.inertia_)})
    criterion = pd.DataFrame(rows)
    chosen = int(criterion.loc[criterion["silhouette"].idxmax(), "k"])
    fit = fits[chosen]
    order = np.argsort(-np.bincount(fit.labels_, minlength=chosen), kind="stable")  # largest group first
    relabel = np.empty(chosen, dtype=int)
    relabel[order] = np.arange(chosen)
    labels = relabel[fit.labels_]
    scores = []
    for b in range(n_boot):
        draw = rng.integers(0, n, n)
        refit = _kmeans(x[draw], chosen, seed + b + 1, 1 if n_init == 1 else max(1, n_init // 2))
        scores.append(adjusted_rand_score(labels, refit.predict(x)))
    scores = np.array(scores)
    stability = {"method": "bootstrap adjusted Rand index", "n_boot": n_boot,
                 "mean": float(scores.mean()) if n_boot else None,
                 "ci_low": float(np.percentile(scores, 2.5)) if n_boot else None,
                 "ci_high": float(np.percentile(scores, 97.5)) if n_boot else None}
    return PersonaModel(chosen, labels, criterion, stability, encoding, fixed_k=k is not None)


def _share_test(p1: float, p2: float, n1: int, n2: int) -> tuple[float, float]:
    """Cohen's h and the two-proportion z-test's p-value (pooled standard error) of shares p1 and p2."""
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) if n1 and n2 else 0.0
    p = 2 * stats.norm.sf(abs(p1 - p2) / se) if se > 0 else 1.0
    return float(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))), float(p)


def _numeric_contrast(values: pd.Series, inside: np.ndarray) -> dict:
    """Cohen's d and Welch's t-test. d divides the difference of means by the pooled standard deviation,
    sqrt(((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2)) (Cohen 1988, eq. 2.5.2). With three or more values, and
    two customers on each side, it is above 0 (two constant groups make a two-valued trait, read as shares)."""
    a, b = values[inside].dropna(), values[~inside].dropna()
    if len(a) < 2 or len(b) < 2:
        return {"effect": 0.0, "p_value": 1.0, "in_persona": float(a.mean()), "elsewhere": float(b.mean())}
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    return {"effect": float((a.mean() - b.mean()) / pooled),
            "p_value": float(stats.ttest_ind(a, b, equal_var=False).pvalue),
            "in_persona": float(a.mean()), "elsewhere": float(b.mean())}


def _covering(share_in: pd.Series) -> tuple[list[str], float]:
    """The fewest levels, most frequent first, that together hold more than NAME_COVERAGE of the persona."""
    ordered = share_in.sort_values(ascending=False, kind="stable")
    count = int(np.searchsorted(ordered.cumsum().to_numpy(), NAME_COVERAGE, side="right")) + 1
    chosen = ordered.iloc[:count]
    return [str(level) for level in chosen.index], float(100 * chosen.sum())


def _distinguishing(frame: pd.DataFrame, inside: np.ndarray, encoding: Encoding) -> pd.DataFrame:
    """Each trait's contrast between the persona and the rest, with Holm-adjusted p-values (module docstring).

    ``kind`` is numeric, binary (a number with two values: ``level`` is the higher one and
    the shares are of customers holding it) or categorical; ``name_levels`` and ``coverage``
    are what a name may say of the persona (the levels that hold most of it, and their share).
    """
    rows = []
    n1, n2 = int(inside.sum()), int((~inside).sum())
    for trait in encoding.numeric:
        values = frame[trait].astype(float)
        distinct = np.sort(values.dropna().unique())
        if len(distinct) == 2:
            present = values.notna().to_numpy()
            high = (values == distinct[1]).to_numpy()
            p1, p2 = high[inside & present].mean(), high[~inside & present].mean()
            effect, p = _share_test(p1, p2, int((inside & present).sum()), int((~inside & present).sum()))
            most = distinct[1] if p1 > 0.5 else distinct[0]
            rows.append({"trait": trait, "level": f"{distinct[1]:g}", "effect": effect, "in_persona": float(100 * p1),
                         "elsewhere": float(100 * p2), "p_value": p, "kind": "binary", "name_levels": [f"{most:g}"],
                         "coverage": float(100 * max(p1, 1 - p1))})
            continue
        contrast = _numeric_contrast(values, inside)
        rows.append({"trait": trait, "level": "higher" if contrast["effect"] > 0 else "lower", **contrast,
                     "kind": "numeric", "name_levels": [], "coverage": np.nan})
    for trait in encoding.categorical:
        text = frame[trait].astype("string").fillna("(missing)")
        share_in = text[inside].value_counts(normalize=True)
        share_out = text[~inside].value_counts(normalize=True).reindex(share_in.index, fill_value=0.0)
        level = (share_in - share_out).idxmax()
        effect, p = _share_test(share_in[level], share_out[level], n1, n2)
        levels, coverage = _covering(share_in)
        rows.append({"trait": trait, "level": str(level), "effect": effect, "in_persona": float(100 * share_in[level]),
                     "elsewhere": float(100 * share_out[level]), "p_value": p, "kind": "categorical",
                     "name_levels": levels, "coverage": coverage})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["distinguishing"] = (out["p_adjusted"] < 0.05) & (out["effect"].abs() >= 0.2)
    return out.sort_values("effect", key=np.abs, ascending=False, kind="stable").reset_index(drop=True)


def plain_number(x: float) -> str:
    """A mean as people write it: one decimal from 10 on, three significant digits below."""
    return f"{x:,.1f}" if abs(x) >= 10 else f"{x:.3g}"


def persona_names(traits: pd.DataFrame, top: int = 3) -> tuple[str, str]:
    """A short name and a one-sentence description from a persona's distinguishing traits (module docstring)."""
    keep = traits[traits["distinguishing"]].head(top)
    if keep.empty:
        return "Typical customers", "No trait sets this group clearly apart from the other customers."
    words, clauses = [], []
    for row in keep.itertuples():
        label = row.trait.replace("_", " ")
        if row.kind == "numeric":
            words.append(f"{'high' if row.effect > 0 else 'low'} {label}")
            clauses.append(f"{label} {'above' if row.effect > 0 else 'below'} the rest "
                           f"(on average {plain_number(row.in_persona)} against {plain_number(row.elsewhere)} in the other "
                           "customers)")
            continue
        if row.kind == "binary":  # two values (0/1 of a flag or of a gender): named by the one most members hold
            (most,) = row.name_levels
            flip = most != row.level
            words.append(f"{label} {most}")
            clauses.append(f"{label} {most}: {100 - row.in_persona if flip else row.in_persona:.0f}% of them (against "
                           f"{100 - row.elsewhere if flip else row.elsewhere:.0f}% of the others)")
            continue
        words.append(f"{' or '.join(row.name_levels)} {label}")
        share = row.in_persona
        clauses.append(f"{'mostly ' if 50 < share < 99.5 else ''}{label} {row.level} ({share:.0f}% of them against "
                       f"{row.elsewhere:.0f}% of the others)")
    name = ", ".join(words[:2])
    description = "; ".join(clauses) + "."
    return name[0].upper() + name[1:], description[0].upper() + description[1:]


@column_arguments("score", "churn", "revenue", "csat", data="frame")
def profile_personas(frame: pd.DataFrame, model: PersonaModel, score: str | None = None,
                     churn: str | None = None, revenue: str | None = None, csat: str | None = None,
                     ci: float = 0.95) -> tuple[pd.DataFrame, dict]:
    """Per persona: size, share, name, description, revenue, NPS, CSAT and churn with intervals.

    ``score`` is each customer's latest 0-10 answer (NPS, adjusted Wald), ``csat``
    their latest 1-5 answer (CSAT: % satisfied, 4 or 5, Wilson), ``churn`` yes/no (Wilson),
    ``revenue`` a number (mean with a t interval); None where a column is not given, and
    the figures are then null. Returns the tidy persona table and, per persona, its trait
    contrasts.
    """
    rows, contrasts, used = [], {}, set()
    for persona in range(model.k):
        inside = model.labels == persona
        traits = _distinguishing(frame, inside, model.encoding)
        name, description = persona_names(traits)
        if inside.sum() < MIN_N and not traits["distinguishing"].any():  # too few to tell, not "typical"
            name = f"Small group of {plural(int(inside.sum()), 'customer', 'customers')}"
            description = f"Too few customers (fewer than {MIN_N}) to tell what sets them apart."
        if name in used:  # two groups alike in their top traits: number them
            name = f"{name} ({persona + 1})"
        used.add(name)
        row = {"persona": persona + 1, "name": name, "description": description, "size": int(inside.sum()),
               "share": float(100 * inside.mean())}
        if score:
            e = nps(frame.loc[inside], score=score, ci=ci)
            row.update({"nps": e.value, "nps_ci_low": e.ci_low, "nps_ci_high": e.ci_high, "nps_n": e.n})
        else:
            row.update({"nps": None, "nps_ci_low": None, "nps_ci_high": None, "nps_n": None})
        if csat:
            e = csat_estimate(frame.loc[inside], score=csat, ci=ci)
            row.update({"csat": e.value, "csat_ci_low": e.ci_low, "csat_ci_high": e.ci_high, "csat_n": e.n})
        else:
            row.update({"csat": None, "csat_ci_low": None, "csat_ci_high": None, "csat_n": None})
        if churn:
            c = frame.loc[inside, churn].dropna().astype(bool)
            low, high = wilson_interval(np.array(c.mean()), np.array(float(len(c))), ci)
            row.update({"churn_rate": 100 * c.mean(), "churn_ci_low": 100 * float(low),
                        "churn_ci_high": 100 * float(high), "churn_n": len(c)})
        else:
            row.update({"churn_rate": None, "churn_ci_low": None, "churn_ci_high": None, "churn_n": None})
        if revenue:
            r = frame.loc[inside, revenue].dropna().astype(float)
            half = stats.t.ppf(0.5 + ci / 2, len(r) - 1) * r.std(ddof=1) / np.sqrt(len(r)) if len(r) > 1 else np.nan
            row.update({"revenue": float(r.mean()), "revenue_ci_low": float(r.mean() - half),
                        "revenue_ci_high": float(r.mean() + half), "revenue_share": float(
                            100 * r.sum() / frame[revenue].astype(float).sum())})
        else:
            row.update({"revenue": None, "revenue_ci_low": None, "revenue_ci_high": None, "revenue_share": None})
        rows.append(row)
        contrasts[persona + 1] = traits
    return pd.DataFrame(rows), contrasts


