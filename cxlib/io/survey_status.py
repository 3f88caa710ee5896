"""Rows of a survey export that are not answers: previews, test and spam responses, and unfinished answers.

Qualtrics writes every response it recorded, also those that are not answers from
customers, and says which in two columns (Qualtrics, "Data & Analysis" > "Response
metadata"; https://www.qualtrics.com/support/survey-platform/data-and-analysis-module/data/download-data/export-data-overview/):

* ``Status``: "IP Address" (an answer through a link), "Imported", "Offline" are answers;
  "Survey Preview", "Survey Test" (generated test responses), "Spam" and their
  combinations ("Survey Preview Spam", "Imported Spam", "Offline Survey Preview") are not.
  Exported as numeric values, the codes 0, 4, 16 are answers and 1, 2, 8, 9, 12, 17 are not;
  codes are trusted only beside another Qualtrics metadata column (``ResponseId``,
  ``Progress``, ``Finished``, ...), since a plain ``Status`` of 0/1 could mean anything.
* ``Finished``: False (or 0) for a response closed before the end (a respondent who left,
  recorded when the survey's partial responses close). Its answers to the questions it
  reached are there, but an NPS from people who gave up half way is not the NPS of those
  who answered the survey; they are left out unless ``keep_unfinished`` is set.

Alchemer (SurveyGizmo) says it in its ``Status`` alone, QuestionPro in its ``Response
Status``: "Complete" or "Completed" is an answer, "Partial" or "Started" an unfinished response
(left out unless ``keep_unfinished``), "Disqualified" or "Terminated" a respondent the survey
screened out, and "Deleted" or "Test" no answer. Such a column is read so only in an export with
these tools' response metadata (``Response ID``, ``Time Started``, ``Date Submitted``), when
every value is one of these words and one says complete: an order table's "partial" is no
unfinished answer.

LimeSurvey writes ``submitdate`` ("Date submitted" in an export with full headings), Typeform
"Submit Date (UTC)", only for a response sent at the end: beside the tool's metadata
(``lastpage`` and ``startlanguage``, or a start date), a blank one is an unfinished response. Other tools' words ("Partially Completed", "Incomplete",
"Screened out") read the same way.

Every row left out is counted in the DataQuality record with its rule; nothing else changes.

>>> frame = pd.DataFrame({"Status": ["IP Address", "Survey Preview", "Spam", "IP Address"],
...                       "Finished": ["True", "True", "True", "False"], "nps": [9, 3, 0, 10]})
>>> [(column, rule, mask.tolist()) for column, rule, mask in not_answers(frame)]
[('Status', 'a survey preview, test or spam response', [False, True, True, False]), ('Finished', 'an unfinished response (keep_unfinished keeps it)', [False, False, False, True])]
>>> [column for column, _, _ in not_answers(frame, keep_unfinished=True)]
['Status']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["DISQUALIFIED", "NOT_ANSWER", "UNFINISHED", "not_answers", "survey_export"]

NOT_ANSWER = "a survey preview, test or spam response"
UNFINISHED = "an unfinished response (keep_unfinished keeps it)"
DISQUALIFIED = "a disqualified (screened-out), deleted or test response"
COMPLETION = {"complete": "answer", "completed": "answer", "partial": "unfinished", "started": "unfinished",
              "partially completed": "unfinished", "incomplete": "unfinished", "in progress": "unfinished",
              "disqualified": "out", "terminated": "out", "screened out": "out", "deleted": "out", "test": "out"}
LIMESURVEY = ({"lastpage", "last page"}, {"startlanguage", "start language"})  # its metadata, as codes or headings
SUBMITTED = re.compile(r"(submitdate|submit date|date submitted|submitted at)( \(utc\))?")  # blank: never sent
STARTED = re.compile(r"(startdate|start date|date started|started at)( \(utc\))?")
ALCHEMER = frozenset({"response id", "time started", "date submitted", "sessionid"})
STATUS_TEXT = frozenset({"survey preview", "survey test", "spam", "survey preview spam", "imported spam",
                         "offline survey preview", "offline survey preview spam"})
ANSWER_TEXT = frozenset({"ip address", "imported", "offline"})
STATUS_CODES = {0: False, 4: False, 16: False, 1: True, 2: True, 8: True, 9: True, 12: True, 17: True}
METADATA = frozenset({"startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
                      "finished", "recordeddate", "responseid", "distributionchannel", "userlanguage", "responseset"})
FINISHED = {"true": False, "1": False, "1.0": False, "yes": False, "false": True, "0": True, "0.0": True, "no": True,
            # TRUE and FALSE as Excel writes them where the file was saved again: German, French, Spanish, Turkish,
            # Serbian
            "wahr": False, "falsch": True, "vrai": False, "faux": True, "verdadero": False, "falso": True,
            "doğru": False, "yanliş": True, "tačno": False, "netačno": True}  # Turkish ı compared as i (_text)


def survey_export(columns) -> bool:
    """Do these column names carry a Qualtrics export's response metadata (two of its columns, one of them
    ``ResponseId`` or ``RecordedDate``, which other tables seldom have; a CRM table may well have a ``Status`` and a
    ``Finished``)?

    >>> survey_export(["ResponseId", "Status", "Q1"]), survey_export(["StartDate", "Status", "plan"])
    (True, False)
    >>> survey_export(["Status", "Finished", "nps"])
    False
    """
    names = {str(c).strip().lower() for c in columns}
    return len(names & METADATA) >= 2 and bool(names & {"responseid", "recordeddate"})


def _column(frame: pd.DataFrame, name: str) -> str | None:
    """The frame's column called ``name`` in any case and spacing, if exactly one is."""
    found = [c for c in frame.columns if str(c).strip().lower() == name]
    return found[0] if len(found) == 1 else None


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.lower().str.replace("ı", "i", regex=False)


def _status(values: pd.Series, qualtrics: bool) -> np.ndarray | None:
    """Rows whose status says they are not answers; None when the column does not hold Qualtrics statuses."""
    text = _text(values).dropna()
    if text.isin(STATUS_TEXT).any() and (qualtrics or text.isin(STATUS_TEXT | ANSWER_TEXT).all()):
        return _text(values).isin(STATUS_TEXT).fillna(False).to_numpy(dtype=bool)
    codes = pd.to_numeric(values, errors="coerce")
    if qualtrics and codes.notna().sum() == values.notna().sum() and codes.dropna().isin(list(STATUS_CODES)).all():
        return codes.map(STATUS_CODES).fillna(False).to_numpy(dtype=bool)
    return None


def _completion(values: pd.Series) -> pd.Series | None:
    """Each row's completion as Alchemer's ``Status`` or QuestionPro's ``Response Status`` says it ("answer",
    "unfinished", "out"); None when the column holds other words, or none that says complete."""
    text = _text(values)
    said = text.dropna()
    if not len(said) or not said.isin(list(COMPLETION)).all() or not said.map(COMPLETION).eq("answer").any():
        return None
    return text.map(COMPLETION).fillna("answer")


def _unfinished(values: pd.Series) -> np.ndarray | None:
    """Rows whose ``Finished`` is false; None when the column is not yes/no."""
    text = _text(values)
    if not text.dropna().isin(list(FINISHED)).all():
        return None
    return text.map(FINISHED).fillna(False).to_numpy(dtype=bool)


def not_answers(frame: pd.DataFrame, keep_unfinished: bool = False) -> list[tuple[str, str, np.ndarray]]:
    """The rules that leave rows out of ``frame`` (see the module's docstring): column, rule and rows."""
    out = []
    qualtrics = survey_export(frame.columns)
    status = _column(frame, "status")
    names = {str(c).strip().lower() for c in frame.columns}
    tool_status = status if status is not None else _column(frame, "response status")
    completion = _completion(frame[tool_status]) if tool_status is not None and names & ALCHEMER else None
    submitted = next((c for c in frame.columns if SUBMITTED.fullmatch(str(c).strip().lower())), None)
    survey = all(names & heading for heading in LIMESURVEY) or any(STARTED.fullmatch(n) for n in names)
    if completion is None and submitted is not None and survey:  # LimeSurvey, Typeform: no submit date, not sent
        unsent = frame[submitted].isna() | (frame[submitted].astype("string").str.strip() == "")
        completion = pd.Series(np.where(unsent.to_numpy(dtype=bool), "unfinished", "answer"), index=frame.index)
        tool_status = submitted
    if completion is not None:  # one column says complete, partial or screened out
        if completion.eq("out").any():
            out.append((tool_status, DISQUALIFIED, completion.eq("out").to_numpy(dtype=bool)))
        if completion.eq("unfinished").any() and not keep_unfinished:
            out.append((tool_status, UNFINISHED, completion.eq("unfinished").to_numpy(dtype=bool)))
        return out
    mask = _status(frame[status], qualtrics) if status is not None else None
    if mask is not None and mask.any():
        out.append((status, NOT_ANSWER, mask))
    survey = qualtrics or mask is not None  # a Finished column of a CRM table ("Finished" 0/1 of a task) says nothing
    finished = _column(frame, "finished")
    if finished is not None and survey and not keep_unfinished:
        mask = _unfinished(frame[finished])
        if mask is not None and mask.any():
            out.append((finished, UNFINISHED, mask))
    return out
