"""Open-ended feedback: comment themes, call-back and promoter lists, detractor themes, crisis flags."""

from .closed_loop import callback_list, promoter_list, themes_by_detractors
from .themes import UNTAGGED, Taxonomy, load_taxonomy, normalize, tag_themes, theme_table

__all__ = ["UNTAGGED", "Taxonomy", "callback_list", "load_taxonomy", "normalize", "promoter_list", "tag_themes",
           "theme_table", "themes_by_detractors"]
