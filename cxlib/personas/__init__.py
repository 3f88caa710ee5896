"""Personas: groups of customers found by clustering their traits, chosen and checked for stability, and profiled
by NPS, churn and revenue (:mod:`.clustering`)."""

from .clustering import PersonaModel, discover_personas, encode_traits, profile_personas

__all__ = ["PersonaModel", "discover_personas", "encode_traits", "profile_personas"]
