"""Text from the data inside messages: control characters escaped, long values cut.

A column name, a value or a sheet name holds whatever its file holds, terminal escape
sequences included (``\\x1b]0;title\\x07`` sets a terminal's title, ``\\x1b[2J`` clears the
screen). Messages quote one value with :func:`shown`; a whole message passes through
:func:`printable` before it is raised or printed, so nothing from a file reaches a terminal
raw and no value fills a screen.

>>> printable("column 'a\\x1b]0;owned\\x07' is missing\\r")
"column 'a\\\\x1b]0;owned\\\\x07' is missing\\\\r"
"""

from __future__ import annotations

import re

__all__ = ["MAX_LINE", "MAX_VALUE", "control_character", "printable", "shown"]

MAX_VALUE = 120  # characters of one quoted value
MAX_LINE = 2_000  # characters of one line of a message
# C0 and C1 control characters but the line break, bidirectional overrides and isolates, line and paragraph separators
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def shown(value, limit: int = MAX_VALUE) -> str:
    """A value as a message quotes it: its repr (control characters escaped), cut to ``limit`` characters.

    >>> shown("x" * 500, limit=12)
    "'xxxxxxxxxx... (502 characters)"
    >>> shown("ok\\x1b[2J")
    "'ok\\\\x1b[2J'"
    """
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 1]}... ({len(text)} characters)"


def control_character(value) -> str | None:
    """The first control character in the text of ``value`` (a string, or the strings of a list or mapping), escaped;
    None when it has none (a line break is none).

    >>> control_character({"plan": "Gold\\x1b[31m"}), control_character(["a", "b"])
    ('\\\\x1b', None)
    """
    if isinstance(value, dict):
        value = [*value, *value.values()]
    if isinstance(value, list | tuple):
        return next((found for item in value if (found := control_character(item))), None)
    match = _CONTROL.search(value) if isinstance(value, str) else None
    return _escape(match) if match else None


def printable(text: str, limit: int = MAX_LINE) -> str:
    """``text`` safe for a terminal: each line cut in the middle to ``limit`` characters, control characters escaped.

    Line breaks stay (messages use them); every other control character, and the
    characters that reorder text on screen, are written as Python escapes (``\\x1b``).

    >>> printable("a" * 30 + "z", limit=10)
    'aaaaa … (21 characters cut) … aaaaz'
    """
    return "\n".join(_CONTROL.sub(_escape, _cut(line, limit)) for line in str(text).split("\n"))


def _cut(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    half = limit // 2
    return f"{line[:half]} … ({len(line) - 2 * half:,} characters cut) … {line[-half:]}"


def _escape(match: re.Match) -> str:
    return match.group().encode("unicode_escape").decode("ascii")
