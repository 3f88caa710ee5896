"""The canonical tables (data/README.md): their columns, rules and row checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from . import columns as c

__all__ = ["DATE_COLUMNS", "DRIVER_COLUMNS", "SCHEMAS", "RowCheck", "Schema"]

DRIVER_COLUMNS = ("speed", "ease_of_use", "knowledgeable_help", "friendly_service", "price_value", "brand_image")


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns of one row; ``bad`` returns the rows that break it."""

    rule: str
    columns: tuple[str, ...]
    bad: Callable[[pd.DataFrame], pd.Series]
    symbol: str = "<"  # how the report shows a broken row: "first < second"


def _not_before(later: str, earlier: str) -> RowCheck:
    return RowCheck(f"{later} before {earlier}", (later, earlier),
                    lambda d: (d[later] < d[earlier]).fillna(False))


@dataclass(frozen=True)
class Schema:
    """A table's columns (name -> rules) and row checks across columns."""

    name: str
    columns: dict[str, c.Column]
    checks: tuple[RowCheck, ...] = field(default=())

    @property
    def key(self) -> str | None:
        """The column that identifies rows (the first one marked ``unique``)."""
        return next((name for name, rule in self.columns.items() if rule.unique), None)


CUSTOMERS = Schema("customers", {
    "customer_id": c.identifier(unique=True),
    "signup_date": c.date(nullable=False),
    "churn_date": c.date(required=False),
    "plan": c.category(),
    "region": c.category(),
    "channel": c.category(),
    "age_band": c.category(),
    "monthly_revenue": c.amount(),
}, checks=(_not_before("churn_date", "signup_date"),))

RESPONSES = Schema("responses", {
    "response_id": c.identifier(unique=True),
    "customer_id": c.identifier(required=False, nullable=True),
    "survey_date": c.date(nullable=False, past=True),
    "touchpoint": c.category(),
    "journey_stage": c.category(),
    "nps": c.score(0, 10),
    "csat": c.score(1, 5),
    "ces": c.score(1, 7),
    **{name: c.rating(0, 10) for name in DRIVER_COLUMNS},
    "comment": c.text(),
    "weight": c.weight(),
})

TICKETS = Schema("tickets", {
    "ticket_id": c.identifier(unique=True),
    "customer_id": c.identifier(required=False, nullable=True),
    "channel": c.category(),
    "category": c.category(),
    "opened_at": c.timestamp(nullable=False),
    "first_response_at": c.timestamp(required=False),
    "resolved_at": c.timestamp(required=False),
    "contacts": c.count(low=1),
}, checks=(_not_before("first_response_at", "opened_at"), _not_before("resolved_at", "opened_at")))

COMPETITOR_NPS = Schema("competitor_nps", {
    "period": c.category(required=True, nullable=False),
    "competitor": c.category(required=True, nullable=False),
    "nps": c.number(-100, 100, required=True, nullable=False),
    "n": c.count(low=1),
})

SOCIAL = Schema("social", {
    "post_id": c.identifier(unique=True),
    "date": c.date(nullable=False),
    "channel": c.category(required=True, nullable=False),
    "post_type": c.category(),
    "impressions": c.count(low=0),
    "likes": c.count(low=0),
    "shares": c.count(low=0),
    "comments": c.count(low=0),
    "inbound_messages": c.count(low=0),
    "answered_within_24h": c.count(low=0),
    "median_response_hours": c.amount(),
}, checks=(RowCheck("answered_within_24h more than inbound_messages", ("answered_within_24h", "inbound_messages"),
                    lambda d: (d["answered_within_24h"] > d["inbound_messages"]).fillna(False), ">"),))

SCHEMAS = {s.name: s for s in (CUSTOMERS, RESPONSES, TICKETS, COMPETITOR_NPS, SOCIAL)}
DATE_COLUMNS = {"customers": "signup_date", "responses": "survey_date", "tickets": "opened_at",
                "competitor_nps": "period", "social": "date"}  # what dates each table's rows
