"""YAML that people write by hand (parameter files, comment taxonomies), read within bounds.

``yaml.safe_load`` builds no Python objects from tags, but it expands aliases: a few
hundred bytes of anchors that repeat each other (a "billion laughs") grow into billions of
items, minutes of work and then a ``MemoryError``. Parameter files and taxonomies need no
aliases, so a reference to an anchor (``*name``) is refused where it is met; so are a key
given twice in one mapping (YAML keeps the last, silently), a tag
that asks for a Python object (``!!python/...``), text over :data:`MAX_BYTES` and nesting
deeper than the parser can follow. Every refusal is a :class:`DataError` that says where.

>>> yaml_value("segment_cols: [plan, region]", "-y")
{'segment_cols': ['plan', 'region']}
>>> yaml_value("{score_col: 010, min_n: 30, k: 1_000}", "-y")  # YAML 1.1 would read 8 and 1000
{'score_col': '010', 'min_n': 30, 'k': '1_000'}
>>> yaml_value("a: &x [1, 2]\\nb: *x", "-y")
Traceback (most recent call last):
...
cxlib.io.quality.DataError: -y: an alias (*name) repeats another value; write the value out instead
  in "<unicode string>", line 2, column 4:
    b: *x
       ^
"""

from __future__ import annotations

import os
import re

import yaml

from .files import read_bounded
from .quality import DataError

__all__ = ["MAX_BYTES", "PLAIN_INT", "read_yaml", "yaml_value"]

PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
MAX_BYTES = 128 * 1024  # parameter files hold a few lines, the shipped taxonomies a few kilobytes


class _Refused(yaml.MarkedYAMLError):
    """YAML that is valid but not read here: an alias, or a tag for a Python object."""


class _Bounded(yaml.SafeLoader):
    """The safe loader, without aliases and without tags it does not know."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _Refused(None, None, "an alias (*name) repeats another value; write the value out instead",
                           self.peek_event().start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        """A mapping whose keys are each written once: YAML would keep the last of two, and the first would be lost
        without a word."""
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, str | int | float | bool) and key in seen:
                    raise _Refused(None, None, f"the key {key!r} is given twice in one mapping (lines "
                                   f"{seen[key] + 1} and {key_node.start_mark.line + 1}); keep one",
                                   key_node.start_mark)
                seen.setdefault(key, key_node.start_mark.line)
        return super().construct_mapping(node, deep=deep)

    def construct_plain_int(self, node):
        """An integer as people write it, digits after a sign; YAML 1.1's other integers (``010`` octal, ``0x1F``,
        ``1_000``, ``1:30`` sexagesimal) stay the text they are: an unquoted ``010`` is the column "010", not 8."""
        text = self.construct_scalar(node)
        return int(text) if PLAIN_INT.fullmatch(text) else text

    def construct_plain_float(self, node):
        """A number with a decimal mark or an exponent; ``1_000.5`` and ``1:30.5`` stay text, as integers do."""
        text = self.construct_scalar(node)
        return text if "_" in text or ":" in text else self.construct_yaml_float(node)

    def construct_undefined(self, node):
        raise _Refused(None, None, f"the tag {node.tag!r} is not read; write plain values (text, numbers, lists, "
                       "mappings)", node.start_mark)


_Bounded.add_constructor(None, _Bounded.construct_undefined)
_Bounded.add_constructor("tag:yaml.org,2002:int", _Bounded.construct_plain_int)
_Bounded.add_constructor("tag:yaml.org,2002:float", _Bounded.construct_plain_float)


def yaml_value(text: str, where: str):
    """The value of the YAML ``text``; :class:`DataError` naming ``where`` when it cannot be read within bounds."""
    if len(text) > MAX_BYTES:
        raise DataError(f"{where} holds more than {MAX_BYTES:,} characters of YAML", rule="bounded YAML")
    try:
        return yaml.load(text, Loader=_Bounded)  # the safe loader with fewer features, not more
    except _Refused as exc:
        raise DataError(f"{where}: {exc}", rule="plain YAML") from None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date that does not exist (2024-02-30), ...
        raise DataError(f"{where} is not valid YAML: {exc}{_yaml_hint(str(exc))}", rule="valid YAML") from None
    except RecursionError:
        raise DataError(f"{where}: its lists or mappings are nested too deeply", rule="plain YAML") from None


def _yaml_hint(message: str) -> str:
    """What to do about the parser's complaint, where it is a common one."""
    if "'\\t'" in message:  # PyYAML: found character '\t' that cannot start any token
        return "\n(indent with spaces: YAML does not allow tabs)"
    if "mapping values are not allowed" in message or "could not find expected ':'" in message or "'?'" in message:
        return '\n(quote a value that holds ":", "?" or "#": -y \'{score_col: "Q1: How likely?"}\')'
    return ""


def read_yaml(path: str | os.PathLike, what: str):
    """The value of the YAML file at ``path`` (a regular UTF-8 file of at most :data:`MAX_BYTES`); ``what`` names it."""
    data = read_bounded(path, MAX_BYTES, what)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{what} {path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as "
                        "UTF-8", rule="UTF-8 text") from None
    return yaml_value(text, f"{what} {path}")
