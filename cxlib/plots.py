"""Charts from results, legible on a phone, with a text alternative; one colour-blind-safe palette (Okabe & Ito 2008).

Promoters, passives and detractors always have the same colours. Every chart has a
title and labelled axes with units. Drawn with seaborn's style on matplotlib.

Each function draws on ``ax`` when given one (to compose figures) and returns it;
without ``ax`` it returns a :class:`Chart`: the chart drawn twice, 720 CSS pixels wide for
screens and 355 for phones (a ``<picture>`` whose media query swaps the phone rendition in
below 600 pixels), both as PNG at twice the pixel density, so that text is at least 11
CSS pixels wherever it is read, and an ``alt`` text that says what the chart shows and
its main message.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Callable

import pandas as pd

from .core.lazy import lazy_module
from .formatting import labels as display
from .formatting.narrative import ngettext
from .io.nps_groups import GROUP_RANGES, score_groups

plt = lazy_module("matplotlib.pyplot")
sns = lazy_module("seaborn")
mpl_figure = lazy_module("matplotlib.figure")
ticker = lazy_module("matplotlib.ticker")

__all__ = ["ACCENT", "NPS_GROUP_COLORS", "PALETTE", "Chart", "driver_shares", "hazard_ratios",
           "importance_performance", "score_distribution", "segment_chart", "survival_curves", "theme_shares",
           "trend_chart"]

GREY = "#999999"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", GREY]

def distinct_colors(n: int) -> list:
    """``n`` colours no two of which repeat: the palette, or, for more lines than it holds, as many evenly spaced
    hues (seaborn's husl), so that ten segments are ten colours."""
    return PALETTE[:n] if n <= len(PALETTE) else sns.color_palette("husl", n)


NPS_GROUP_COLORS = {"detractor": "#D55E00", "passive": "#999999", "promoter": "#009E73"}
ACCENT = "#0072B2"
SCORE_LABELS = {"nps": "Likelihood to recommend (0-10)", "csat": "Satisfaction, CSAT (1-5)",
                "ces": "Customer effort, CES (1-7, 7 = easiest)"}

CSS_PX_PER_INCH = 96
RENDITIONS = {"wide": (7.5, 10.0), "narrow": (3.7, 8.5)}  # width in inches, font size in points
DPI = 2 * CSS_PX_PER_INCH  # sharp on screens of twice the density
PHONE_BELOW_PX = 600


class Chart:
    """A chart for a report: a wide and a phone rendition, and a text alternative.

    ``draw(ax)`` draws on an Axes; ``height`` is in inches at the wide width (the phone
    rendition is as tall, with its smaller type). ``ax`` and ``figure`` are the wide
    rendition, for checks and further drawing. Each rendition's type size, in CSS
    pixels at the width it is drawn for, is in the image's data attributes.
    """

    def __init__(self, draw: Callable[[plt.Axes], object], height: float, alt: str):
        self.draw, self.height, self.alt = draw, height, alt
        self.figure, self.ax = self._render("wide")

    def _render(self, rendition: str) -> tuple[mpl_figure.Figure, plt.Axes]:
        width, font = RENDITIONS[rendition]
        rc = {**sns.axes_style("ticks"), "font.size": font, "axes.titlesize": font, "axes.labelsize": font,
              "xtick.labelsize": font, "ytick.labelsize": font, "legend.fontsize": font,
              "figure.titlesize": font}
        with plt.rc_context(rc):
            figure = mpl_figure.Figure(figsize=(width, self.height), layout="constrained", dpi=DPI)
            ax = figure.add_subplot()
            self.draw(ax)
        return figure, ax

    @staticmethod
    def font_px(rendition: str) -> float:
        """The type size of a rendition in CSS pixels, at the width it is drawn for."""
        return RENDITIONS[rendition][1] * CSS_PX_PER_INCH / 72

    @staticmethod
    def _png(figure: mpl_figure.Figure) -> str:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def _repr_html_(self) -> str:
        wide, narrow = self._png(self.figure), self._png(self._render("narrow")[0])
        width = round(RENDITIONS["wide"][0] * CSS_PX_PER_INCH)
        phone = round(RENDITIONS["narrow"][0] * CSS_PX_PER_INCH)
        return (f'<figure class="cx-chart"><picture>'
                f'<source media="(max-width: {PHONE_BELOW_PX}px)" srcset="data:image/png;base64,{narrow}" '
                f'width="{phone}">'
                f'<img src="data:image/png;base64,{wide}" alt="{html.escape(self.alt)}" width="{width}" '
                f'data-font-px="{self.font_px("wide"):.2f}" data-phone-font-px="{self.font_px("narrow"):.2f}" '
                f'data-phone-width="{phone}" '
                f'style="max-width: 100%; height: auto"></picture></figure>')

    def __repr__(self) -> str:
        return f"Chart({self.alt!r})"


def _one_series(chart: str, rows: pd.DataFrame, key: str, frame: pd.DataFrame, fix: str,
                where: str = "one chart") -> None:
    """Refuse (:class:`ValueError`) rows where ``key`` repeats: they hold several series (segments, periods), which
    one line or one set of bars would draw as one; ``fix`` says what to pass, and the message names the columns
    that may tell the series apart."""
    repeated = rows.loc[rows[key].duplicated(), key]
    if len(repeated):
        others = [c for c in frame.columns if c != key and not pd.api.types.is_numeric_dtype(frame[c])][:4]
        raise ValueError(f"{chart}: {key} {repeated.iloc[0]} appears more than once in {where}: the rows hold several "
                         f"series; {fix}" + (f" (one of {', '.join(map(repr, others))})" if others else ""))


def _chart(draw: Callable[[plt.Axes], object], ax: plt.Axes | None, height: float, alt: str):
    """``draw`` on ``ax`` (returned), or a :class:`Chart` of it when no Axes is given."""
    if ax is not None:
        draw(ax)
        return ax
    return Chart(draw, height, alt)


def _error_lengths(value, low, high) -> list:
    """Error-bar lengths below and above each value, never negative or missing.

    An adjusted interval need not contain its point (an adjusted Wald interval at n = 1),
    and a missing bound has no bar: both would stop matplotlib.
    """
    below = (pd.Series(value) - pd.Series(low)).clip(lower=0).fillna(0)
    above = (pd.Series(high) - pd.Series(value)).clip(lower=0).fillna(0)
    return [below.to_numpy(float), above.to_numpy(float)]


def _legend_below(ax: plt.Axes, handles=None, labels=None, title: str | None = None) -> None:
    """A legend under the chart, outside the data."""
    handles, labels = (handles, labels) if handles is not None else ax.get_legend_handles_labels()
    ax.figure.legend(handles, labels, loc="outside lower center", ncols=_legend_columns(ax.figure, labels),
                     frameon=False, title=title)


def _legend_columns(figure: mpl_figure.Figure, labels: list[str]) -> int:
    """As many legend columns as fit the figure's width (at most 3), from the longest label: a phone's narrow
    rendition gets fewer, so no entry runs past the edge."""
    font = plt.rcParams["legend.fontsize"]
    font = font if isinstance(font, int | float) else plt.rcParams["font.size"]
    entry = (max(map(len, map(str, labels)), default=1) + 5) * 0.55 * font / 72  # marker, gap and text, in inches
    return max(1, min(len(labels), 3, int(figure.get_figwidth() / entry)))


def _few_period_ticks(ax: plt.Axes, most: int = 12) -> None:
    """At most ``most`` labels on a period axis, evenly spread, so that long series stay readable."""
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=most, integer=True))


POINT_LABEL_CHARS = 20  # a label beside a point wraps at this many characters: it fits beside the point on a phone


def _finish(ax: plt.Axes, title: str, xlabel: str, ylabel: str | None = None) -> None:
    ax.set_title(title, wrap=True, loc="left")
    ax.set_xlabel(xlabel, wrap=True)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)


def _nps_color(value: int) -> str:
    return NPS_GROUP_COLORS[score_groups([value])[0]]


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def score_distribution(distributions: pd.DataFrame, score: str = "nps", ax: plt.Axes | None = None):
    """Bar chart of the share of answers at each score value.

    ``distributions`` is a tidy frame with columns score, value, count, share (as in
    :func:`cxlib.studies.data_overview.describe`). NPS bars take the colours of their group.
    """
    rows = distributions[distributions["score"] == score]
    if rows.empty:
        raise ValueError(f"no distribution for score {score!r}; scores present: {sorted(distributions['score'].unique())}")
    _one_series("score_distribution", rows, "value", distributions, "draw the rows of one group")
    n = int(rows["count"].sum())
    label = SCORE_LABELS.get(score, score)

    def draw(ax):
        colors = [_nps_color(v) for v in rows["value"]] if score == "nps" else ACCENT
        ax.bar(rows["value"].astype(str), 100 * rows["share"], color=colors)
        _finish(ax, f"{label}: distribution of answers (n = {n:,})", "Score", "Share of answers (%)")
        if score == "nps":
            handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in NPS_GROUP_COLORS.values()]
            _legend_below(ax, handles, [f"{g.capitalize()}s ({GROUP_RANGES[g][0]}-{GROUP_RANGES[g][1]})"
                                        for g in NPS_GROUP_COLORS])

    top = rows.loc[rows["share"].idxmax()]
    alt = (f"Bar chart of {label} over {n:,} answers: the most common answer is {top['value']} "
           f"({_pct(100 * top['share'])} of answers).")
    if score == "nps":
        shares = {f"{g}s": 100 * rows.loc[rows["value"].between(lo, hi), "share"].sum()
                  for g, (lo, hi) in reversed(GROUP_RANGES.items())}
        alt += " " + ", ".join(f"{_pct(v)} {g}" for g, v in shares.items()) + "."
    return _chart(draw, ax, 3.4, alt)


def trend_chart(periods: pd.DataFrame, title: str, ylabel: str = "NPS (points)", ax: plt.Axes | None = None,
                segment_col: str | None = None):
    """A metric per period with its 95% interval as a band, one line per segment.

    ``periods`` has columns period, value, ci_low, ci_high (as ``Trend.periods``). The
    lines are told apart by ``segment_col``; without it, by the trend's own ``segment``
    column where it holds several segments (a trend made ``by`` a column). A line that
    would pass through one period twice is refused (:class:`ValueError`): it would draw
    segments as one zig-zag.
    """
    if segment_col is None and "segment" in periods and periods["segment"].nunique() > 1:
        segment_col = "segment"
    groups = [(None if name is None else display.value(name), rows) for name, rows in
              (periods.groupby(segment_col, sort=True) if segment_col else [(None, periods)])]
    for name, rows in groups:
        _one_series("trend_chart", rows, "period", periods, "pass segment_col naming the column that tells them "
                    "apart", f"the line {name!r}" if name else "one line")
    colors = distinct_colors(len(groups))

    def draw(ax):
        for i, (name, rows) in enumerate(groups):
            color = colors[i]
            x = rows["period"].astype(str)
            ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=color, alpha=0.18, linewidth=0)
            ax.plot(x, rows["value"], marker="o", color=color, label=name)
        _finish(ax, f"{title} (band: 95% interval)", "Period", ylabel)
        ax.tick_params(axis="x", labelrotation=45)
        _few_period_ticks(ax)
        if segment_col:
            _legend_below(ax)

    moves = [f"{'' if name is None else f'{name}: '}{rows['value'].iloc[0]:.1f} in {rows['period'].iloc[0]} to "
             f"{rows['value'].iloc[-1]:.1f} in {rows['period'].iloc[-1]}" for name, rows in groups if len(rows)]
    per = "" if "per period" in title.lower() else ", per period"
    alt = f"Line chart: {title}{per}, with 95% intervals. " + "; ".join(moves[:6]) + (
        f"; and {len(moves) - 6} more" if len(moves) > 6 else "") + "."
    return _chart(draw, ax, 3.6, alt)


def segment_chart(segments: pd.DataFrame, title: str, xlabel: str = "NPS (points)", overall: float | None = None,
                  ax: plt.Axes | None = None):
    """Each segment's value with its 95% interval; clear differences in colour, small segments hatched.

    ``segments`` is a :func:`cxlib.segment_table` result (value, ci_low, ci_high,
    significant, small_n, segment_col, segment).
    """
    rows = segments.iloc[::-1]
    names = [f"{display.name(c)}: {display.value(s)}" for c, s in zip(rows["segment_col"], rows["segment"], strict=True)]

    def draw(ax):
        labels = names
        colors = [GREY if not sig else NPS_GROUP_COLORS["detractor"] if diff < 0 else ACCENT
                  for sig, diff in zip(rows["significant"], rows["difference"], strict=True)]
        errors = _error_lengths(rows["value"], rows["ci_low"], rows["ci_high"])
        bars = ax.barh(labels, rows["value"], xerr=errors, color=colors, ecolor="#333333", capsize=2)
        for bar, small in zip(bars, rows["small_n"], strict=True):
            if small:
                bar.set_hatch("///")
        if overall is not None:
            ax.axvline(overall, color="#333333", linewidth=1, linestyle="--")
        _finish(ax, f"{title} (orange: clearly below the rest, blue: clearly above; hatched: few answers; lines: "
                    "95% interval)",
                xlabel)

    low, high = segments.loc[segments["value"].idxmin()], segments.loc[segments["value"].idxmax()]
    def named(row) -> str:
        return f"{display.value(row['segment'])} ({display.name(row['segment_col'])}) at {row['value']:.1f}"
    ends = (f"every segment at {low['value']:.1f}" if round(low["value"], 1) == round(high["value"], 1)
            else f"lowest {named(low)}, highest {named(high)}")  # a tie names no segment as both
    alt = (f"Bar chart: {title}, {len(segments)} segments with 95% intervals; {ends}; " + ngettext("{n} differs clearly from the rest", "{n} differ clearly from the rest",
                                               int(segments["significant"].sum())).format(
               n=int(segments["significant"].sum()))
           + (f"; overall {overall:.1f}." if overall is not None else "."))
    return _chart(draw, ax, 0.3 * len(rows) + 1.4, alt)


def driver_shares(result, level: str = "groups", ax: plt.Axes | None = None):
    """Share of explained variance (%) of each group (or driver) with its 95% interval.

    ``result`` is a :class:`cxlib.drivers.KeyDrivers`; ``level`` is "groups" or "drivers".
    """
    table = (result.groups if level == "groups" else result.drivers).sort_values("share")
    labels = table["group" if level == "groups" else "driver"].map(display.name)

    def draw(ax):
        errors = _error_lengths(100 * table["share"], 100 * table["ci_low"], 100 * table["ci_high"])
        ax.barh(labels, 100 * table["share"], xerr=errors, color=ACCENT, ecolor="#333333", capsize=3)
        _finish(ax, f"Share of what the drivers explain in {display.name(result.outcome)} "
                    f"({100 * result.r2:.0f}% of its variation); lines: 95% interval", "Share (%)")

    ranked = ", ".join(f"{name} {_pct(100 * share)}" for name, share in zip(labels[::-1], table["share"][::-1],
                                                                           strict=True))
    alt = (f"Bar chart of each {'group' if level == 'groups' else 'driver'}'s share of what the drivers explain in "
           f"{display.name(result.outcome)}, largest first: {ranked}.")
    return _chart(draw, ax, 0.35 * len(table) + 1.4, alt)


def importance_performance(priorities: pd.DataFrame, ax: plt.Axes | None = None):
    """Quadrant chart: importance (share, %) against performance (mean rating), with 95% intervals.

    ``priorities`` is ``KeyDrivers.priorities()``; the dashed lines are the medians that
    split the quadrants ("fix first" is important and rated low).
    """
    x, y = priorities["mean"], 100 * priorities["share"]

    def draw(ax):
        ax.errorbar(x, y, xerr=_error_lengths(x, priorities["mean_ci_low"], priorities["mean_ci_high"]),
                    yerr=_error_lengths(y, 100 * priorities["ci_low"], 100 * priorities["ci_high"]), fmt="o",
                    color=ACCENT, ecolor=GREY, capsize=2)
        middle = sum(ax.get_xlim()) / 2
        for _, row in priorities.iterrows():  # a label points into the chart: one on the right half ends at its dot
            right = row["mean"] > middle
            ax.annotate(textwrap.fill(display.name(row["driver"]), POINT_LABEL_CHARS), (row["mean"], 100 * row["share"]),
                        textcoords="offset points",
                        xytext=(-5 if right else 5, 4), ha="right" if right else "left")
        ax.axvline(x.median(), color=GREY, linestyle="--", linewidth=1)
        ax.axhline(y.median(), color=GREY, linestyle="--", linewidth=1)
        _finish(ax, "Importance (share of what the drivers explain) and performance (mean rating); top left: fix "
                "first where raising the rating raises the outcome", "Performance: mean rating", "Importance: share (%)")

    fix = priorities.loc[priorities["quadrant"] == "fix first", "driver"].map(display.name).tolist() \
        if "quadrant" in priorities else []
    alt = (f"Scatter chart of {len(priorities)} drivers, importance against mean rating. Fix first (important, "
           f"rated below the median, and raising it raises the outcome): {', '.join(fix) if fix else 'none'}.")
    return _chart(draw, ax, 4.4, alt)


def survival_curves(km: pd.DataFrame, title: str = "Share of customers still active", time_unit: str = "days",
                    ax: plt.Axes | None = None, by: str | None = None, follow_up: dict | None = None):
    """Kaplan-Meier step curves per segment with their 95% intervals as bands.

    ``km`` is a :func:`cxlib.lifecycle.survival.kaplan_meier` result; NPS groups keep their colours. ``by``, the
    column the segments come from, titles the legend. ``follow_up`` (segment -> longest follow-up) carries
    each curve on, flat, to the last customer seen: the curve is known there, not only to the last leaver.
    The alt text reads the curves where every segment still has :data:`ALT_AT_RISK` customers at risk, so
    that it never reports a share that rests on one or two customers.
    """
    groups = [(display.value(name), _carried_on(rows, (follow_up or {}).get(str(name))))
              for name, rows in km.groupby("segment", sort=False)]
    colors = distinct_colors(len(groups))

    def draw(ax):
        for i, (name, rows) in enumerate(groups):
            color = NPS_GROUP_COLORS.get(name, colors[i])
            t = [0.0, *rows["time"]]
            ax.step(t, [100.0, *(100 * rows["survival"])], where="post", color=color, label=name)
            ax.fill_between(t, [100.0, *(100 * rows["ci_low"])], [100.0, *(100 * rows["ci_high"])], step="post",
                            color=color, alpha=0.18, linewidth=0)
        _finish(ax, f"{title} (band: 95% interval)", f"Time as a customer ({time_unit})", "Still active (%)")
        if len(groups) > 1:
            _legend_below(ax, title=display.name(by) if by else None)

    def readable(rows: pd.DataFrame) -> float:  # the last event time with enough customers at risk
        enough = rows.loc[(rows["at_risk"] >= ALT_AT_RISK) & (rows["events"] > 0), "time"]
        return enough.max() if len(enough) else rows["time"].min()

    last = min(readable(rows) for _, rows in groups) if groups else 0
    at = [f"{name} {_pct(100 * rows.loc[rows['time'] <= last, 'survival'].iloc[-1])}" for name, rows in groups]
    unit = time_unit.removesuffix("s") if last == 1 else time_unit
    alt = (f"Step chart: {title}, over time as a customer. After {last:,g} {unit}"
           f"{', by ' + display.in_text(by) if by else ''}: {', '.join(at)} still active.")
    return _chart(draw, ax, 3.6, alt)


ALT_AT_RISK = 10  # customers at risk a share must rest on to be read out in a chart's alt text


def _carried_on(rows: pd.DataFrame, until: float | None) -> pd.DataFrame:
    """A curve's last step carried on to ``until`` (no one at risk leaves after it, so nothing changes)."""
    if until is None or not len(rows) or until <= rows["time"].iloc[-1]:
        return rows
    last = rows.iloc[[-1]].assign(time=until, events=0)
    return pd.concat([rows, last], ignore_index=True)


def hazard_ratios(terms: pd.DataFrame, title: str = "Hazard ratios", ax: plt.Axes | None = None,
                  references: dict | None = None):
    """Forest plot of hazard ratios with 95% intervals on a log scale with plain labels (``terms`` as
    ``CoxResult.terms`` or, per step, ``CoxResult.per_step()``).

    Terms read as comparisons ("Plan: premium vs basic") with ``references`` (column: reference level); a
    number read per a step other than 1 says so ("Age, per 6.11"). A term is coloured as clear by its
    ``p_adjusted`` where the table has one (as :meth:`cxlib.lifecycle.cox.CoxResult.per_step` gives), else by its interval.
    A term without an estimate (a missing hazard ratio) is not drawn, and the alt text names it.
    """
    per = terms["per"] if "per" in terms else pd.Series(1.0, index=terms.index)
    names = [display.term(t, references) + ("" if "[" in t or step == 1 else f", per {step:,.3g}")
             for t, step in zip(terms["term"], per, strict=True)]
    rows = terms.iloc[::-1].assign(term=names[::-1])
    unsized = rows.loc[rows["hazard_ratio"].isna(), "term"].astype(str).tolist()[::-1]  # no estimate: not drawn
    rows = rows[rows["hazard_ratio"].notna()]

    if "p_adjusted" in rows:  # "clear" as the report's sentences say it: Holm-adjusted across the terms
        clear, rule = rows["p_adjusted"] < 0.05, "adjusted p below 0.05"
    else:
        clear, rule = (rows["ci_low"] > 1) | (rows["ci_high"] < 1), "the interval excludes 1"
    sooner_rows, later_rows = clear & (rows["hazard_ratio"] > 1), clear & (rows["hazard_ratio"] < 1)

    def draw(ax):
        if rows.empty:
            ax.text(0.5, 0.5, "No term of the model has an estimate", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return
        errors = _error_lengths(rows["hazard_ratio"], rows["ci_low"], rows["ci_high"])
        colors = [NPS_GROUP_COLORS["detractor"] if up else NPS_GROUP_COLORS["promoter"] if down else GREY
                  for up, down in zip(sooner_rows, later_rows, strict=True)]
        ax.errorbar(rows["hazard_ratio"], rows["term"].astype(str), xerr=errors, fmt="none", ecolor="#333333",
                    capsize=2)
        ax.scatter(rows["hazard_ratio"], rows["term"].astype(str), color=colors, zorder=3)
        ax.axvline(1.0, color="#333333", linewidth=1, linestyle="--")
        ax.set_xscale("log")
        low, high = rows["ci_low"].min(), rows["ci_high"].max()
        ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10) if low / 1.5 <= t <= high * 1.5] or [1]
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        _finish(ax, f"{title} (above 1: leave sooner; orange or green: {rule})", "Hazard ratio (log scale)")

    sooner = rows.loc[sooner_rows, "term"].astype(str).tolist()[::-1]
    later = rows.loc[later_rows, "term"].astype(str).tolist()[::-1]
    alt = (f"Chart of {len(rows)} hazard ratios with 95% intervals. Clearly sooner to leave: "
           f"{', '.join(sooner) or 'none'}; clearly later: {', '.join(later) or 'none'}."
           + (f" Without an estimate, not drawn: {', '.join(unsized)}." if unsized else ""))
    return _chart(draw, ax, 0.35 * max(len(rows), 1) + 1.4, alt)


def theme_shares(themes: pd.DataFrame, title: str = "What comments are about", ax: plt.Axes | None = None):
    """Share of comments per theme with 95% intervals (``themes`` as :func:`cxlib.feedback.theme_table`)."""
    _one_series("theme_shares", themes, "theme", themes, "draw the rows of one group (theme_table by period or "
                "segment gives one group per value)")
    rows = themes.iloc[::-1]
    n = int(themes["comments"].max()) if len(themes) else 0

    def draw(ax):
        errors = _error_lengths(rows["share"], rows["ci_low"], rows["ci_high"])
        colors = [GREY if theme == "untagged" else ACCENT for theme in rows["theme"]]
        ax.barh(rows["label"].astype(str), rows["share"], xerr=errors, color=colors, ecolor="#333333", capsize=2)
        _finish(ax, f"{title} (n = {n:,} comments; lines: 95% interval)",
                "Share of comments (%); a comment can have several themes")

    tagged = themes[(themes["theme"] != "untagged") & (themes["share"] > 0)].sort_values("share", ascending=False)
    most = ", ".join(f"{label} {_pct(share)}" for label, share in zip(tagged["label"].head(3), tagged["share"].head(3),
                                                                     strict=True))
    alt = f"Bar chart: {title}, {n:,} comments. " + (f"Most frequent: {most}." if most else
                                                      "No comment matched a theme.")
    return _chart(draw, ax, 0.3 * len(rows) + 1.4, alt)
