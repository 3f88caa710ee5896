"""Customer-experience metrics with honest intervals: NPS, CSAT and CES (:mod:`.scores`), comparisons and segment
tables (:mod:`.compare`), change per period (:mod:`.trends`), shares of yes/no outcomes (:mod:`.rates`), service
levels (:mod:`.service`), social media engagement (:mod:`.social`), and the answers per score value they are all
computed from (:mod:`.histogram`)."""

from .compare import compare, paired, segment_table
from .histogram import ScoreHistogram, score_histogram
from .rates import rate_table
from .scores import ces, csat, mean_score, nps, nps_from_counts, top_box
from .service import fcr, resolution_time, response_within
from .social import channel_comparison, engagement_table, engagement_trend, response_table
from .trends import Trend, benchmark_difference, goal, trend

__all__ = ["ScoreHistogram", "Trend", "benchmark_difference", "ces", "channel_comparison", "compare", "csat",
           "engagement_table", "engagement_trend", "fcr", "goal", "mean_score", "nps", "nps_from_counts", "paired",
           "rate_table", "resolution_time", "response_table", "response_within", "score_histogram", "segment_table",
           "top_box", "trend"]
