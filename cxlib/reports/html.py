"""Self-contained HTML: one file, no code, no scripts, no network requests.

nbconvert's full templates load MathJax, require.js and mermaid from CDNs even with the
input hidden, so reports use its ``basic`` template (cell bodies only), drop code
inputs, prompts and stderr streams, and wrap the result in a page of our own with the
CSS inline. Images are already embedded as data URIs. Every page carries a
Content-Security-Policy that allows no scripts and no requests, so even markup that
slipped through could neither run nor call home.
"""

from __future__ import annotations

import copy
import html
import re

__all__ = ["CSP", "contents", "notebook_body", "page"]

SECTION = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)
UNLISTED = {"Executive summary"}

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """
:root { --ink: #1f2933; --muted: #52606d; --rule: #d9e2ec; --accent: #0072b2; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 2px solid var(--accent); padding-top: .8rem; padding-bottom: .2rem; }
header h1 { margin: 0 0 .2rem; font-size: 1.6rem; }
header p, footer { color: var(--muted); font-size: .9rem; }
footer { border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: .6rem; padding-bottom: 2rem; }
h1, h2, h3 { line-height: 1.25; }
main h1 { font-size: 1.5rem; } main h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid var(--rule); }
a { color: var(--accent); }
.anchor-link { display: none; }
.output_area, .jp-OutputArea-output { overflow-x: auto; max-width: 100%; }
/* a table wider than the screen scrolls inside the page; shadows at its edges say there is more (CSS only) */
.output_area:has(table), .jp-OutputArea-output:has(table) {
  background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)),
              linear-gradient(to right, rgba(255,255,255,0), #fff 70%) 100% 0,
              radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.25), rgba(0,0,0,0)),
              radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.25), rgba(0,0,0,0)) 100% 0;
  background-repeat: no-repeat; background-size: 40px 100%, 40px 100%, 14px 100%, 14px 100%;
  background-attachment: local, local, scroll, scroll; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .6rem; text-align: right; vertical-align: top; }
th { background: #f5f7fa; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; height: auto; }
figure.cx-chart { margin: .6rem 0 1rem; }
pre { white-space: pre-wrap; }
table.runs td, table.runs th { text-align: left; }
.status-failed { color: var(--bad); font-weight: 600; }
.status-success { color: #1b7f3b; font-weight: 600; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .8rem; margin: 1rem 0; }
.tile { display: block; border: 1px solid #d0d7de; border-radius: 6px; padding: .7rem .9rem; color: inherit;
        text-decoration: none; }
.tile:hover { border-color: #0072B2; }
.tile .label { font-weight: 600; }
.tile .value { font-size: 1.6rem; font-weight: 700; white-space: nowrap; }
.tile .ci, .tile .study { color: #57606a; font-size: .9rem; }
.tile .change { margin: .3rem 0; }
.tile .good { color: #1b7f3b; } .tile .bad { color: var(--bad); }
.nowrap { white-space: nowrap; }
nav.toc { background: #f5f7fa; border-left: 3px solid var(--accent); padding: .4rem 1rem; margin: 1.5rem 0; }
nav.toc h2 { border: 0; margin: .3rem 0; font-size: 1.1rem; }
nav.toc ul { margin: .2rem 0 .4rem; padding-left: .2rem; list-style: none; }
blockquote { margin: 1rem 0; padding: .6rem 1rem; border-left: 4px solid var(--bad); background: #fdf0ef; }
@media (max-width: 600px) { body { font-size: 15px; } th, td { padding: .25rem .4rem; } }
@media print {
  body { font-size: 11pt; } header, main, footer { max-width: none; padding: 0; } nav.toc { display: none; }
  .output_area, .jp-OutputArea-output { overflow: visible; } a { color: inherit; text-decoration: none; }
  figure, img, tr, blockquote { break-inside: avoid; } h2, h3 { break-after: avoid; }
  table { font-size: 9pt; } th, td { padding: .15rem .35rem; }
}
"""


def page(title: str, body: str, subtitle: str = "", footer: str = "", heading: bool = True) -> str:
    """A complete HTML page; ``title``, ``subtitle`` and ``footer`` are escaped, ``body`` is trusted markup.

    ``heading=False`` leaves the title to the body (a notebook opens with its own).
    """
    h1 = f"<h1>{html.escape(title)}</h1>" if heading else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header>{h1}<p>{html.escape(subtitle)}</p></header>\n"
        f"<main>\n{body}\n</main>\n<footer>{html.escape(footer)}</footer>\n</body>\n</html>\n"
    )


def _strip_for_readers(nb):
    """Drop what a reader should not see: warnings and logs on stderr, and the parameters cells."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    return nb


def notebook_body(nb) -> str:
    """The outputs and narrative of an executed notebook (an nbformat node) as HTML, without any code."""
    from nbconvert import HTMLExporter  # imported here: notebooks import cxlib and never need it

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(_strip_for_readers(nb))
    return contents(body)


def contents(body: str) -> str:
    """Insert a linked table of contents of the body's sections before the first one listed.

    Sections are the ``<h2>`` headings nbconvert gives ids to; the executive summary stays
    above the contents.
    """
    sections = [(m.start(), m.group(1), m.group(2).strip()) for m in SECTION.finditer(body)
                if re.sub(r"<[^>]+>", "", m.group(2)).strip() not in UNLISTED]
    if len(sections) < 2:
        return body
    items = "".join(f'<li><a href="#{anchor}">{title}</a></li>' for _, anchor, title in sections)
    nav = f'<nav class="toc"><h2>Contents</h2><ul>{items}</ul></nav>\n'
    first = sections[0][0]
    return body[:first] + nav + body[first:]
