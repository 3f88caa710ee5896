"""reports/index.html: every run, newest first, with its status and headline figures."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from ..formatting.narrative import fmt_parameters
from .html import page

__all__ = ["build_index", "read_runs"]


def read_runs(reports_dir: str | Path) -> list[dict]:
    """The results.json of every published run, newest first, each with ``_dir`` (its folder)."""
    runs = []
    for path in Path(reports_dir).glob("*/*/results.json"):
        if path.parent.name.startswith("."):
            continue
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue  # a foreign or damaged file is not a run
        run["_dir"] = path.parent
        runs.append(run)
    return sorted(runs, key=lambda r: (r.get("run", {}).get("started_at", ""), r["_dir"].name), reverse=True)


def _when(run: dict) -> str:
    """``2026-11-24T06:00:00+00:00`` -> ``2026-11-24 06:00 UTC``."""
    started = run.get("run", {}).get("started_at", "")
    return f"{started[:16].replace('T', ' ')} UTC" if started else ""


def _cell(text) -> str:
    return f"<td>{html.escape(str(text))}</td>"


def _row(run: dict, reports_dir: Path) -> str:
    folder = run["_dir"].relative_to(reports_dir).as_posix()
    ok = run.get("status") == "success"
    target = f"{folder}/report.html" if ok else f"{folder}/executed.ipynb"
    link = f'<td><a href="{html.escape(target)}">{"report" if ok else "executed notebook"}</a></td>'
    overrides = {k: run.get("parameters", {}).get(k) for k in run.get("overrides", [])}
    params = fmt_parameters(overrides) or "defaults"
    if ok:
        headline = "; ".join(f"{k}: {v}" for k, v in run.get("headline", {}).items())
    else:
        error = run.get("error") or {}
        headline = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}"[:300]
    status = html.escape(run.get("status", "unknown"))
    return ("<tr>" + _cell(run.get("study", "?")) + _cell(_when(run))
            + f'<td class="status-{status}">{status}</td>' + _cell(params) + _cell(headline) + link + "</tr>")


def build_index(reports_dir: str | Path) -> Path:
    """Write reports/index.html (atomically) from the runs in ``reports_dir``; returns its path."""
    reports_dir = Path(reports_dir)
    runs = read_runs(reports_dir)
    latest: dict[str, dict] = {}
    for run in runs:
        if run.get("status") == "success":
            latest.setdefault(run.get("study", "?"), run)
    latest_items = "".join(
        f'<li><a href="{html.escape(r["_dir"].relative_to(reports_dir).as_posix())}/report.html">'
        f"{html.escape(study)}</a> ({html.escape(_when(r))})</li>"
        for study, r in sorted(latest.items()))
    header = "<tr><th>Study</th><th>Started</th><th>Status</th><th>Parameters</th><th>Headline</th><th></th></tr>"
    body = (f"<h2>Latest report of each study</h2><ul>{latest_items or '<li>No successful run yet.</li>'}</ul>"
            f"<h2>All runs</h2><div class=\"output_area\"><table class=\"runs\"><thead>{header}</thead><tbody>"
            + "".join(_row(r, reports_dir) for r in runs) + "</tbody></table></div>")
    target = reports_dir / "index.html"
    tmp = reports_dir / f".index.{os.getpid()}.tmp"
    count = f"{len(runs)} run{'' if len(runs) == 1 else 's'}, newest first"
    tmp.write_text(page("CX reports", body, count, "Built by cxlib"), encoding="utf-8")
    os.replace(tmp, target)
    return target
