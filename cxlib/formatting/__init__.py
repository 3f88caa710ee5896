"""Formatting for every layer: sentences with escaped values, numbers as people read them, readable tables.

A leaf: it imports nothing from the rest of cxlib, so io, estimators, studies and the
report runner can all use it (an import-linter contract holds this).
"""

from .narrative import fmt_count, fmt_date, fmt_p, fmt_pct, full_list, left_out, md, not_available
from .tables import column_labels, format_table, pretty

__all__ = ["column_labels", "fmt_count", "fmt_date", "fmt_p", "fmt_pct", "format_table", "full_list", "left_out", "md",
           "not_available", "pretty"]
