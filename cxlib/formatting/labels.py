"""Display names and money: what a report shows for a column, a value, a model term or an amount.

Results keep the data's own names (results.json is read by programs); everything a
report shows passes through this module. A name the user mapped with the ``labels``
parameter shows as mapped. Otherwise:

* a column name written as an identifier is humanised: ``price_value`` -> "Price value",
  ``nps`` -> "NPS" (known acronyms stay capitals); other names show as written;
* a value shows as written, except that underscores become spaces (``sales_call`` ->
  "sales call", beside "cancellation" as the data write it; known acronyms in capitals);
* a model term reads as the comparison it estimates: ``plan[premium]`` with reference
  level ``basic`` -> "Plan: premium vs basic" (patsy's ``plan[T.premium]`` alike);
* an amount carries its currency (the ``currency`` parameter, an ISO 4217 code):
  ``2675`` in EUR -> "€2,675", in CHF -> "2,675 CHF"; without a currency, the number alone.

The settings hold for the running kernel, as pandas' display options do: the study
runner calls :func:`use` with the study's parameters before the report is drawn.

>>> use(labels={"Q7": "Ease of use"}, currency="EUR")
>>> name("Q7"), name("price_value"), value("sales_call"), value("West")
('Ease of use', 'Price value', 'sales call', 'West')
>>> term("plan[premium]", {"plan": "basic"}), money(-2675.4)
('Plan: premium vs basic', '-€2,675')
>>> use()
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["SYMBOLS", "currency", "level_of", "money", "money_unit", "name", "term", "use", "value"]

ACRONYMS = {"nps", "csat", "ces", "cx", "id", "fcr", "ltr", "clv", "ltv", "sla", "vip", "url", "roi", "npv"}
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "TRY": "₺", "KRW": "₩", "ILS": "₪",
           "NGN": "₦", "PHP": "₱", "UAH": "₴", "VND": "₫", "PLN": "zł"}  # others are written after the amount
_AFTER = {"PLN"}  # symbols written after the amount
UNIT_SUFFIX = re.compile(r"(.+?)_?\(([^()]+)\)")  # a name with its unit in brackets, as R and SPSS exports write it
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")
TERM = re.compile(r"(?P<column>.+?)\[(?:T\.)?(?P<level>.*)\]")


@dataclass
class _Settings:
    labels: dict = field(default_factory=dict)
    currency: str | None = None


_settings = _Settings()


def use(labels: Mapping | None = None, currency: str | None = None) -> None:
    """Set the display names (``{name in the data: name to show}``) and the currency for what follows."""
    _settings.labels = {str(k): str(v) for k, v in (labels or {}).items()}
    _settings.currency = currency.upper() if currency else None


def currency() -> str | None:
    """The ISO code amounts are shown in, or None when it was not given."""
    return _settings.currency


def money_unit() -> str:
    """The unit of a money figure (:mod:`cxlib.formatting.figures`): the currency code, or "amount" without one."""
    return _settings.currency or "amount"


def _humanise(text: str) -> str:
    words = text.split("_")
    words = [w.upper() if w.lower() in ACRONYMS else w for w in words]
    first = words[0]
    words[0] = first if first.isupper() and len(first) > 1 else first[:1].upper() + first[1:]
    return " ".join(w if i == 0 or w.isupper() else w.lower() for i, w in enumerate(words))


def name(column) -> str:
    """A column (or driver, covariate) as a reader knows it: the user's label, or the humanised identifier.

    >>> name("ease_of_use"), name("nps"), name("Tenure (months)"), name("LTR"), name("time_to_diagnosis_(months)")
    ('Ease of use', 'NPS', 'Tenure (months)', 'LTR', 'Time to diagnosis (months)')
    """
    text = str(column)
    if text in _settings.labels:
        return _settings.labels[text]
    if (unit := UNIT_SUFFIX.fullmatch(text)) and IDENTIFIER.fullmatch(unit[1]):  # "time_(years)": name, then unit
        return f"{_humanise(unit[1])} ({unit[2]})"
    return _humanise(text) if IDENTIFIER.fullmatch(text) else text


def in_text(column) -> str:
    """A column's name inside a sentence: the user's label, or a name written with a capital, as written; else the
    humanised identifier with a small first letter (acronyms stay capitals).

    >>> in_text("region"), in_text("journey_stage"), in_text("nps_group"), in_text("Paket"), in_text("Tenure (months)")
    ('region', 'journey stage', 'NPS group', 'Paket', 'Tenure (months)')
    """
    text = str(column)
    if text in _settings.labels or not IDENTIFIER.fullmatch(text) or not text[:1].islower():
        return name(column)  # a label, or a name its writer capitalised ("Paket"), as written
    shown = name(column)
    return shown if shown.split(" ")[0].isupper() else shown[:1].lower() + shown[1:]


def value(level) -> str:
    """A value of the data as a reader knows it: the user's label, an identifier humanised, else as written.

    >>> value("not_yet_surveyed"), value("premium"), value(3), value("sms_nps")
    ('not yet surveyed', 'premium', '3', 'sms NPS')
    """
    text = str(level)
    if text in _settings.labels:
        return _settings.labels[text]
    if "_" not in text or not IDENTIFIER.fullmatch(text):
        return text
    return " ".join(w.upper() if w.lower() in ACRONYMS else w for w in text.split("_"))


def level_of(column, level) -> str:
    """A segment named alone, as a reader knows it: its value, after its column's name where the value alone says
    nothing (yes or no, a number).

    >>> level_of("smoker", "no"), level_of("tx", 1), level_of("region", "West")
    ('Smoker: no', 'Tx: 1', 'West')
    """
    shown = value(level)
    alone = shown.strip().casefold() in ("yes", "no") or re.fullmatch(r"[+-]?\d+([.,]\d+)?", shown.strip())
    return f"{name(column)}: {shown}" if alone else shown


def term(text, references: Mapping | None = None) -> str:
    """A model term as the comparison it estimates: "Plan: premium vs basic"; a plain name humanised.

    ``references`` maps a column to its reference level (the level every other is
    compared with). Without one, the term reads "Plan: premium".

    >>> term("nps_state[T.detractor]", {"nps_state": "promoter"}), term("age")
    ('NPS state: detractor vs promoter', 'Age')
    """
    text = str(text)
    if text in _settings.labels:
        return _settings.labels[text]
    match = TERM.fullmatch(text)
    if not match:
        return name(text)
    column, level = match["column"], match["level"]
    reference = (references or {}).get(column)
    return f"{name(column)}: {value(level)}" + (f" vs {value(reference)}" if reference is not None else "")


def money(amount, digits: int = 0, code: str | None = None) -> str:
    """An amount with its currency: "€2,675", "2,675 CHF"; without a currency the number alone; missing "n/a".

    ``code`` overrides the currency set with :func:`use`.

    >>> use(currency="CHF"); money(1234.5, 1); money(-5, code="USD"); use()
    '1,234.5\\xa0CHF'
    '-$5'
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "n/a"
    sign, number = ("-" if amount < 0 else ""), f"{abs(amount):,.{digits}f}"
    code = code or _settings.currency
    if code is None:
        return sign + number
    symbol = SYMBOLS.get(code)
    if symbol is None or code in _AFTER:
        return f"{sign}{number}\u00a0{symbol or code}"
    return f"{sign}{symbol}{number}"
