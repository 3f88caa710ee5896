"""Open-ended feedback and the closed loop: comment themes, call-back and promoter lists, crisis flags."""

from .themes import UNTAGGED, Taxonomy, load_taxonomy, normalize, tag_themes, theme_table

__all__ = ["UNTAGGED", "Taxonomy", "load_taxonomy", "normalize", "tag_themes", "theme_table"]
