"""What a report shows of a study's results: Markdown rendered from the results' claims and tables.

Results are plain data (numbers, tables and :class:`~cxlib.formatting.claims.Claim`
objects); nothing in them is Markdown. Notebooks render them here, through
``cx.reports``: the executive summary (:func:`summary`), a sentence or paragraph
(:func:`say`), the closed loop's crisis banner and the persona cards.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .formatting import labels
from .formatting.claims import Claim
from .formatting.claims import summary as bullets_of
from .formatting.narrative import Markdown, fmt_count, md

__all__ = ["crisis_banner", "persona_cards", "say", "summary"]


def summary(result) -> Markdown:
    """The executive summary of a study's result: its claims as three to five bullets."""
    return bullets_of(result.claims())


def say(claims: Claim | Iterable[Claim]) -> Markdown:
    """One claim, or several as one paragraph."""
    claims = [claims] if isinstance(claims, Claim) else list(claims)
    return Markdown(" ".join(c.sentence() for c in claims))


def crisis_banner(study) -> Markdown:
    """The closed loop's crisis flag for the top of its report: a bold quote block when raised, a sentence otherwise."""
    claim = study.crisis_claim()
    return Markdown(f"> **{claim.sentence()}**" if claim.key == "closed_loop.crisis_above_usual" else claim.sentence())


def persona_cards(study) -> Markdown:
    """One card per persona: who they are, how many, how they feel and behave, what they write about."""
    parts = []
    for row in study.personas.itertuples():
        lines = [md("### Persona {i}: {name}", i=row.persona, name=row.name).data, "",
                 md("{description}", description=row.description).data, "",
                 md("- **Size**: {n} customers, {share}% of all", n=fmt_count(row.size),
                    share=_share(row.share)).data]
        if row.nps is not None and not pd.isna(row.nps):
            lines.append(md("- **NPS**: {v} (95% CI {a} to {b}; {n} answers)", v=f"{row.nps:.0f}",
                            a=f"{row.nps_ci_low:.0f}", b=f"{row.nps_ci_high:.0f}", n=fmt_count(row.nps_n)).data)
        if row.csat is not None and not pd.isna(row.csat):
            lines.append(md("- **CSAT**: {v}% satisfied (95% CI {a} to {b}%; {n} answers)", v=f"{row.csat:.0f}",
                            a=f"{row.csat_ci_low:.0f}", b=f"{row.csat_ci_high:.0f}", n=fmt_count(row.csat_n)).data)
        if row.churn_rate is not None and not pd.isna(row.churn_rate):
            lines.append(md("- **Left**: {v}% (95% CI {a} to {b}%)", v=f"{row.churn_rate:.1f}",
                            a=f"{row.churn_ci_low:.1f}", b=f"{row.churn_ci_high:.1f}").data)
        if row.revenue is not None and not pd.isna(row.revenue):
            lines.append(md("- **Revenue**: {v} per customer (95% CI {a} to {b}); {s}% of all revenue",
                            v=labels.money(row.revenue, 1), a=labels.money(row.revenue_ci_low, 1),
                            b=labels.money(row.revenue_ci_high, 1), s=_share(row.revenue_share)).data)
        if study.drivers is not None:
            top = study.drivers[study.drivers["persona"] == row.persona].head(2)
            if len(top):
                lines.append(md("- **Loyalty drivers**: {d}", d=", ".join(
                    f"{labels.name(d.driver)} ({100 * d.share:.0f}% of what the drivers explain)"
                    for d in top.itertuples())).data)
        if study.themes is not None:
            top = study.themes[study.themes["persona"] == row.persona]
            if len(top):
                lines.append(md("- **Writes about**: {t}", t=", ".join(
                    f"{t.label.lower()} ({t.share:.0f}%)" for t in top.itertuples())).data)
        parts.append("\n".join(lines))
    return Markdown("\n\n".join(parts))


def _share(percent: float) -> str:
    """A share of all as people write it: whole percentages, but a small share never as "0" ("0.2", "<0.1")."""
    if percent >= 1 or percent == 0:
        return f"{percent:.0f}"
    return f"{percent:.1f}" if percent >= 0.1 else "<0.1"
