"""Charts fit the screen they are drawn for: legends within the figure's width, period labels that do not
overlap, axis titles wrapped rather than cut."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cxlib import plots


def _periods(segments: list[str], n: int) -> pd.DataFrame:
    rows = [{"segment": s, "period": str(p), "value": float(np.sin(i)), "ci_low": -1.0, "ci_high": 1.0}
            for s in segments for i, p in enumerate(pd.period_range("1990Q1", periods=n, freq="Q"))]
    return pd.DataFrame(rows)


def _extent_inside(figure: Figure) -> bool:
    figure.canvas.draw()
    box = figure.legends[0].get_window_extent()
    return box.x0 >= 0 and box.x1 <= figure.bbox.width


def test_a_legend_of_long_names_fits_the_phone_rendition_and_period_labels_are_few():
    names = ["100% coinsurance", "25% coinsurance", "50% coinsurance", "95% coinsurance", "Free care"]
    chart = plots.trend_chart(_periods(names, 60), "NPS per period", segment_col="segment")
    for rendition in ("wide", "narrow"):
        figure, ax = chart._render(rendition)
        assert _extent_inside(figure), rendition
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert 2 <= len(labels) <= 13 and labels[0] == "1990Q1"
    narrow, _ = chart._render("narrow")
    wide, _ = chart._render("wide")
    assert narrow.legends[0]._ncols < wide.legends[0]._ncols <= 3


def test_survival_curves_name_their_column_run_to_the_last_follow_up_and_read_out_only_what_many_bear():
    from cxlib.lifecycle.survival import SurvivalCounts, kaplan_meier
    # "no": 18 customers, 10 leave at 1, 5 at 2 (8 at risk then); "yes": 40, 10 leave at 1, 10 at 2; seen until 9
    counts = SurvivalCounts(pd.Index(["no", "yes"]), np.array([1.0, 2.0, 9.0]), np.array([[10, 5, 0], [10, 10, 0]]),
                            np.array([[10, 5, 3], [10, 10, 20]]), None)
    km = kaplan_meier(counts)
    chart = plots.survival_curves(km, time_unit="months", by="had_surgery", follow_up={"no": 9.0, "yes": 9.0})
    assert chart.alt.endswith("After 1 month, by had surgery: no 44%, yes 75% still active.")  # 8 at risk at 2
    figure = Figure()
    ax = figure.subplots()
    plots.survival_curves(km, ax=ax, by="had_surgery", follow_up={"no": 9.0, "yes": 9.0})
    assert figure.legends[0].get_title().get_text() == "Had surgery"
    assert [line.get_xdata()[-1] for line in ax.get_lines()] == [9.0, 9.0]  # on to the last customer seen


def test_a_check_that_fails_reads_no_not_blank():
    from cxlib.formatting.tables import format_table
    shown = format_table(pd.DataFrame({"term": ["a", "b"], "proportional": [True, False]}))
    assert shown["proportional"].tolist() == ["yes", "no"]


def test_a_trend_by_a_column_draws_one_line_per_segment_and_a_mixed_one_is_refused():
    """docs/python.md's trend(..., by="region") drawn as it comes: one line per region, never a zig-zag through all."""
    import pytest

    import cxlib as cx

    frame = cx.io.load().survey_frame()
    periods = cx.trend(frame, "nps", "survey_date", by="region").periods
    chart = plots.trend_chart(periods, "NPS")
    figure, ax = chart._render("wide")
    assert len(ax.get_lines()) == periods["region"].nunique() == 4
    first = periods.sort_values("period").groupby("segment").first()
    assert f"East: {first.loc['East', 'value']:.1f} in 2024Q1" in chart.alt
    with pytest.raises(ValueError, match=r"period 2024Q1 appears more than once in one line: .* pass segment_col "
                                         r"naming the column that tells them apart \(one of 'region'"):
        plots.trend_chart(periods.drop(columns=["segment"]), "NPS")


def test_bars_of_several_groups_are_refused_rather_than_drawn_on_top_of_each_other():
    import pytest

    from cxlib.feedback import theme_table

    frame = pd.DataFrame({"comment": ["too expensive", "app crashes", "great", "price went up"],
                          "plan": ["A", "A", "B", "B"]})
    with pytest.raises(ValueError, match=r"theme_shares: theme \w+ appears more than once in one chart: .* \(one of "
                                         r"'plan'"):
        plots.theme_shares(theme_table(frame, "comment", "plan"))
    assert plots.theme_shares(theme_table(frame, "comment")).alt.startswith("Bar chart: What comments are about")


def test_driver_labels_of_the_priorities_chart_stay_inside_the_figure():
    names = ["Knowledgeable and friendly help", "Speed", "Ease of use of the self-service portal", "Price value"]
    priorities = pd.DataFrame({"driver": names, "mean": [6.1, 6.5, 7.2, 7.9], "mean_ci_low": [6.0, 6.4, 7.1, 7.8],
                               "mean_ci_high": [6.2, 6.6, 7.3, 8.0], "share": [0.3, 0.2, 0.25, 0.25],
                               "ci_low": [0.28, 0.18, 0.23, 0.23], "ci_high": [0.32, 0.22, 0.27, 0.27],
                               "quadrant": ["fix first", "low priority", "keep up", "keep up"]})
    chart = plots.importance_performance(priorities)
    for rendition in ("wide", "narrow"):
        figure, ax = chart._render(rendition)
        figure.canvas.draw()
        boxes = [t.get_window_extent() for t in ax.texts]
        assert len(boxes) == 4
        assert all(b.x0 >= 0 and b.x1 <= figure.bbox.width for b in boxes), rendition


def test_a_tie_names_no_segment_as_both_lowest_and_highest():
    rows = pd.DataFrame({"segment_col": ["region"] * 2, "segment": ["North", "South"], "value": [16.7, 16.7],
                         "ci_low": [0.0, 0.0], "ci_high": [30.0, 30.0], "n": [30, 30], "significant": [False, False],
                         "small_n": [False, False], "difference": [0.0, 0.0]})
    alt = plots.segment_chart(rows, "NPS by segment").alt
    assert "every segment at 16.7" in alt and "lowest" not in alt
