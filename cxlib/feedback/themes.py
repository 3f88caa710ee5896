"""Themes of open-ended comments: a transparent keyword taxonomy, tolerant of case, accents and typos.

A taxonomy is a YAML file (``cxlib/feedback/taxonomies/en.yaml`` ships as the default, ``tr.yaml``
shows the same format in Turkish)::

    language: en
    themes:
      pricing:
        label: Pricing
        owner: Retention team
        keywords: [expensive, "too high", cheaper, price*]
        patterns: ['\\bnot worth\\b']

A comment carries a theme when one of its keywords or patterns matches; a comment can
carry several themes, and one that matches none is counted as *untagged* (never dropped).

Matching, in order of leniency:

1. Comments and keywords are normalised: Unicode case folding, accents removed (NFKD
   without combining marks, so "café" = "cafe" and "Ödeme" = "odeme"; Turkish dotless
   "ı" = "i"), anything that is not a letter or digit becomes a word break.
2. A keyword is a word or a phrase of words matched word by word, in order. A word
   ending in ``*`` matches any word it begins (``crash*``: crash, crashes, crashing).
3. Typos: a keyword word of at least ``fuzzy_min_length`` letters (default 5) also matches
   a word at Damerau-Levenshtein distance 1 (one letter missing, extra, wrong, or two
   neighbours swapped: "proviedrs", "expnsive"); Damerau (1964).
4. ``patterns`` are regular expressions searched in the normalised comment, for what
   keywords cannot say.

Words are matched once per distinct word of the corpus, so tagging a million comments
costs a dictionary lookup per word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.estimate import MIN_N
from ..core.inference import wilson_interval
from ..formatting.claims import Claim
from ..io.column_names import column_arguments
from ..io.quality import DataError, check_columns
from ..io.yaml_files import read_yaml

__all__ = ["Taxonomy", "Theme", "load_taxonomy", "normalize", "placeholder_comments", "tag_themes", "theme_claim",
           "theme_table", "UNTAGGED"]

UNTAGGED = "untagged"
TAXONOMY_DIR = Path(__file__).parent / "taxonomies"
_WORD_BREAK = re.compile(r"[\W_]+")  # between words of any script: Cyrillic comments are words too


# what an export writes where a customer left no comment, in the languages reports speak (compared normalized)
PLACEHOLDERS = frozenset({"no comment", "no comments", "none", "n a", "na", "nothing", "nothing to add", "nil",
                          "yorum yok", "yok", "yorumum yok", "nema", "nema komentara", "bez komentara", "нема",
                          "нема коментара", "без коментара"})


def placeholder_comments(comments: pd.Series) -> pd.Series:
    """Where a comment only says that there is none ("No comment", "N/A", "-", "Yorum yok", "Nema komentara")."""
    text = comments.astype("string")
    distinct = pd.unique(text.dropna().to_numpy(dtype=object))
    empty = {c for c in distinct if normalize(c) in PLACEHOLDERS or (c.strip() and not normalize(c))}
    return text.isin(list(empty)).fillna(False).astype(bool)


def normalize(text: str) -> str:
    """Case-folded, accent-free text with single spaces between words.

    >>> normalize("Café-style ÖDEME İşlemi, TOO   expensive!"), normalize("Спора испорука!")
    ('cafe style odeme islemi too expensive', 'спора испорука')
    """
    folded = unicodedata.normalize("NFKD", text.replace("ı", "i").casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD_BREAK.sub(" ", stripped).strip()


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein (optimal string alignment) distance of ``a`` and ``b`` is at most 1.

    >>> [within_one_edit("provider", w) for w in ("provider", "proviedr", "provder", "providers", "prvdr")]
    [True, True, True, True, False]
    """
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


@dataclass(frozen=True)
class Theme:
    """One theme: its name, label, suggested owner, keywords (tuples of words) and patterns."""

    name: str
    label: str
    owner: str
    keywords: tuple[tuple[str, ...], ...]
    patterns: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Themes in order (ties keep the first) with the typo tolerance; ``source`` says where they came from (a
    shipped taxonomy by name, ``"en (shipped)"``, or a YAML file's path)."""

    themes: tuple[Theme, ...]
    language: str = "en"
    fuzzy_min_length: int = 5
    source: str = ""

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]

    def owner(self, theme: str) -> str:
        return next((t.owner for t in self.themes if t.name == theme), "")

    def label(self, theme: str) -> str:
        return next((t.label for t in self.themes if t.name == theme), theme)

    def word_matches(self, keyword: str, word: str) -> bool:
        """Does one keyword word (``*`` = prefix) match one comment word, allowing one typo?"""
        return _word_matches(keyword, word, self.fuzzy_min_length)

    def tag(self, comments: pd.Series) -> pd.DataFrame:
        """One boolean column per theme and ``untagged``; rows without a comment are missing (not counted), and so
        are placeholders that say there is none ("No comment", "-", "yok": :func:`placeholder_comments`). A comment
        is read for themes up to :data:`TAGGED_CHARACTERS` (what is longer is a pasted document, whose words would
        take minutes to match)."""
        text = comments.astype("string")
        present = text.notna() & (text.str.strip() != "") & ~placeholder_comments(text)
        distinct = pd.unique(text[present].to_numpy(dtype=object))
        tagged = np.array([self._tag_one(normalize(c[:TAGGED_CHARACTERS])) for c in distinct],
                          dtype=bool).reshape(len(distinct), len(self.themes))
        position = pd.Index(distinct).get_indexer(text[present].to_numpy(dtype=object))
        out = pd.DataFrame(pd.NA, index=comments.index, columns=[*self.names, UNTAGGED], dtype="boolean")
        out.loc[present.to_numpy(dtype=bool), self.names] = tagged[position]
        out.loc[present.to_numpy(dtype=bool), UNTAGGED] = ~tagged[position].any(axis=1)
        return out

    def _tag_one(self, text: str) -> list[bool]:
        words = text.split()
        return [any(_phrase_at(keyword, words, self.fuzzy_min_length) for keyword in theme.keywords)
                or any(p.search(text) for p in theme.patterns) for theme in self.themes]


TAGGED_CHARACTERS = 20_000  # about ten pages: the longest comment a customer writes by hand


def _phrase_at(keyword: tuple[str, ...], words: list[str], fuzzy_min_length: int) -> bool:
    k = len(keyword)
    return any(all(_word_matches(keyword[j], words[i + j], fuzzy_min_length) for j in range(k))
               for i in range(len(words) - k + 1))


@cache
def _word_matches(keyword: str, word: str, fuzzy_min_length: int) -> bool:
    prefix = keyword.endswith("*")
    stem = keyword.rstrip("*")
    if word == stem or (prefix and word.startswith(stem)):
        return True
    if len(stem) < fuzzy_min_length:
        return False
    if not prefix:
        return within_one_edit(stem, word)
    return any(within_one_edit(stem, word[:n]) for n in (len(stem) - 1, len(stem), len(stem) + 1) if n <= len(word))


def load_taxonomy(taxonomy: str | Path | Taxonomy = "en") -> Taxonomy:
    """A taxonomy by language code of a shipped file (``"en"``, ``"tr"``) or from a YAML path."""
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    path = Path(taxonomy)
    if not path.suffix:
        path = TAXONOMY_DIR / f"{taxonomy}.yaml"
        if not path.exists():
            shipped = sorted(p.stem for p in TAXONOMY_DIR.glob("*.yaml"))
            raise DataError(f"no shipped taxonomy {taxonomy!r}; shipped: {shipped}, or give a YAML file's path",
                            rule="taxonomy exists")
    spec = read_yaml(path, "taxonomy")
    if not isinstance(spec, dict) or not isinstance(spec.get("themes"), dict) or not spec["themes"]:
        raise DataError(f"{path}: a taxonomy needs a 'themes' mapping of theme name -> keywords/patterns",
                        rule="taxonomy format")
    themes = []
    for name, body in spec["themes"].items():
        body = body or {}
        unknown = set(body) - {"label", "owner", "keywords", "patterns"}
        if unknown:
            raise DataError(f"{path}: theme {name!r} has unknown keys {sorted(unknown)}", rule="taxonomy format")
        keywords = tuple(tuple(_normalize_keyword(w) for w in str(k).split()) for k in body.get("keywords", []))
        try:
            patterns = tuple(re.compile(p) for p in body.get("patterns", []))
        except re.error as exc:
            raise DataError(f"{path}: theme {name!r} has an invalid pattern: {exc}", rule="taxonomy format") from exc
        if not keywords and not patterns:
            raise DataError(f"{path}: theme {name!r} has neither keywords nor patterns", rule="taxonomy format")
        themes.append(Theme(str(name), str(body.get("label", name)), str(body.get("owner", "")), keywords, patterns))
    shipped = path.parent == TAXONOMY_DIR  # recorded by name: results carry no path of the installation
    return Taxonomy(tuple(themes), str(spec.get("language", "")), int(spec.get("fuzzy_min_length", 5)),
                    f"{path.stem} (shipped)" if shipped else str(path))


def _normalize_keyword(word: str) -> str:
    return normalize(word.rstrip("*")).replace(" ", "") + ("*" if word.endswith("*") else "")


@column_arguments("text")
def tag_themes(data: pd.DataFrame, text: str = "comment", taxonomy: str | Path | Taxonomy = "en") -> pd.DataFrame:
    """The theme flags of each row's comment (see :meth:`Taxonomy.tag`)."""
    check_columns([text], data.columns)
    return load_taxonomy(taxonomy).tag(data[text])


@column_arguments("text", "by")
def theme_table(data: pd.DataFrame, text: str = "comment", by: str | Sequence[str] | None = None,
                taxonomy: str | Path | Taxonomy = "en", ci: float = 0.95) -> pd.DataFrame:
    """Share of comments carrying each theme (per group of ``by``), with Wilson intervals, most frequent first.

    Tidy: [by...], theme, label, comments (the denominator: rows with a comment), count,
    share (%), ci_low, ci_high, small_n. Shares of themes can add to more than 100: a
    comment may carry several. ``untagged`` counts comments that matched no theme.
    """
    tax = load_taxonomy(taxonomy)
    flags = tag_themes(data, text, tax)
    keys = [by] if isinstance(by, str) else list(by or [])
    has_comment = flags[UNTAGGED].notna()
    frame = flags[has_comment].astype(bool)
    for key in keys:
        frame[key] = data.loc[has_comment, key]
    long = frame.melt(id_vars=keys, var_name="theme", value_name="tagged")
    grouped = long.groupby([*keys, "theme"], sort=False, observed=True)["tagged"].agg(["size", "sum"]).reset_index()
    grouped = grouped.rename(columns={"size": "comments", "sum": "count"})
    n = grouped["comments"].to_numpy(float)
    low, high = wilson_interval(grouped["count"].to_numpy(float) / n, n, ci)
    grouped["share"] = 100 * grouped["count"] / grouped["comments"]
    grouped["ci_low"], grouped["ci_high"] = 100 * low, 100 * high
    grouped["small_n"] = grouped["comments"] < MIN_N
    grouped.insert(len(keys) + 1, "label", grouped["theme"].map(lambda t: tax.label(t) if t != UNTAGGED
                                                                 else "No theme found"))
    order = grouped["theme"].eq(UNTAGGED)  # untagged last within each group
    return (grouped.assign(_last=order).sort_values([*keys, "_last", "count"], ascending=[True] * len(keys)
                                                                                        + [True, False], kind="stable")
            .drop(columns="_last").reset_index(drop=True))


def theme_claim(key: str, template: str, row: pd.Series) -> Claim:
    """A claim on one theme's share of comments (a :func:`theme_table` row); the template shows ``{label}``,
    ``{share}``, ``{low}`` and ``{high}`` (percent, whole numbers) and ``{comments}`` (how many)."""
    return Claim(key, template, {"label": row["label"].lower(), "share": f"{row['share']:.0f}",
                                 "low": f"{row['ci_low']:.0f}", "high": f"{row['ci_high']:.0f}",
                                 "comments": f"{row['comments']:,}"},
                 {"theme": row["theme"], "share": row["share"], "ci_low": row["ci_low"], "ci_high": row["ci_high"]})
