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
rest, Welch's t-test), for categories the most over-represented level (share in the
persona against the rest, two-proportion test), Holm-adjusted within the persona; then
revenue, NPS and CSAT (% satisfied, 4-5 of 5) with their intervals, churn rate, and where the data allow the top comment
themes. The name and the one-sentence description are built from the distinguishing
traits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .inference import holm, wilson_interval
from .io.quality import DataError
from .scores import csat as csat_estimate
from .scores import nps

__all__ = ["PersonaModel", "discover_personas", "encode_traits", "persona_names", "profile_personas"]

SILHOUETTE_SAMPLE = 5000
CATEGORY_SCALE = 1 / np.sqrt(2)


@dataclass(frozen=True)
class Encoding:
    """The numeric matrix behind the clustering and how each trait became columns."""

    matrix: np.ndarray
    columns: list[str]
    numeric: list[str]
    categorical: list[str]
    dropped: list[str]


def encode_traits(frame: pd.DataFrame, traits: Sequence[str]) -> Encoding:
    """Standardize numeric traits and one-hot encode categorical ones (module docstring)."""
    absent = [t for t in traits if t not in frame.columns]
    if absent:
        raise DataError(f"trait columns {absent} are not in the data; columns present: {list(frame.columns)}",
                        column=absent[0], rule="column present")
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


@dataclass(frozen=True)
class PersonaModel:
    """The chosen grouping: labels (0..k-1, largest group first), the criterion per k, and stability."""

    k: int
    labels: np.ndarray
    criterion: pd.DataFrame
    stability: dict
    encoding: Encoding = field(repr=False)
    fixed_k: bool = False


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
        raise DataError(f"{max(candidates)} groups asked, but {n} customers with {distinct} distinct trait "
                        f"combinations allow at most {min(n - 1, distinct)}", rule="k below the customers")
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


def _distinguishing(frame: pd.DataFrame, inside: np.ndarray, encoding: Encoding) -> pd.DataFrame:
    """Each trait's contrast between the persona and the rest, with Holm-adjusted p-values."""
    rows = []
    for trait in encoding.numeric:
        values = frame[trait].astype(float)
        a, b = values[inside].dropna(), values[~inside].dropna()
        pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2) if len(a) > 1 and len(b) > 1 else np.nan
        effect = (a.mean() - b.mean()) / pooled if pooled and pooled > 0 else 0.0
        p = stats.ttest_ind(a, b, equal_var=False).pvalue if len(a) > 1 and len(b) > 1 else 1.0
        rows.append({"trait": trait, "level": "higher" if effect > 0 else "lower", "effect": float(effect),
                     "in_persona": float(a.mean()), "elsewhere": float(b.mean()), "p_value": float(p),
                     "kind": "numeric"})
    for trait in encoding.categorical:
        text = frame[trait].astype("string").fillna("(missing)")
        share_in = text[inside].value_counts(normalize=True)
        share_out = text[~inside].value_counts(normalize=True).reindex(share_in.index, fill_value=0.0)
        level = (share_in - share_out).idxmax()
        n1, n2 = int(inside.sum()), int((~inside).sum())
        p1, p2 = share_in[level], share_out[level]
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) if n2 else np.nan
        p = 2 * stats.norm.sf(abs(p1 - p2) / se) if se and se > 0 else 1.0
        # effect on the scale of a standardized difference: Cohen's h for proportions
        effect = 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))
        rows.append({"trait": trait, "level": str(level), "effect": float(effect), "in_persona": float(100 * p1),
                     "elsewhere": float(100 * p2), "p_value": float(p), "kind": "categorical"})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["distinguishing"] = (out["p_adjusted"] < 0.05) & (out["effect"].abs() >= 0.2)
    return out.sort_values("effect", key=np.abs, ascending=False, kind="stable").reset_index(drop=True)


def persona_names(traits: pd.DataFrame, top: int = 3) -> tuple[str, str]:
    """A short name and a one-sentence description from a persona's distinguishing traits."""
    keep = traits[traits["distinguishing"]].head(top)
    if keep.empty:
        return "Typical customers", "No trait sets this group clearly apart from the other customers."
    words, clauses = [], []
    for row in keep.itertuples():
        label = row.trait.replace("_", " ")
        if row.kind == "numeric":
            words.append(f"{'high' if row.effect > 0 else 'low'} {label}")
            clauses.append(f"{label} {'above' if row.effect > 0 else 'below'} the rest "
                           f"({row.in_persona:,.1f} against {row.elsewhere:,.1f})")
        else:
            words.append(f"{row.level} {label}")
            clauses.append(f"{label} {row.level} ({row.in_persona:.0f}% against {row.elsewhere:.0f}% elsewhere)")
    name = ", ".join(words[:2])
    name = name[0].upper() + name[1:]
    return name, "Mostly " + "; ".join(clauses) + "."


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
                        "churn_ci_high": 100 * float(high)})
        else:
            row.update({"churn_rate": None, "churn_ci_low": None, "churn_ci_high": None})
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


