"""Claims: what a report states, as data first (the numbers and the test behind it), then as a sentence.

A study's executive summary is a list of :class:`Claim` objects. Each names what it
states (``key``, e.g. ``"churn.segments_differ"``), carries the numbers it rests on and
the test that decided it, and renders a whole-sentence template, so that a statement
can be checked against its numbers (the tests do, on public data sets), recorded in
results.json beside the numbers, and later translated as a whole sentence.

Which template a study picks is decided by the numbers, never fixed in advance: a
difference is "clear" only when its test rejects at the report's level
(:data:`LEVEL`), otherwise the sentence says there is no clear difference and gives p.

>>> c = Claim("segment.none_below", "No segment scores clearly below the rest.", numbers={"below": 0})
>>> summary([c]).data
'- No segment scores clearly below the rest.'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .narrative import Markdown, bullets, md

__all__ = ["LEVEL", "Claim", "interval_words", "summary"]

LEVEL = 0.05  # the reports' level: a difference is claimed only when its p-value is below it


@dataclass(frozen=True, repr=False)
class Claim:
    """One statement: ``key`` (what it states), its sentence template and shown ``values``, the ``numbers``
    behind it and the ``test`` that decided it (empty for a descriptive figure). ``joins``: the
    sentence continues the previous claim's bullet (an executive summary has three to five)."""

    key: str
    template: str
    values: Mapping = field(default_factory=dict)
    numbers: Mapping = field(default_factory=dict)
    test: str = ""
    joins: bool = False

    def sentence(self) -> str:
        """The sentence as Markdown, every value from the data escaped (:func:`cxlib.formatting.narrative.md`)."""
        return md(self.template, **self.values).data

    def text(self) -> str:
        """The sentence as plain text (for results.json and the index)."""
        return self.template.format(**self.values)

    def to_dict(self) -> dict:
        return {"claim": self.key, "sentence": self.text(), "numbers": dict(self.numbers), "test": self.test}

    def __repr__(self) -> str:
        """What it states, as its key and sentence (a list of claims reads as the summary does); the numbers behind
        it are in :meth:`to_dict`."""
        return f"<{self.key}: {self.text()}>"


def summary(claims: Iterable[Claim]) -> Markdown:
    """An executive summary: a bullet per claim, a joining claim continuing the bullet before it."""
    items: list[str] = []
    for c in claims:
        if c.joins and items:
            items[-1] += " " + c.sentence()
        else:
            items.append(c.sentence())
    return bullets(items)


def interval_words(low: float, high: float, unit: str = "", digits: int = 0) -> str:
    """A 95% interval in words, saying so when it includes zero (a loss, or no change).

    >>> interval_words(-22, 43, "%"), interval_words(3.1, 5.2, " points", 1)
    ('could be negative: 95% CI -22% to 43%', '95% CI 3.1 points to 5.2 points')
    """
    span = f"95% CI {low:,.{digits}f}{unit} to {high:,.{digits}f}{unit}"
    return f"could be negative: {span}" if low < 0 < high else span
