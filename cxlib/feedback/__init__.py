"""Open-ended feedback and the closed loop: comment themes, call-back and promoter lists, crisis flags."""

from .closed_loop import (
           ClosedLoop,
           callback_list,
           closed_loop,
           promoter_list,
           run_closed_loop,
           themes_by_detractors,
)
from .themes import UNTAGGED, Taxonomy, load_taxonomy, normalize, tag_themes, theme_table

__all__ = ["UNTAGGED", "ClosedLoop", "Taxonomy", "callback_list", "closed_loop", "load_taxonomy", "normalize",
           "promoter_list", "run_closed_loop", "tag_themes", "theme_table", "themes_by_detractors"]
