"""What every estimate stands on: the estimate with its interval (:mod:`.estimate`), the tests and intervals shared
by all metrics (:mod:`.inference`), and modules loaded on first use (:mod:`.lazy`, so that ``cx`` starts fast)."""

from .estimate import MIN_N, Estimate, format_ci
from .inference import adjust_p, holm, wilson_interval, z_value

__all__ = ["MIN_N", "Estimate", "adjust_p", "format_ci", "holm", "wilson_interval", "z_value"]
