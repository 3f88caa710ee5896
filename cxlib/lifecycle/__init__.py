"""Who leaves, when, and what it is worth: Kaplan-Meier, log-rank and hazards (:mod:`.survival`), Cox models
(:mod:`.cox`), churn and retention per period and cohort (:mod:`.retention`), and customer lifetime value, revenue
at risk and the business case (:mod:`.economics`)."""

from .cox import CoxResult, cox
from .economics import (
                       BusinessCase,
                       business_case,
                       churn_gap,
                       clv,
                       clv_table,
                       retention_economics,
                       revenue_at_risk,
)
from .retention import churn_rate, cohort_retention, period_retention
from .survival import (
                       SurvivalCounts,
                       customer_durations,
                       hazard_rate,
                       kaplan_meier,
                       logrank,
                       median_survival,
                       survival_at,
                       survival_counts,
)

__all__ = ["BusinessCase", "CoxResult", "SurvivalCounts", "business_case", "churn_gap", "churn_rate", "clv",
           "clv_table", "cohort_retention", "cox", "customer_durations", "hazard_rate", "kaplan_meier", "logrank",
           "median_survival", "period_retention", "retention_economics", "revenue_at_risk", "survival_at",
           "survival_counts"]
