"""cxlib: reproducible customer-experience analytics.

>>> import cxlib as cx
>>> data = cx.io.load()                        # the bundled sample: tables + DataQuality
>>> print(cx.nps(data.responses))              # every number with its interval and n
NPS 16.3 (15.2 to 17.4), n = 19,156
"""

from .libraries import stop_if_shadowed

stop_if_shadowed()  # before pandas and numpy are imported: a file named after one would fail deep inside

from . import io, lifecycle, metrics, plots, reports, sample, studies
from .core.estimate import Estimate
from .formatting.display import register_display
from .lifecycle import economics, retention
from .lifecycle.economics import clv
from .lifecycle.retention import churn_rate, cohort_retention, period_retention
from .metrics import rates, service, trends
from .metrics.compare import compare, paired, segment_table
from .metrics.histogram import ScoreHistogram, score_histogram
from .metrics.scores import ces, csat, mean_score, nps, nps_from_counts, top_box
from .metrics.service import fcr, resolution_time, response_within
from .metrics.trends import benchmark_difference, goal, trend
from .version import __version__

register_display()  # result tables in notebooks read as in reports (numbers unchanged)

__all__ = [
    "Estimate", "ScoreHistogram", "__version__", "benchmark_difference", "ces", "churn_rate", "clv",
    "cohort_retention", "compare", "csat", "economics", "fcr", "goal", "io", "lifecycle", "mean_score", "metrics", "nps",
    "nps_from_counts", "paired", "period_retention", "plots", "rates", "reports", "resolution_time", "response_within",
    "retention", "sample", "score_histogram", "segment_table", "service", "studies", "top_box", "trend", "trends",
]
