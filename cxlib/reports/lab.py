"""JupyterLab saves a notebook that git tracks as git would commit it: a study notebook only opened and run leaves
``git status`` clean.

nbstripout, installed by ``make lab`` as git's clean filter, keeps outputs and the kernel's
Python version out of commits; but git reports a file whose size changed as modified without
running the filter, so a study notebook that Lab autosaved with its outputs showed as
changed although nothing would be committed. ``make lab`` therefore passes
:func:`save_as_committed` to Jupyter as its pre-save hook
(``--ContentsManager.pre_save_hook``): a notebook that git tracks is saved through the same
filter (its edits kept, its outputs not), any other notebook (an analyst's copy from
``cx notebook``) as it is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

__all__ = ["save_as_committed"]


def save_as_committed(model: dict, path: str, contents_manager, **kwargs) -> None:
    """Jupyter's pre-save hook: replace ``model``'s content by what git's clean filter (nbstripout) makes of it,
    when the notebook at ``path`` (relative to the server's root) is tracked by git."""
    if model.get("type") != "notebook":
        return
    file = Path(contents_manager.root_dir, path)
    if not _tracked(file):
        return
    text = nbformat.writes(nbformat.from_dict(model["content"]))
    stripped = subprocess.run([sys.executable, "-m", "nbstripout"], input=text, capture_output=True, text=True,
                              cwd=file.parent, check=True).stdout  # reads the clone's extrakeys, as git's filter
    model["content"] = nbformat.reads(stripped, as_version=4)


def _tracked(file: Path) -> bool:
    """``file`` is in its folder's git index (an untracked or ignored notebook is the analyst's own)."""
    try:
        found = subprocess.run(["git", "-C", str(file.parent), "ls-files", "--error-unmatch", file.name],
                               capture_output=True, check=False)
    except OSError:  # no git
        return False
    return found.returncode == 0
