"""reports/index.html: an executive overview (a tile per key figure of each study's latest run, with its change
since the previous run), then every run, newest first, with its status and headline figures.

Key figures belong together: tiles are grouped by the data they were computed on (the
bundled sample, or a file named on the tiles), so a run on a CRM export never sits among
the sample's figures. Within one data source a study's tile comes from its latest run
without a what-if: a run that changed an analysis choice (a retention gain, a horizon, a
seed) becomes a tile only when no other run exists, and then says so with its changes.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from ..formatting.figures import change, change_text, figure_parts
from ..formatting.narrative import fmt_parameters, plural
from ..studies import REGISTRY, parameters
from .html import page

__all__ = ["IndexNotWritten", "build_index", "data_source", "previous_run", "read_runs", "tiles", "what_if"]

SAMPLE = "the bundled sample"
# parameters that say what the data are and how to read them, not what to analyse
DESCRIBING = (parameters.Path, parameters.Column, parameters.Columns, parameters.ColumnGroups,
              parameters.MissingCodes)
DESCRIBING_NAMES = {"backend", "dask_scheduler", "table", "query", "sample_size", "min_rows", "max_excluded", "event_value",
                    "time_unit"}


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
    return ("<tr>" + _cell(_title(run)) + _cell(_when(run))
            + f'<td class="status-{status}">{status}</td>' + _cell(params) + _cell(headline) + link + "</tr>")


def previous_run(run: dict, runs: list[dict]) -> dict | None:
    """The successful run of the same study and parameters before ``run`` (``runs`` newest first)."""
    older = runs[runs.index(run) + 1:]
    return next((r for r in older if r.get("status") == "success" and r.get("study") == run.get("study")
                 and r.get("parameters") == run.get("parameters")), None)


def _independent(before: dict, after: dict) -> bool:
    """Do the two runs' data cover periods that do not overlap (so their samples are independent)?"""
    a, b = before.get("data_period"), after.get("data_period")
    return bool(a and b) and (a["to"] < b["from"] or b["to"] < a["from"])


def data_source(run: dict) -> str:
    """The data a run read, as a reader names it: the bundled sample, or the file (and table) it was given."""
    params = run.get("parameters", {})
    path = params.get("data_path")
    if not path:
        return SAMPLE
    name = Path(str(path).rstrip("/")).name if "://" not in str(path) else str(path).split("@")[-1]
    return name + (f", table {params['table']}" if params.get("table") else "")


def what_if(run: dict) -> dict:
    """The parameters a run changed that change the analysis rather than describe the data (its what-if)."""
    study = REGISTRY.get(run.get("study"))
    if study is None:
        return {}
    declared = {p.name: p for p in study.parameters}
    params = run.get("parameters", {})
    return {name: params.get(name) for name in run.get("overrides", []) if name in declared
            and not isinstance(declared[name], DESCRIBING) and declared[name].shared not in ("reading", "display")
            and name not in DESCRIBING_NAMES}


def _tile(f: dict, run: dict, previous: dict | None, link: str) -> str:
    value, interval = figure_parts(f)
    moved = ""
    before = next((g for g in (previous or {}).get("figures", []) if g.get("key") == f["key"]), None)
    if before is not None and before.get("value") is not None and f["value"] is not None:
        c = change(before, f, _independent(previous, run))
        tone = ""
        if c["verdict"] == "beyond noise":
            tone = "good" if (c["difference"] > 0) == (f["better"] == "higher") else "bad"
        moved = f'<div class="change {tone}">{html.escape(change_text(f, c))}</div>'
    else:
        moved = '<div class="change">first run of these parameters</div>'
    period = f.get("period") or run.get("data_period") or {}
    span = (f'data <span class="nowrap">{html.escape(period["from"])}</span> to '
            f'<span class="nowrap">{html.escape(period["to"])}</span>') if period else html.escape(_when(run))
    changed = what_if(run)
    scenario = (f'<div class="change">what-if: {html.escape(fmt_parameters(changed))}</div>' if changed else "")
    return (f'<a class="tile" href="{html.escape(link)}"><div class="label">{html.escape(f["label"])}</div>'
            f'<div class="value">{html.escape(value)}</div>'
            f'<div class="ci">{html.escape(interval)}</div>{moved}{scenario}'
            f'<div class="study">{html.escape(_title(run))} · {html.escape(data_source(run))} · {span}</div></a>')


def _title(run: dict) -> str:
    """A study's title as its report shows it ("Segment study"), not its id."""
    study = run.get("study", "?")
    return REGISTRY[study].title if study in REGISTRY else study


def tiles(runs: list[dict], reports_dir: Path) -> str:
    """The overview: per data source (the sample first), each key figure of each study's latest successful run
    without a what-if (else its latest run, marked), as a tile linking to its report (module docstring)."""
    chosen: dict[str, dict[str, dict]] = {}
    for run in runs:  # newest first
        if run.get("status") != "success":
            continue
        studies = chosen.setdefault(data_source(run), {})
        held = studies.get(run.get("study"))
        if held is None or (what_if(held) and not what_if(run)):
            studies[run.get("study")] = run
    sources = sorted(chosen, key=lambda s: s != SAMPLE)  # the sample first, then as the newest runs came
    out = []
    for source in sources:
        cards = []
        for run in chosen[source].values():
            link = f"{run['_dir'].relative_to(reports_dir).as_posix()}/report.html"
            previous = previous_run(run, runs)
            cards += [_tile(f, run, previous, link) for f in run.get("figures", [])]
        if cards:
            out.append((f"<h3>Data: {html.escape(source)}</h3>" if len(sources) > 1 else "")
                       + f'<div class="tiles">{"".join(cards)}</div>')
    return "".join(out)


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
        f"{html.escape(_title(r))}</a> ({html.escape(_when(r))})</li>"
        for _, r in sorted(latest.items()))
    header = "<tr><th>Study</th><th>Started</th><th>Status</th><th>Parameters</th><th>Headline</th><th></th></tr>"
    overview = tiles(runs, reports_dir)
    body = ((f"<h2>Key figures</h2><p>The latest run of each study; the change is against the previous run with the "
             f"same parameters, tested only when the two runs cover different periods.</p>{overview}"
             if overview else "")
            + f"<h2>Latest report of each study</h2><ul>{latest_items or '<li>No successful run yet.</li>'}</ul>"
            f"<h2>All runs</h2><div class=\"output_area\"><table class=\"runs\"><thead>{header}</thead><tbody>"
            + "".join(_row(r, reports_dir) for r in runs) + "</tbody></table></div>")
    target = reports_dir / "index.html"
    tmp = reports_dir / f".index.{os.getpid()}.tmp"
    count = f"{plural(len(runs), 'run', 'runs')}, newest first"
    tmp.write_text(page("CX reports", body, count, "Built by cxlib"), encoding="utf-8")
    try:
        os.replace(tmp, target)
    except OSError as exc:  # a folder, or a file nobody may replace, where the index goes
        tmp.unlink(missing_ok=True)
        raise IndexNotWritten(f"cannot write the index {target}: {exc.strerror or exc}; move what is there out of "
                          "the way (the study's own report was written)") from None
    return target


class IndexNotWritten(OSError):
    """The index of the reports cannot be written where it goes."""
