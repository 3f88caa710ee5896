"""Which text encoding a file is in: byte order marks, UTF-8, UTF-16, and the code pages of Excel.

Excel on Windows saves "CSV" in the computer's ANSI code page: cp1252 in Western Europe,
cp1254 in Turkey, cp1250 in Central Europe and for Serbian Latin (ISO-8859-2 on older
systems), cp1251 for Serbian Cyrillic (ISO-8859-5 on older systems), cp1253 in Greece,
cp1257 in the Baltic states;
Excel for the Mac saves "CSV" in Mac Roman with lines ended by CR alone; DOS programs and
many ERP systems write cp850 (Western Europe); "Unicode text"
is UTF-16 with a byte order mark. A general detector (charset-normalizer) tells which of these decode a file into plausible text, but on a
short file it cannot tell them apart: they share ASCII and most Western letters and
differ in a few positions (byte 0xFE is ş in cp1254, þ in cp1252, ţ in cp1250).

So the choice, in order:

1. a byte order mark (UTF-8, UTF-16 LE/BE) decides;
2. text that decodes as UTF-8 is UTF-8 (a text in a single-byte code page almost never
   does, since its letters above 127 would have to form valid multi-byte sequences);
3. UTF-16 without a mark is recognised by its zero bytes;
4. the code pages that decode to the same text are one choice (a German file reads the same in cp1252 and cp1250).
   Where they differ, a decoding with fewer impossible words wins: a word that mixes
   scripts (Latin and Cyrillic), holds a control character, has a symbol between two
   letters (``Z¸rich``) or a capital after a small letter outside ASCII (``GenŹve``) is one
   no language writes, and so is Greek with a final sigma inside a word, ΰ or two accents
   (Cyrillic bytes read in cp1253) (:func:`implausible_words`);
5. then each decoded text's letters outside ASCII are checked against the alphabets of the
   languages served: a code page wins whose text is written wholly in the alphabet of a
   language it is made for (Turkish for cp1254; Serbian Latin for cp1250 and ISO-8859-2;
   Serbian Cyrillic for cp1251 and ISO-8859-5; the Western languages for cp1252 and Mac
   Roman, and their common letters for cp850); where lines end in CR alone, Mac Roman wins among those (Excel for the Mac);
   otherwise the one with more of the letters that only Turkish or Serbian use (ş ğ ı İ;
   č ć š ž đ; ђ ј љ њ ћ џ). A tie is an error naming the candidates and the letters each
   would give, so that the user can pass ``encoding`` (a few Greek words in cp1253 read as
   plausible Cyrillic in ISO-8859-5: "Αθήνα" as "Сшоэс"). A text in no served alphabet
   (Hebrew, Arabic) is left to the general detector.

Baltic Windows (cp1257: Lithuanian, Latvian, Estonian) wins only with a letter of those
languages alone (ė, ų, ā, ķ, ...): its š and ž are the bytes of Turkish ğ and ş.

Known limits: a Western text whose only letter outside ASCII is è (or æ) reads as Serbian
č (ć) in cp1250, and a Lithuanian one whose only such letters are š and ž as Turkish ğ
and ş; one more letter (é or à; ė or ū) settles it. Pass ``encoding`` for such files.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

__all__ = ["CODE_PAGES", "EncodingError", "detect_encoding", "implausible_words"]

# code page -> (what it is, languages it is made for); where several read a file alike, the first is named
CODE_PAGES = {
    "cp1252": ("Western European Windows", ("western",)),
    "cp1254": ("Turkish Windows", ("turkish", "western")),
    "cp1250": ("Central European Windows", ("serbian", "western")),  # "serbian": Serbian Latin and Polish
    "iso8859_2": ("ISO-8859-2, Central European", ("serbian", "western")),
    "mac_roman": ("Mac Roman (Excel for the Mac)", ("western",)),
    "cp850": ("DOS Western European (cp850, as ERP and DOS programs write)", ("dos",)),
    "cp1251": ("Cyrillic Windows", ("cyrillic",)),
    "iso8859_5": ("ISO-8859-5, Cyrillic", ("cyrillic",)),
    "cp1253": ("Greek Windows", ("greek",)),
    "cp1257": ("Baltic Windows (Lithuanian, Latvian, Estonian)", ("baltic",)),
}
ALPHABETS = {
    "turkish": set("çğıİöşüÇĞÖŞÜâîûÂÎÛ"),
    # Serbian Latin, and Polish but for ą (cp1250 writes it where ISO-8859-2 writes Serbian š)
    "serbian": set("čćđšžČĆĐŠŽ") | set("ćęłńóśźżĆĘŁŃÓŚŹŻ"),
    "western": set("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœšžðþÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸŒŠŽÐÞ"),  # Icelandic ð þ
    # cp850 reads most bytes of the other pages as Western letters; Icelandic and capital accented vowels, which it
    # gives for Greek or Cyrillic bytes, do not make a DOS export's text
    "dos": set("àáâãäåæçèéêëìíîïñòóôõöøùúûüÿßÄÅÆÇÉÑÖØÜ"),
    "cyrillic": {chr(c) for c in range(0x400, 0x460)},  # Serbian Cyrillic, and the Cyrillic of its neighbours
    "greek": {chr(c) for c in range(0x386, 0x3D0)},  # Greek, a neighbour's (cp1253 reads Cyrillic bytes as letters)
    # Lithuanian, Latvian and Estonian; not Polish, which cp1257 writes too (Turkish ı read in cp1257 is ż)
    "baltic": set("ąčęėįšųūžĄČĘĖĮŠŲŪŽāēģīķļņŗĀĒĢĪĶĻŅŖõäöüÕÄÖÜ"),
}
# letters only the Turkish, Central European and Serbian Cyrillic pages add
DISTINCTIVE = set("şŞğĞıİčČćĆđĐšžŠŽ") | set("łŁśŚźŹżŻęĘ") | set("ђјљњћџЂЈЉЊЋЏ")
# letters of the Baltic languages alone: a Baltic reading must hold one to win (its š and ž are also a Turkish
# text's ğ and ş read in cp1257, so a Lithuanian text whose only letters outside ASCII are š and ž reads as Turkish)
BALTIC_ONLY = set("ąęėįųūĄĘĖĮŲŪāēģīķļņŗĀĒĢĪĶĻŅŖ")
# Cyrillic letters of Serbian alone, and those Serbian lacks (Russian, Ukrainian, Belarusian): no word holds both,
# as ISO-8859-5 read from cp1251 bytes does ("Ниш" becomes "Эшј")
SERBIAN_ONLY = set("ђјљњћџЂЈЉЊЋЏ")
NOT_SERBIAN = set("эыъёйщіїєґўЭЫЪЁЙЩІЇЄҐЎ")
# no word holds a letter of Russian (or Belarusian) that Ukrainian lacks and one of Ukrainian alone either, as
# ISO-8859-5 read from Greek bytes does ("Πάτρα" becomes "амєёс")
NOT_UKRAINIAN = set("ёыэъЁЫЭЪ")
UKRAINIAN_ONLY = set("єїґЄЇҐ")
# Greek as no Greek word is written, as cp1253 reads Cyrillic bytes ("Шабац" as "Ψΰαΰφ"): the final sigma ς inside
# a word, ΰ or ΐ (Cyrillic а and А), or two accents (a Greek word has one)
GREEK_RARE = set("ΰΐ")
GREEK_ACCENTED = set("άέήίόύώΆΈΉΊΌΎΏ")
WORD = re.compile(r"[^\s,;|\"'()\[\]{}<>=/\\]+")  # a run of characters between spaces and separators
COMMON_MARKS = set("-_.:&+'’‘“”«»–—…%€£$°#@!?*~^`")  # may stand between letters in real text
SAMPLE_BYTES = 1 << 20  # enough text to tell the code pages apart (with the first letters outside ASCII)
UTF8_LETTER = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")  # a letter written in UTF-8: before a bad byte, mixed encodings


class EncodingError(ValueError):
    """The encoding cannot be told; ``candidates`` are the likely ones."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()):
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True)
class Detected:
    """The encoding to decode with (a Python codec name) and how it was found."""

    codec: str
    name: str
    how: str


UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")


def _mostly_utf8(data: bytes) -> bool:
    """Letters written in UTF-8 hold most of the non-ASCII bytes (four fifths; and there are three or more): a
    UTF-8 file with some lines in a code page. In text written in a code page, or in a two-byte one such as GBK,
    bytes that happen to form UTF-8 letters are a minority."""
    found = [m.group() for m in UTF8_SEQUENCE.finditer(data) if m.group().decode("utf-8", "ignore").isalpha()]
    non_ascii = sum(len(run) for run in NON_ASCII_RUN.findall(data))
    return len(found) >= 3 and sum(map(len, found)) >= 0.8 * non_ascii


def _bom(data: bytes) -> Detected | None:
    if data.startswith(codecs.BOM_UTF8):
        return Detected("utf-8-sig", "UTF-8", "byte order mark")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 starts with FF FE
        return Detected("utf-32", "UTF-32", "byte order mark")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Detected("utf-16", "UTF-16", "byte order mark")
    return None


def _utf16_without_bom(data: bytes) -> Detected | None:
    """Text of ASCII letters in UTF-16 has a zero in every other byte."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.4 * len(head) / 2 and even < 0.05 * len(head) / 2:
        return Detected("utf-16-le", "UTF-16 LE", "zero bytes")
    if even > 0.4 * len(head) / 2 and odd < 0.05 * len(head) / 2:
        return Detected("utf-16-be", "UTF-16 BE", "zero bytes")
    return None


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ord(ch) > 127 and ch.isalpha()]


def _fit(codec: str, text: str, letters: list[str]) -> tuple[bool, int]:
    """Whether the letters are all of one language the page serves, and how many are distinctive. A Baltic reading
    also holds no word of three or more letters all outside ASCII: Lithuanian writes none, Cyrillic read in cp1257
    is nothing else ("Ниш" reads "Ķčų")."""
    written = any(all(ch in ALPHABETS[lang] for ch in letters) for lang in CODE_PAGES[codec][1])
    if codec == "cp1257":
        written = written and not any(len(word) >= 3 and all(ord(ch) > 127 for ch in word)
                                      for word in re.findall(r"[^\W\d_]+", text))
        return written, sum(ch in BALTIC_ONLY for ch in letters)
    return written, sum(ch in DISTINCTIVE for ch in letters)


def _script(ch: str) -> str:
    """The script of a letter: the first word of its Unicode name (LATIN, CYRILLIC, GREEK, HEBREW, ...)."""
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def _impossible(word: str) -> bool:
    previous = ""
    scripts = set()
    for i, ch in enumerate(word):
        category = unicodedata.category(ch)
        if category in ("Cc", "Co", "Cn"):
            return True
        if ch.isalpha():
            scripts.add(_script(ch))
            if ord(ch) > 127 and ch.isupper() and previous.islower():
                return True
        elif ord(ch) > 127 and ch not in COMMON_MARKS and previous.isalpha() and word[i + 1:i + 2].isalpha():
            return True
        previous = ch
    if scripts == {"GREEK"}:
        return ("ς" in word.rstrip(".")[:-1] or bool(GREEK_RARE.intersection(word))
                or sum(ch in GREEK_ACCENTED for ch in word) > 1)
    return len(scripts) > 1 or any(bool(one.intersection(word)) and bool(other.intersection(word))
                                   for one, other in ((SERBIAN_ONLY, NOT_SERBIAN), (NOT_UKRAINIAN, UKRAINIAN_ONLY)))


def implausible_words(text: str) -> int:
    """How many words outside ASCII no language writes so (see the module's docstring, rule 4).

    >>> implausible_words("Zürich;Genève"), implausible_words("Z¸rich;GenŹve"), implausible_words("Ниш;Nиш")
    (0, 2, 1)
    """
    return sum(_impossible(word) for word in WORD.findall(text) if not word.isascii())


def _examples(letters: list[str]) -> str:
    return " ".join(dict.fromkeys(letters))[:30]


def detect_encoding(data: bytes) -> Detected:
    """The encoding of ``data`` (see the module's docstring for the rules).

    >>> detect_encoding("Şube;İl\\nKadıköy;İstanbul\\n".encode("cp1254")).codec
    'cp1254'
    >>> detect_encoding("Grad,Ocena\\nČačak,9\\nNiš,7\\n".encode("cp1250")).codec
    'cp1250'
    >>> detect_encoding("ville\\nOrléans\\nBesançon à côté\\n".encode("cp1252")).codec
    'cp1252'
    >>> detect_encoding("grad;ocena\\rZürich;9\\rGenève;7\\r".encode("mac_roman")).codec
    'mac_roman'
    >>> detect_encoding("Град;Оцена\\nЉубовија;9\\nЋуприја;7\\n".encode("cp1251")).codec
    'cp1251'
    >>> detect_encoding("Kunde;Filiale\\r\\n1;Köln\\r\\n2;München\\r\\n3;Zürich\\r\\n".encode("cp850")).codec
    'cp850'
    >>> detect_encoding("Įvertinimas;Miestas\\n9;Klaipėda\\n7;Šiauliai\\n".encode("cp1257")).codec
    'cp1257'
    """
    found = _bom(data) or _utf16_without_bom(data[:SAMPLE_BYTES])
    if found:
        return found
    nul = data.find(b"\x00", 0, SAMPLE_BYTES)
    if nul >= 0:  # text in one byte per letter never holds NUL: a binary file, or an export padded with NULs
        raise EncodingError(f"the file holds NUL bytes (the first at byte {nul:,}), which no text file does: it is a "
                            "binary file of an unknown kind, not a CSV; export the data again as CSV, Excel or "
                            "Parquet")
    try:
        data.decode("utf-8")
        return Detected("utf-8", "UTF-8", "valid UTF-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        if UTF8_LETTER.search(data[:exc.start]) or _mostly_utf8(data[:8 * SAMPLE_BYTES]):
            raise EncodingError(f"the file mixes encodings: it is UTF-8 except on line {line} (and maybe others), "
                                f"whose byte {data[exc.start:exc.start + 1]!r} is not; save the whole file in one "
                                "encoding (UTF-8)") from None
        first = exc.start
    sample = data[:SAMPLE_BYTES] if first < SAMPLE_BYTES else data[:SAMPLE_BYTES // 2] + data[first:][:SAMPLE_BYTES // 2]
    texts: dict[str, str] = {}  # one code page per distinct text, in CODE_PAGES' order of preference
    cr_lines = sample.count(b"\r") > 2 * sample.count(b"\n")
    for codec in CODE_PAGES:
        if codec == "mac_roman" and not cr_lines:  # Excel for the Mac wrote it with CR line ends; KOI8-R is no Mac Roman
            continue
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        if text not in texts.values():
            texts[codec] = text
    if len(texts) == 1:
        codec = next(iter(texts))
        return Detected(codec, CODE_PAGES[codec][0], "detected")
    impossible = {codec: implausible_words(text) for codec, text in texts.items()}
    texts = {codec: text for codec, text in texts.items() if impossible[codec] == min(impossible.values())}
    letters = {codec: _letters(text) for codec, text in texts.items()}
    fits = {codec: _fit(codec, texts[codec], letters[codec]) for codec in texts}
    written = {codec: distinctive for codec, (ok, distinctive) in fits.items() if ok}
    if "mac_roman" in written and cr_lines:
        return Detected("mac_roman", CODE_PAGES["mac_roman"][0], "detected from the letters and the CR line ends")
    if written:
        top = max(written.values())
        best = [codec for codec, distinctive in written.items() if distinctive == top]
        if len(best) == 1:
            return Detected(best[0], CODE_PAGES[best[0]][0], "detected from the letters")
    else:  # no served language: another code page altogether (Greek, Hebrew, ...)?
        other = from_bytes(sample).best()
        if other is not None and other.encoding not in CODE_PAGES:
            return Detected(other.encoding, other.encoding, "detected (charset-normalizer)")
        best = list(texts)
    if not best:
        raise EncodingError("the file is not text in UTF-8, UTF-16 or a Windows code page")
    shown = "; ".join(f"{c} ({CODE_PAGES[c][0]}) would give {_examples(letters[c])}" for c in best)
    raise EncodingError(f"the encoding cannot be told for sure: {shown}", tuple(best))
