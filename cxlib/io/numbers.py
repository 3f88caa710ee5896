"""Numbers written as text the way spreadsheets in different locales write them.

"7.5" and "1,234.5" (English), "7,5" and "1.234,5" (Turkish, German, Serbian and most of
Europe), "1 234,5" with a space or a no-break space (French). A column's convention is
detected from its values when they tell it unambiguously:

* a comma followed by other than three digits ("7,5", "13,37"), after a zero ("0,236"), or a
  dot before a comma ("1.234,5"), means a decimal comma;
* a dot followed by other than three digits ("7.5"), after a zero ("0.236"), or a comma
  before a dot ("1,234.5"), means a decimal point;
* "1,234" and "1.234" alone could be either (a thousand, or one and a fraction).

A column with evidence for the decimal comma only is read with it (dots and spaces then
group thousands); a column with evidence for both is read with the convention most of its
values show, the others reported; a column whose only odd values are ambiguous has them
reported, with the parameters (``decimal``, ``thousands``) that settle it. Given
``decimal``/``thousands``, no detection takes place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["LABELLED_SCORE", "ParsedNumbers", "ascii_digits", "is_number", "numbers_or_text", "parse_numbers",
           "percentages", "text_to_float", "unread_words"]

SPACES = "[ \u00a0\u202f]"
# a decimal comma: "7,5", "1.234,5", or dots that can only group ("1.234.567": a decimal mark is written once)
COMMA_EVIDENCE = re.compile(r"^[+-]?(\d*,(\d{1,2}|\d{4,})|0?,\d+|\d{1,3}([.\u00a0\u202f ]\d{3})+,\d*"
                            r"|\d{1,3}(\.\d{3}){2,})$")
DOT_EVIDENCE = re.compile(r"^[+-]?(\d*\.(\d{1,2}|\d{4,})|0?\.\d+|\d{1,3}(,\d{3})+\.\d*|\d{1,3}(,\d{3}){2,})$")
AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}([.,]\d{3})+$")  # "1,234": a thousand and more, or one and a fraction
DOTTED_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
# a score written with its label, as survey tools export the end points: "10 - Extremely likely", "9 (Promoter)";
# the label stands apart from the number (a space or a mark), so "0x9", "0b1", "0o7" or "10x" are no labels
# a score with its answer label: "10 - Extremely likely", "9 (Promoter)", "4 - 40% likely" (not "4.5 stars", "3-5")
LABELLED_SCORE = re.compile(r"^\s*([+-]?\d{1,3})(?:\s*[-\u2013\u2014=:.(]\s*|\s+)(?:[^\W\d_]|\d{1,3}\s*%).*$",
                            re.DOTALL)
NUMBER_LIKE = re.compile(r"^[+-]?[\d.,'\u2019\s\u00a0\u202f]*\d[\d.,'\u2019\s\u00a0\u202f]*$")
UNCLEAR = "not a number (decimal mark unclear: set decimal and thousands)"
INDIAN = re.compile(r"[+-]?\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?")  # lakh and crore grouping: 1,00,057.14


# the zeros of the decimal digits people type in other scripts: Arabic-Indic, Persian, Devanagari, Bengali, Thai,
# fullwidth (Chinese and Japanese input methods), ...; each zero is followed by its nine digits
OTHER_ZEROS = (0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
               0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810, 0xFF10)
TO_ASCII = str.maketrans({**{chr(zero + d): str(d) for zero in OTHER_ZEROS for d in range(10)},
                          "\u066b": ".", "\u066c": ",", "\uff0e": ".", "\uff0c": ",",  # Arabic and fullwidth marks
                          "\u2212": "-", "\uff0d": "-"})  # the minus signs (a dash between words stays)
OTHER_DIGITS = "digits or a minus sign of another script read as 0-9 and - (e.g. {})"


def ascii_digits(text: pd.Series, notes: dict) -> pd.Series:
    """``text`` with digits of other scripts ("٩", "８"), their decimal marks and the minus sign "−" as ASCII, noted;
    a column of ASCII alone is returned as it is, without a Python step per value.

    >>> ascii_digits(pd.Series(["٩", "１０", "−72.89", "7"]), {}).tolist()
    ['9', '10', '-72.89', '7']
    """
    plain = pc.string_is_ascii(pa.array(text, type=pa.string(), from_pandas=True)).fill_null(True)
    other = ~plain.to_numpy(zero_copy_only=False)
    if not other.any():
        return text
    converted = text[other].str.translate(TO_ASCII)
    changed = (converted != text[other]).reindex(text.index, fill_value=False).to_numpy(dtype=bool)
    if changed.any():
        notes[OTHER_DIGITS.format(repr(text[changed].iloc[0]))] = changed
    return text.where(~changed, converted.reindex(text.index))


@dataclass
class ParsedNumbers:
    """Numbers from text: values (NaN where unreadable), problems (rule -> mask), and a note on what was read."""

    values: pd.Series
    problems: dict[str, np.ndarray]
    note: str | None = None


def text_to_float(text: pd.Series) -> pd.Series:
    """Numbers from text with a decimal point; text that is not such a number becomes NaN.

    Arrow's cast is about 25 times faster than ``pd.to_numeric`` but stops at the first
    bad value, so it serves clean columns and ``to_numeric`` finds the bad values.
    """
    try:
        return pd.Series(pc.cast(pa.array(text, from_pandas=True), pa.float64()).to_numpy(zero_copy_only=False),
                         index=text.index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")


def _convert(text: pd.Series, decimal: str, thousands: str | None) -> pd.Series:
    """Text in the given convention rewritten with a decimal point and no grouping, then cast."""
    out = text
    if thousands:
        group = SPACES if thousands.isspace() else re.escape(thousands)
        out = out.str.replace(f"(?<=\\d){group}(?=\\d{{3}}(\\D|$))", "", regex=True)
    if decimal != ".":
        out = out.str.replace(decimal, ".", regex=False)
    return text_to_float(out)


def parse_numbers(text: pd.Series, decimal: str | None = None, thousands: str | None = None,
                  comma_locale: bool = False) -> ParsedNumbers:
    """Numbers from stripped text (missing stays missing), in the given or the detected convention.

    ``comma_locale``: the file is ";"-separated, as Excel writes it where the decimal mark
    is a comma; then "1.476" alone is a thousand and more (not one and a fraction) unless
    the column shows a decimal point elsewhere ("7.5").

    >>> parse_numbers(pd.Series(["7,5", "1.234,5", "3"])).values.tolist()
    [7.5, 1234.5, 3.0]
    >>> parse_numbers(pd.Series(["7.5", "1,234.5"])).values.tolist()
    [7.5, 1234.5]
    >>> parse_numbers(pd.Series(["0,236", "2,639", "1"])).values.tolist()
    [0.236, 2.639, 1.0]
    >>> parse_numbers(pd.Series(["1.476", "561"]), comma_locale=True).values.tolist()
    [1476.0, 561.0]
    >>> parse_numbers(pd.Series(["1.234.567", "1.234", "12"])).values.tolist()
    [1234567.0, 1234.0, 12.0]
    >>> parse_numbers(pd.Series(["1,234,567", "1,234", "12"])).values.tolist()
    [1234567.0, 1234.0, 12.0]
    >>> p = parse_numbers(pd.Series(["1,234", "2"]))
    >>> p.values.tolist(), list(p.problems)
    ([nan, 2.0], ['not a number (decimal mark unclear: set decimal and thousands)'])
    """
    given = text.notna().to_numpy(dtype=bool)
    if decimal is not None or thousands is not None:
        decimal = decimal or ("," if thousands == "." else ".")
        return ParsedNumbers(_convert(text, decimal, thousands), {})
    values = text_to_float(text)
    failed = given & values.isna().to_numpy(dtype=bool)
    shown = text[given]
    if not failed.any() and (not comma_locale or not shown.str.match(DOTTED_THOUSANDS).any()):
        return ParsedNumbers(values, {})  # plain numbers: the common case, one pass
    if failed.any() and not text[failed].str.match(NUMBER_LIKE).any():
        return ParsedNumbers(values, {})  # what failed is words, not numbers in another convention
    comma = int(shown.str.match(COMMA_EVIDENCE).sum())
    dot = int(shown.str.match(DOT_EVIDENCE).sum())
    european = comma > dot or (comma_locale and not dot)
    if european:
        values = _convert(text, ",", ".").fillna(_convert(text, ",", " "))
        problems = {}
        if dot:
            conflicting = given & text.str.match(DOT_EVIDENCE).fillna(False).to_numpy(dtype=bool)
            values = values.mask(conflicting)
            problems[UNCLEAR] = conflicting
        with_comma = shown.str.contains(",", regex=False).any()  # else the dots only group thousands
        return ParsedNumbers(values, problems, _note("decimal comma read" if with_comma else
                                                     "dots read as thousands separators", text, values))
    grouped = _convert(text, ".", ",").fillna(_convert(text, ".", " ")).fillna(_convert(text, ".", "'")).fillna(
        _convert(text, ".", "\u2019"))  # 1,234.5; 1 234.5; Swiss 1'234.5 (with a typographic apostrophe too)
    grouped = grouped.fillna(text_to_float(text.where(text.str.fullmatch(INDIAN).fillna(False)).str.replace(",", "")))
    ambiguous = text.str.match(AMBIGUOUS).fillna(False).to_numpy(dtype=bool)
    values = values.fillna(grouped.where(~ambiguous | (dot > 0)))
    unclear = given & values.isna().to_numpy(dtype=bool) & text.str.match(
        f"{AMBIGUOUS.pattern}|{COMMA_EVIDENCE.pattern}").fillna(False).to_numpy(dtype=bool)
    regrouped = given & failed & values.notna().to_numpy(dtype=bool)
    return ParsedNumbers(values, {UNCLEAR: unclear} if unclear.any() else {},
                         _note("thousands separators read", text[regrouped], values) if regrouped.any() else None)


def _note(what: str, text: pd.Series, values: pd.Series) -> str:
    """``what`` with the first example that shows it (a value read, written other than as plain digits), and the
    number it was read as."""
    shown = text[values.notna() & ~written_plain(text)]
    example = shown.index[0] if len(shown) else values.first_valid_index()
    return f"{what} (e.g. {text[example]!r} = {values[example]:,.10g})"


def written_plain(text: pd.Series) -> pd.Series:
    """Where a number is written as a program writes it ("-12", "7.5"): no grouping, no decimal comma."""
    return text.str.fullmatch(r"[+-]?\d+(?:\.\d+)?").fillna(True).astype(bool)


def numbers_or_text(column: pd.Series, decimal: str | None = None, thousands: str | None = None) -> pd.Series:
    """A column of unknown kind (a covariate, a trait): numbers when at least :data:`MOSTLY_NUMBERS` of its
    non-blank values read as one (decimal commas too), the others (``n/a``, ``bilinmiyor``) then missing; else
    text with blanks missing. An age with a few words among 300 numbers is an age, not 300 categories: the
    caller counts the words it finds missing (:func:`unread_words`).

    >>> numbers_or_text(pd.Series(["15,66", "7", ""])).tolist()
    [15.66, 7.0, nan]
    >>> numbers_or_text(pd.Series(["gold", "7"])).tolist()
    ['gold', '7']
    >>> numbers_or_text(pd.Series([*map(str, range(20, 60)), "bilinmiyor"])).iloc[-2:].tolist()
    [59.0, nan]

    Percentages (``10%``, ``12,5 %``) are numbers of points (10, 12.5), as :func:`percentages` finds them:

    >>> numbers_or_text(pd.Series(["0%", "10%", "12,5 %"])).tolist()
    [0.0, 10.0, 12.5]
    """
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return column.astype(float)
    text = column.astype("string").str.strip()
    text = text.where(text != "")
    numeric = text.str.replace(PERCENT_SIGN, "", regex=True) if percentages(column).any() else text
    present = numeric.dropna()
    if not len(present) or present.str.fullmatch(NUMBER_LIKE).mean() < MOSTLY_NUMBERS:
        return text
    numbers = parse_numbers(numeric, decimal, thousands).values
    return numbers.astype(float) if numbers.notna().sum() >= MOSTLY_NUMBERS * len(present) else text


MOSTLY_NUMBERS = 0.9  # the share of a column's values that must read as numbers for it to be a number column
PERCENT = re.compile(r"[+-]?\d+(?:[.,]\d+)?\s*%")
PERCENT_SIGN = r"\s*%$"


def percentages(column: pd.Series) -> np.ndarray:
    """Where a column of unknown kind holds a percentage ("10%"), when at least :data:`MOSTLY_NUMBERS` of its values
    are: a discount written so is a number of points, not a category per value. False everywhere otherwise."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return np.zeros(len(column), dtype=bool)
    text = column.astype("string").str.strip()
    found = text.str.fullmatch(PERCENT).fillna(False).to_numpy(dtype=bool)
    present = int((text.notna() & (text != "")).sum())
    return found if present and found.sum() >= MOSTLY_NUMBERS * present else np.zeros(len(column), dtype=bool)


def unread_words(column: pd.Series, read: pd.Series) -> np.ndarray:
    """Where ``column`` held a value that :func:`numbers_or_text` left missing (a word among numbers)."""
    text = column.astype("string").str.strip()
    return (read.isna() & text.notna() & (text != "")).to_numpy(dtype=bool)


def is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
