"""The studies: one module each (declaration, loading, computation, result), and the registry the runner reads.

>>> from cxlib import studies
>>> sorted(studies.REGISTRY)[:3]
['business_case', 'churn_study', 'closed_loop']
>>> studies.REGISTRY["segment_study"].resolve({"segment_col": "plan"}).values
Traceback (most recent call last):
...
cxlib.studies.contract.ParameterError: segment_study: unknown parameter 'segment_col' (did you mean 'segment_cols'?)

Adding a study is one module here (a ``STUDY`` declaration) and one thin notebook of
the same name in ``notebooks/`` whose parameters cell is ``STUDY.parameters_cell()``.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import (
    business_case,
    churn_study,
    closed_loop,
    cx_scorecard,
    data_overview,
    driver_study,
    persona_study,
    segment_study,
)
from .contract import ParameterError, Parameters, Resolved, StudyDeclaration

__all__ = ["REGISTRY", "ParameterError", "Parameters", "Resolved", "StudyDeclaration", "compute", "run"]

REGISTRY: dict[str, StudyDeclaration] = {m.STUDY.name: m.STUDY for m in (
    data_overview, cx_scorecard, segment_study, driver_study, churn_study, closed_loop, persona_study, business_case)}


def compute(name: str, parameters: Mapping | None = None):
    """A declared study computed in this process (:meth:`StudyDeclaration.compute`): ``(result, data)``."""
    return REGISTRY[name].compute(parameters)


def run(name: str, namespace: Mapping):
    """Run a declared study from its notebook: the parameters are read from ``namespace`` (``globals()``)."""
    return compute(name, REGISTRY[name].collect(namespace))
