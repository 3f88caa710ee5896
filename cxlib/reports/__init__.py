"""Running studies into reports: papermill execution, offline HTML, results.json, the index.

From Python::

    from cxlib.reports import run_study
    run_dir = run_study("data_overview", {"missing_codes": [-99]}, reports_dir="reports")

From the shell: ``cx run data_overview -y '{missing_codes: [-99]}'`` (see ``cx --help``).
Inside a study notebook: :func:`record` once at the end, and :func:`md` for sentences.
"""

from ..formatting import (
    column_labels,
           fmt_count,
           fmt_date,
           fmt_p,
           fmt_pct,
           format_table,
           full_list,
           left_out,
           md,
           not_available,
           pretty,
)
from ..presentation import crisis_banner, persona_cards, say, summary
from .index import build_index
from .results import attach, record
from .runner import Study, StudyError, StudyFailed, find_studies, run_all, run_study, write_notebook

__all__ = ["Study", "StudyError", "StudyFailed", "attach", "build_index", "column_labels", "crisis_banner",
           "find_studies", "fmt_count", "fmt_date", "fmt_p", "fmt_pct", "format_table", "full_list", "left_out", "md",
           "not_available", "persona_cards", "pretty", "record", "run_all", "run_study", "say", "summary", "write_notebook"]
