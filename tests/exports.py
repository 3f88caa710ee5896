"""A corpus of export shapes built from the bundled sample: what CX teams' tools and spreadsheets write.

Every shape holds the same answers as a clean UTF-8 CSV of the same columns, so a study
on it must give the clean file's results. Bases: English column names, Turkish names and
places, Serbian Latin names and places.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat

import cxlib as cx

PLACES = {"turkish": ["Beşiktaş", "Kadıköy", "Şişli", "Üsküdar"],
          "serbian": ["Čačak", "Niš", "Šabac", "Đurđevo"],
          "english": ["East", "North", "South", "West"]}
NAMES = {  # column names of each base (English, Turkish, Serbian Latin)
    "english": ["response_id", "nps", "plan", "region", "survey_date", "revenue", "speed", "ease", "knowledge",
                "friendliness", "price", "brand"],
    "turkish": ["YanıtNo", "Puan", "Paket", "İl", "Tarih", "Gelir", "Hız", "Kolaylık", "Bilgi", "Nezaket", "Fiyat",
                "Marka"],
    "serbian": ["OdgovorBr", "Ocena", "Paket", "Grad", "Datum", "Prihod", "Brzina", "Lakoća", "Znanje",
                "Ljubaznost", "Cena", "Brend"],
}
ROWS = 1500


@dataclass(frozen=True)
class Shape:
    """One export: the file, the base it holds, and the extra parameters a study needs for it (sheet, ...)."""

    name: str
    path: Path
    base: str
    extra: dict = field(default_factory=dict)


def base_frame(language: str) -> pd.DataFrame:
    """The first answers of the sample, with the base's column names and places; revenue is yearly (thousands)."""
    frame = cx.io.load().survey_frame().head(ROWS)
    regions = dict(zip(sorted(frame["region"].unique()), PLACES[language], strict=True))
    out = pd.DataFrame({
        "id": frame["response_id"], "nps": frame["nps"].astype("Float64"), "plan": frame["plan"],
        "region": frame["region"].map(regions), "date": frame["survey_date"],
        "revenue": (frame["monthly_revenue"] * 12).round(2),
        **{d: frame[s].astype("Float64") for d, s in zip(
            ["speed", "ease", "knowledge", "friendliness", "price", "brand"],
            ["speed", "ease_of_use", "knowledgeable_help", "friendly_service", "price_value", "brand_image"],
            strict=True)}})
    out.columns = NAMES[language]
    return out.reset_index(drop=True)


def parameters(language: str) -> dict:
    """The segment study's parameters for a base: the column names, nothing else."""
    n = NAMES.get(language, NAMES["english"])
    return {"score_col": n[1], "segment_cols": [n[2], n[3]], "date_col": n[4], "revenue_col": n[5], "id_col": n[0]}


def driver_parameters(language: str) -> dict:
    n = NAMES.get(language, NAMES["english"])
    return {"outcome": n[1], "driver_groups": {"CX": n[6:10], "Price": [n[10]], "Brand": [n[11]]}, "n_boot": 50,
            "segment_col": None}


def _number(value, decimal: str, thousands: str) -> str:
    if pd.isna(value):
        return ""
    text = f"{value:,.2f}" if float(value) != int(value) or thousands else f"{int(value)}"
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    return text


def _date(value: pd.Timestamp, style: str, row: int) -> str:
    hour, minute = 8 + row % 10, (7 * row) % 60
    return {"iso": f"{value:%Y-%m-%d}", "dmy.": f"{value:%d.%m.%Y}", "dmy/": f"{value:%d/%m/%Y}",
            "iso_time": f"{value:%Y-%m-%d} {hour:02d}:{minute:02d}:05",
            "mdy_time": f"{value.month}/{value.day}/{value.year} {(hour - 1) % 12 + 1}:{minute:02d}:05 "
                        f"{'AM' if hour < 12 else 'PM'}",
            "google_forms": f"{value:%Y/%m/%d} {(hour - 1) % 12 + 1}:{minute:02d}:05 {'AM' if hour < 12 else 'PM'} EET",
            "weekday": f"{value:%A}, {value:%B} {value.day}, {value.year}"}[style]


def _score(value, labelled: bool) -> str:
    if pd.isna(value):
        return ""
    value = int(value)
    if labelled and value in (0, 10):
        return {0: "0 - Not at all likely", 10: "10 - Extremely likely"}[value]
    return str(value)


def text_export(frame: pd.DataFrame, sep: str = ",", decimal: str = ".", thousands: str = "", dates: str = "iso",
                labelled: bool = False, header_rows: list[list[str]] | None = None, currency: bool = False,
                spellings: bool = False) -> str:
    """The frame as delimited text the way a spreadsheet or survey tool writes it; with ``currency`` the revenue
    carries the euro's sign or code, with ``spellings`` every third region is written in capitals or with a space
    after it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    names = list(frame.columns)
    writer.writerow(names)
    for extra in header_rows or []:
        writer.writerow(extra)
    for i, row in enumerate(frame.itertuples(index=False)):
        revenue = _number(row[5], decimal, thousands)
        if currency and revenue:
            revenue = f"€{revenue}" if i % 2 else f"{revenue} EUR"
        region = (row[3].upper() if i % 6 == 2 else f"{row[3]} ") if spellings and i % 3 == 2 else row[3]
        cells = [row[0], _score(row[1], labelled), row[2], region, _date(row[4], dates, i), revenue,
                 *(_number(v, decimal, "") for v in row[6:])]
        writer.writerow(cells)
    return out.getvalue()


def _write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def build(folder: Path) -> dict[str, Shape]:
    """Every export shape, written into ``folder``: name -> Shape (the clean files are ``clean-<base>``)."""
    shapes: dict[str, Shape] = {}

    def add(name: str, path: Path, base: str, **extra) -> None:
        shapes[name] = Shape(name, path, base, extra)

    frames = {language: base_frame(language) for language in NAMES}
    for language, frame in frames.items():
        add(f"clean-{language}", _write(folder / f"clean-{language}.csv", text_export(frame)), language)
    en, tr, sr = frames["english"], frames["turkish"], frames["serbian"]
    text = text_export(en)
    add("utf8-bom", _write(folder / "bom.csv", "\ufeff" + text), "english")
    add("crlf", _write(folder / "crlf.csv", text, newline="\r\n"), "english")
    add("cr-only", _write(folder / "cr.csv", text, newline="\r"), "english")
    add("tab", _write(folder / "tab.tsv", text_export(en, sep="\t")), "english")
    add("pipe", _write(folder / "pipe.txt", text_export(en, sep="|")), "english")
    add("semicolon-decimal-comma", _write(folder / "semicolon.csv", text_export(en, sep=";", decimal=",")), "english")
    add("thousands-dot-decimal-comma", _write(folder / "thousands.csv", text_export(
        en, sep=";", decimal=",", thousands=".")), "english")
    add("thousands-comma", _write(folder / "thousands-comma.csv", text_export(en, thousands=",")), "english")
    add("day-first-dots", _write(folder / "dmy-dots.csv", text_export(en, dates="dmy.")), "english")
    add("day-first-slashes", _write(folder / "dmy-slashes.csv", text_export(en, dates="dmy/")), "english")
    add("month-first-with-time", _write(folder / "mdy.csv", text_export(en, dates="mdy_time")), "english")
    add("iso-with-time", _write(folder / "iso-time.csv", text_export(en, dates="iso_time")), "english")
    add("labelled-end-points", _write(folder / "labels.csv", text_export(en, labelled=True)), "english")
    turkish_excel = text_export(tr, sep=";", decimal=",", thousands=".", dates="dmy.", labelled=True)
    add("turkish-excel-cp1254", _write(folder / "turkish.csv", turkish_excel, "cp1254", "\r\n"), "turkish")
    add("turkish-utf16-tab", _write(folder / "turkish-unicode.txt", text_export(tr, sep="\t"), "utf-16"), "turkish")
    add("serbian-cp1250", _write(folder / "serbian-1250.csv", text_export(sr, sep=";", decimal=","), "cp1250"),
        "serbian")
    add("serbian-iso-8859-2", _write(folder / "serbian-88592.csv", text_export(sr, sep=";", decimal=","),
                                     "iso-8859-2"), "serbian")
    add("western-cp1252", _write(folder / "western.csv", text_export(en.assign(
        plan=en["plan"].map({"basic": "Básico", "standard": "Estándar", "premium": "Prémium"})), sep=";",
        decimal=","), "cp1252"), "western")
    shapes["clean-western"] = Shape("clean-western", _write(folder / "clean-western.csv", text_export(en.assign(
        plan=en["plan"].map({"basic": "Básico", "standard": "Estándar", "premium": "Prémium"})))), "western")
    add("xlsx", _excel(folder / "turkish.xlsx", tr), "turkish")
    add("xlsx-second-sheet", _excel(folder / "two-sheets.xlsx", tr, first_sheet=True), "turkish", sheet="Yanıtlar")
    add("sav", _spss(folder / "turkish.sav", tr), "turkish")
    add("zsav", _spss(folder / "turkish.zsav", tr, compress=True), "turkish")
    add("dta", _stata(folder / "english.dta", en), "english")
    add("parquet", _parquet(folder / "english.parquet", en), "english")
    add("qualtrics-csv", _write(folder / "qualtrics.csv", _qualtrics(en)), "english")
    add("qualtrics-tsv-utf16", _write(folder / "qualtrics.tsv", _qualtrics(en, sep="\t"), "utf-16"), "english")
    add("surveymonkey", _write(folder / "surveymonkey.csv", _surveymonkey(en)), "english", id_col="Respondent ID")
    add("repeated-rows", _write(folder / "repeated.csv", text_export(pd.concat([en, en.head(40)]))), "english")
    add("swiss-grouping", _write(folder / "swiss.csv", text_export(en, thousands="'")), "english")
    add("euro-sign-and-code", _write(folder / "euro.csv", text_export(en, currency=True)), "english")
    add("google-forms-timestamps", _write(folder / "google.csv", text_export(en, dates="google_forms")), "english")
    add("dates-with-weekdays", _write(folder / "weekdays.csv", text_export(en, dates="weekday")), "english")
    add("segment-spellings", _write(folder / "spellings.csv", text_export(en, spellings=True)), "english")
    return shapes


def _excel(path: Path, frame: pd.DataFrame, first_sheet: bool = False) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        if first_sheet:
            pd.DataFrame({"Not": ["Bu sayfa bir açıklamadır"]}).to_excel(writer, sheet_name="Açıklama", index=False)
        frame.to_excel(writer, sheet_name="Yanıtlar", index=False)
    return path


def _spss(path: Path, frame: pd.DataFrame, compress: bool = False) -> Path:
    """Places as labelled codes; the score's blanks as the user-missing code 99, as SPSS files keep them."""
    names = NAMES["turkish"]
    codes = {place: float(i + 1) for i, place in enumerate(PLACES["turkish"])}
    out = frame.assign(**{names[3]: frame[names[3]].map(codes), names[1]: frame[names[1]].fillna(99).astype(float)})
    out[names[4]] = pd.to_datetime(out[names[4]])
    for column in names[5:]:
        out[column] = out[column].astype(float)
    pyreadstat.write_sav(out, path, compress=compress, variable_value_labels={names[3]: {v: k for k, v in codes.items()}},
                         missing_ranges={names[1]: [99]}, column_labels={names[1]: "Bizi tavsiye eder misiniz?"})
    return path


def _stata(path: Path, frame: pd.DataFrame) -> Path:
    codes = {place: float(i + 1) for i, place in enumerate(PLACES["english"])}
    out = frame.assign(region=frame["region"].map(codes))
    for column in ["nps", "revenue", "speed", "ease", "knowledge", "friendliness", "price", "brand"]:
        out[column] = out[column].astype(float)
    pyreadstat.write_dta(out, path, variable_value_labels={"region": {v: k for k, v in codes.items()}})
    return path


def _parquet(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_parquet(path, index=False)
    return path


def _qualtrics(frame: pd.DataFrame, sep: str = ",") -> str:
    """Qualtrics' three header rows: ids, question texts, ImportIds."""
    names = list(frame.columns)
    texts = [{"nps": "How likely are you to recommend us to a friend?"}.get(n, n.replace("_", " ").title())
             for n in names]
    import_ids = [json.dumps({"ImportId": f"QID{i}"}) for i in range(len(names))]
    return text_export(frame, sep=sep, header_rows=[texts, import_ids])


def _surveymonkey(frame: pd.DataFrame) -> str:
    """SurveyMonkey's two header rows: the question (blank under its later options), then Response or the option."""
    renamed = frame.rename(columns={"response_id": "Respondent ID"})
    second = ["" if n == "Respondent ID" else "Response" for n in renamed.columns]
    return text_export(renamed, header_rows=[second])


CHURN_NAMES = {"english": ["customer_id", "months", "left", "plan"], "turkish": ["MüşteriNo", "Süre", "Ayrıldı", "Paket"]}


def churn_base(language: str) -> pd.DataFrame:
    """The sample's customers: months as a customer (two decimals) until leaving or the end of 2025, and whether they left."""
    customers = cx.io.load().customers
    end = customers["churn_date"].fillna(pd.Timestamp("2025-12-31"))
    out = pd.DataFrame({"id": customers["customer_id"],
                        "months": ((end - customers["signup_date"]).dt.days / 30.4375).round(2),
                        "left": customers["churn_date"].notna().astype(int), "plan": customers["plan"]})
    out.columns = CHURN_NAMES[language]
    return out


def churn_parameters(language: str) -> dict:
    n = CHURN_NAMES[language]
    return {"duration_col": n[1], "event_col": n[2], "segment_col": n[3], "covariates": [n[3]], "id_col": n[0],
            "horizons": [6, 12], "time_unit": "months", "revenue_col": None}


def build_churn(folder: Path) -> dict[str, Shape]:
    """The churn table as a clean CSV (English and Turkish), a Turkish Excel CSV, .xlsx and .sav."""
    en, tr = churn_base("english"), churn_base("turkish")
    months = CHURN_NAMES["turkish"][1]
    turkish_text = tr.assign(**{months: tr[months].map(lambda v: f"{v:.2f}".replace(".", ","))}).to_csv(
        sep=";", index=False)
    shapes = {"clean-english": Shape("clean-english", _write(folder / "churn-en.csv", en.to_csv(index=False)),
                                     "english"),
              "clean-turkish": Shape("clean-turkish", _write(folder / "churn-tr.csv", tr.to_csv(index=False)),
                                     "turkish"),
              "turkish-excel-cp1254": Shape("turkish-excel-cp1254", _write(folder / "churn-tr-1254.csv", turkish_text,
                                                                          "cp1254", "\r\n"), "turkish"),
              "xlsx": Shape("xlsx", folder / "churn.xlsx", "turkish"),
              "sav": Shape("sav", folder / "churn.sav", "turkish")}
    tr.to_excel(folder / "churn.xlsx", index=False)
    pyreadstat.write_sav(tr.assign(**{CHURN_NAMES["turkish"][2]: tr[CHURN_NAMES["turkish"][2]].astype(float)}),
                         folder / "churn.sav")
    return shapes


def unreadable_scores(folder: Path) -> Path:
    """Every score written as a word: a study must stop (exit 3) and say why."""
    frame = base_frame("english").head(60)
    frame = frame.assign(nps="ten", survey_date=frame["survey_date"].dt.strftime("%Y-%m-%d"))
    return _write(folder / "words.csv", frame.to_csv(index=False))
