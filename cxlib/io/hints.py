"""What to do about values that do not read: a hint chosen by what the values look like.

A rule alone ("not a number") cannot say what to change: ``80%`` needs the percent sign
gone, ``ten`` digits, ``1,5`` the decimal comma named, ``Promoter`` a column of 0-10 answers
(or the study that reads groups). The hint follows the shape most of the example values
share; values of no known shape leave the rule's own hint (:data:`cxlib.io.quality.FIXES`).

>>> value_hint(("80%", "75 %"))
"percentages ('80%'): write the number without the % sign (80), or leave the column out"
>>> value_hint(("ten", "nine")), value_hint(("abc1",))
("numbers written as words ('ten'): write them as digits, or list such words in missing_codes", None)
>>> value_hint(("Good", "Bad"))[:35]
"words, not numbers ('Good'): the co"
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .nps_groups import WORD_GROUP, normal_word

__all__ = ["date_hint", "scale_hint", "value_hint"]

# numbers written as words, in the reports' languages: "ten", "on", "deset"
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten "
    "sıfır sifir bir iki üç uc dört dort beş bes altı alti yedi sekiz dokuz on "
    "nula jedan dva tri četiri cetiri pet šest sest sedam osam devet deset".split())
SHAPES = (  # (what a value looks like, the hint with {example}) in the order they are tried
    (re.compile(r"^[+-]?\d+(?:[.,]\d+)?\s*%$"),
     "percentages ({example}): write the number without the % sign ({number}), or leave the column out"),
    (re.compile(r"^[+-]?\d{1,3},\d{3}$"),
     "{example} reads two ways: a thousands comma (set thousands to ',') or a decimal comma (set decimal to ','); "
     "the column alone does not tell, so say which"),
    (re.compile(r"^[+-]?\d+,\d+$"),
     "a decimal comma ({example}): set decimal to ','"),
    (re.compile(r"^\d+(?:[.,]\d+)?\s*[-\u2013]\s*\d+(?:[.,]\d+)?$"),
     "ranges ({example}): a score is one answer, written as one number; a column of ranges holds bands, not "
     "answers"),
    (re.compile(r"^(?:1900-01-\d\d|1899-12-3[01])(?: 00:00:00)?$"),
     "numbers Excel shows as dates ({example} is a small number, such as a score, in a date format): format the "
     "column as Number in Excel, save, and export again"),
    (None, "NPS groups ({example}): they give NPS in a 0-10 score column (the segment study's score_col, the "
           "business case's nps_col); a study that needs the 0-10 answers needs a column of them"),
    (re.compile(r"^[+-]?\d+(?:[.,]\d+)?\s*[^\W\d_]+\.?$"),
     "numbers written with their unit ({example}): write the number alone; a duration's unit goes in time_unit"),
    (NUMBER_WORDS, "numbers written as words ({example}): write them as digits, or list such words in missing_codes"),
    (re.compile(r"^[^\W\d_]+(?:[ -][^\W\d_]+)*$"),
     "words, not numbers ({example}): the column holds labels (a Good/Bad rating, a status), not the numbers the "
     "study needs; name a column of numbers, or list the words that mean no answer in missing_codes"),
)


def _matches(shape, value: str) -> bool:
    if shape is None:
        return normal_word(value) in WORD_GROUP
    if shape is NUMBER_WORDS:
        return value.strip().casefold() in NUMBER_WORDS
    return bool(shape.match(value.strip()))


def value_hint(examples: Sequence[str]) -> str | None:
    """The hint for the shape most of ``examples`` share; None when none of them has a known shape."""
    counts = [sum(_matches(shape, v) for v in examples) for shape, _ in SHAPES]
    if not examples or max(counts) == 0:
        return None
    best = counts.index(max(counts))
    shape, hint = SHAPES[best]
    example = next(v for v in examples if _matches(shape, v))
    return hint.format(example=repr(example), number=re.sub(r"\s*%$", "", example.strip()))


DATE_SHAPES = (  # (what a date looks like, the date_format that reads it)
    (re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+)?$"), None),  # ISO dates fail only under another date_format
    (re.compile(r"^[^\W\d_]{3} +\d{1,2} +\d{4} +\d{1,2}:\d{2}(?:AM|PM)$", re.IGNORECASE), "%b %d %Y %I:%M%p"),
    (re.compile(r"^\d{4}-W\d{2}-\d$"), "%G-W%V-%u"),
    (re.compile(r"^\d{4}-W\d{2}$"), "%G-W%V-%u (add the day: 2025-W13-1)"),
    (re.compile(r"^\d{1,2}-[^\W\d_]{3}-\d{2}$"), "%d-%b-%y"),
    (re.compile(r"^\d{8}$"), "%Y%m%d"),
    (re.compile(r"^[^\W\d_]{3,9}[-/ ]\d{2}$"), "%b-%y (a month and its year: each date reads as the month's first day)"),
    (re.compile(r"^[^\W\d_]{3,9}[-/ ]\d{4}$"), "%b-%Y (a month and its year: each date reads as the month's first day)"),
)


def date_hint(examples: Sequence[str]) -> str | None:
    """The ``date_format`` for dates of a known shape that do not read ("2025-W13-6" -> "%G-W%V-%u"); None for
    others.

    >>> date_hint(("Sep 20 2025  9:05AM",))
    'dates like Sep 20 2025  9:05AM: set date_format to %b %d %Y %I:%M%p'
    >>> date_hint(("2025-W13-6",)), date_hint(("20250301",)), date_hint(("soon",))
    ('ISO week dates (e.g. 2025-W13-6): set date_format to %G-W%V-%u', 'dates like 20250301: set date_format to %Y%m%d', None)
    """
    for shape, fmt in DATE_SHAPES:
        example = next((v for v in examples if shape.match(v.strip())), None)
        if example is None:
            continue
        if fmt is None:
            return f"dates written YYYY-MM-DD (e.g. {example}) read by themselves: leave date_format out"
        what = "ISO week dates (e.g. " + example + ")" if "%G" in fmt else f"dates like {example}"
        return f"{what}: set date_format to {fmt}"
    return None


SCALE_RULE = re.compile(r"not a whole number from (-?\d+) to (\d+)")
SCALES = (10, 100)  # the scales a question is asked on, beside 1-5 and 1-7


def scale_hint(rule: str, examples: Sequence[str]) -> str | None:
    """The scale answers above a rule's range were given on, when at least three different ones lie on a wider
    scale ("80", "40", "100" against 0-10: a 0-100 question); None for codes such as 99 or a few stray values.

    >>> scale_hint("not a whole number from 0 to 10", ("80", "40", "100", "70"))
    "answers up to 100 (e.g. '80'): the column holds a 0-100 scale, not 0-10; name a column of 0-10 answers"
    >>> scale_hint("not a whole number from 0 to 10", ("99", "99")) is None
    True
    """
    bounds = SCALE_RULE.search(rule)
    numbers = [float(v) for v in examples if re.fullmatch(r"\d+(?:\.0+)?", str(v).strip())]
    if not bounds or len(set(numbers)) < 3 or len(numbers) < len(examples):
        return None
    low, high = int(bounds.group(1)), int(bounds.group(2))
    wider = next((scale for scale in SCALES if high < scale and max(numbers) <= scale), None)
    if wider is None or min(numbers) <= high:
        return None
    return (f"answers up to {wider} (e.g. {examples[0]!r}): the column holds a 0-{wider} scale, not {low}-{high}; "
            f"name a column of {low}-{high} answers")
