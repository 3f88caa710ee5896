"""Seeded sample data with known truth.

The bundled sample (``data/sample``) is generated here from a documented structural
model, so tests can check that every analysis recovers what was put in. The same seed
gives byte-identical files. ``data/README.md`` states the model; :class:`Truth` holds
its true parameters for tests.

The model, in brief (all effects are on customers active in 2024-01-01 .. 2025-12-31,
simulated month by month):

* **Loyalty.** Each survey response has a latent likelihood-to-recommend
  ``y* = mu0 + plan + region + touchpoint + trend + S * beta'z + u_i + e``
  where ``z ~ N(0, R)`` are six standardized driver perceptions (30% of their variance
  is a stable customer component, 70% varies by occasion), ``u_i`` a customer effect and
  ``e`` occasion noise. The recorded NPS answer is ``clip(round(y*), 0, 10)`` and the
  driver ratings are ``clip(round(mean + 1.9 z), 1, 10)``. With ``beta`` and ``R``
  below, the CX drivers hold 66% of the explained variance, price 20% and brand 14%
  (group Shapley values of the latent linear model).
* **Trend.** Tenured customers (12 months or more at the survey date) in the North
  region gain 3 NPS points a quarter; every other segment is flat.
* **Churn.** A Weibull hazard in tenure (shape 0.8) multiplied by
  ``exp(eta)``, ``eta`` depending on plan, price paid against the plan median, the NPS
  group of the customer's most recent survey and whether any ticket so far went badly
  (first response over 48 hours, unresolved, or three or more contacts).
* **Tickets.** First-response times lognormal by channel, contacts to resolve with
  70% resolved at the first contact, 4% never resolved.
* **Comments.** Free text drawn from theme templates with probabilities that depend
  on the NPS group, with mixed case, typos and empty comments.
* **Social.** Posts per channel and day with impressions, and engagements (likes,
  shares, comments) at a true rate per channel and post type with post-to-post noise;
  TikTok's rate rises 0.3 points a quarter. Inbound messages answered within 24 hours
  at a true share per channel. Drawn from a random stream of its own, so adding the
  table changed none of the others.
"""

from . import generator, model
from .generator import *  # noqa: F403  (the names each module's __all__ declares, listed once there)
from .model import *  # noqa: F403

__all__ = [*generator.__all__, *model.__all__]
