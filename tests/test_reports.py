"""The report runner end to end: papermill -> offline HTML + results.json + index, failures, escaping."""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from scipy import stats

import cxlib as cx
from cxlib.reports import StudyError, StudyFailed, cli, run_study
from cxlib.reports.html import page
from cxlib.reports.index import build_index, read_runs
from cxlib.reports.results import to_jsonable
from cxlib.studies.data_overview import describe

PAYLOAD = '"); import os; os.system("touch pwned"); ("'
XSS = "<script>alert(1)</script>"


def assert_offline_and_codeless(html: str) -> None:
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "a request to another host"
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "input_area" not in html and "jp-InputArea" not in html
    assert "cx.io.load(" not in html and "import cxlib" not in html
    assert "Traceback" not in html


@pytest.fixture(scope="module")
def sample_run(sample_reports):
    return sample_reports["data_overview"]


def test_data_overview_writes_report_results_and_index(sample_run):
    assert {p.name for p in sample_run.iterdir()} == {"report.html", "results.json", "executed.ipynb"}
    results = json.loads((sample_run / "results.json").read_text())
    assert results["status"] == "success" and results["error"] is None
    assert set(results) >= {"schema_version", "study", "parameters", "provenance", "data_quality", "headline",
                            "figures", "results", "run"}
    assert results["parameters"] == {"data_path": None, "missing_codes": [], "strict": False, "encoding": None,
                                     "sep": None, "decimal": None, "thousands": None, "date_format": None,
                                     "sheet": None, "header_row": None, "keep_unfinished": False, "min_rows": 1, "max_excluded": 0.5, "labels": {},
                                     "currency": "EUR", "backend": "pandas", "dask_scheduler": None}
    inputs = {i["name"]: i for i in results["provenance"]["inputs"]}
    assert inputs["customers"]["rows"] == 5000 and len(inputs["responses"]["sha256"]) == 64
    assert set(results["provenance"]) >= {"cxlib_version", "git_commit", "python", "inputs"}
    assert set(results["run"]) == {"run_id", "started_at", "duration_seconds"}
    index = (sample_run.parent.parent / "index.html").read_text()
    assert f"data_overview/{sample_run.name}/report.html" in index


def test_report_is_offline_codeless_and_has_the_sections(sample_run):
    html = (sample_run / "report.html").read_text()
    assert_offline_and_codeless(html)
    assert_offline_and_codeless((sample_run.parent.parent / "index.html").read_text())
    for heading in ("Executive summary", "Data quality", "Methods and assumptions"):
        assert heading in html
    assert html.count('src="data:image/png;base64,') == 3


def test_results_json_equals_cxlib_called_directly(sample_run):
    results = json.loads((sample_run / "results.json").read_text())
    overview, data = cx.studies.compute("data_overview")  # what the notebook calls: describe() and the account
    assert overview.tables.equals(describe(cx.io.load()).tables)
    assert results["results"] == to_jsonable(overview.to_dict())
    assert results["data_quality"] == to_jsonable(data.quality.to_dict())
    assert results["headline"] == overview.headline()


def test_rerun_gives_byte_identical_results_apart_from_the_run_block(sample_run):
    again = run_study("data_overview", reports_dir=sample_run.parent.parent)
    assert again != sample_run
    first, second = (json.loads((d / "results.json").read_text()) for d in (sample_run, again))
    assert first.pop("run") != second.pop("run")
    assert json.dumps(first) == json.dumps(second)


@pytest.mark.slow
def test_strings_from_data_are_escaped(tmp_path, sample_dir):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(sample_dir / "customers.csv", folder)
    responses = pd.read_csv(sample_dir / "responses.csv", dtype=str, keep_default_na=False).head(200)
    responses.loc[:50, "touchpoint"] = XSS
    responses.loc[60, "nps"] = "<img src=x onerror=alert(2)>"
    responses.to_csv(folder / "responses.csv", index=False)
    run = run_study("data_overview", {"data_path": str(folder)}, reports_dir=tmp_path / "reports")
    html = (run / "report.html").read_text()
    assert_offline_and_codeless(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_page_escapes_title_and_footer():
    html = page(XSS, "<p>body</p>", subtitle=XSS, footer=XSS)
    assert XSS not in html and html.count("&lt;script&gt;") == 4


# --- studies written for these tests ----------------------------------------------------------

def write_notebook(folder, name, parameters: str, *cells: str, tagged: bool = True):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "cxlib", "display_name": "Python (cxlib)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"] if tagged else []}),
                *[nbformat.v4.new_code_cell(c) for c in cells]]
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def studies(tmp_path):
    folder = tmp_path / "notebooks"
    write_notebook(folder, "echo", 'label = "x"\nn = 1\nitems = []\nfail = False',
                   "import cxlib as cx\nif fail:\n    raise ValueError('boom in cell')",
                   "cx.reports.record({'label': label, 'n': n, 'items': items}, headline={'label': label})")
    return folder


def run_cli(*args):
    return cli.main(list(args))


@pytest.mark.slow
def test_parameters_pass_as_data_not_code(studies, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_study("echo", {"label": PAYLOAD}, reports_dir=tmp_path / "reports", notebooks_dir=studies)
    assert json.loads((run / "results.json").read_text())["results"]["label"] == PAYLOAD
    assert not (tmp_path / "pwned").exists()
    index = (tmp_path / "reports" / "index.html").read_text()
    assert "label: &quot;); import os; os.system(&quot;touch pwned&quot;); (&quot;" in index


@pytest.mark.slow
def test_cli_parameter_types_follow_papermill(studies, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("label: from-file\nitems: [a, b]\n")
    code = run_cli("--notebooks-dir", str(studies), "run", "echo", "-f", str(params), "-y", "{n: 7}",
                   "-p", "label", "3.5", "--reports-dir", str(tmp_path / "r"), "--no-progress")
    assert code == 0
    (run,) = read_runs(tmp_path / "r")
    assert run["results"] == {"label": 3.5, "n": 7, "items": ["a", "b"]}
    assert run["overrides"] == ["items", "label", "n"]
    assert [cli.resolve_type(v) for v in ("True", "None", "3", "2.5", "abc")] == [True, None, 3, 2.5, "abc"]


@pytest.mark.slow
def test_failed_run_keeps_the_notebook_and_the_last_good_report(studies, tmp_path, capsys):
    reports = tmp_path / "reports"
    good = run_study("echo", reports_dir=reports, notebooks_dir=studies)
    code = run_cli("--notebooks-dir", str(studies), "run", "echo", "-p", "fail", "True", "--reports-dir",
                   str(reports), "--no-progress")
    assert code == 1
    err = capsys.readouterr().err
    assert "ValueError: boom in cell" in err and "executed notebook kept at" in err
    failed = next(d for d in (reports / "echo").iterdir() if d != good)
    assert {p.name for p in failed.iterdir()} == {"executed.ipynb", "results.json"}
    result = json.loads((failed / "results.json").read_text())
    assert result["status"] == "failed" and result["error"]["ename"] == "ValueError"
    assert (good / "report.html").exists()
    index = (reports / "index.html").read_text()
    latest = index.split("All runs")[0]
    assert f"echo/{good.name}/report.html" in latest and failed.name not in latest
    assert "status-failed" in index
    assert not list((reports / "echo").glob(".*"))  # no partial folder left behind


@pytest.mark.slow
def test_rejected_input_exits_with_the_data_error_code(tmp_path, sample_dir, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    pd.read_csv(sample_dir / "responses.csv").drop(columns="survey_date").to_csv(folder / "responses.csv", index=False)
    code = run_cli("run", "data_overview", "-p", "data_path", str(folder), "--reports-dir", str(tmp_path / "r"),
                   "--no-progress")
    assert code == 3
    assert "required column 'survey_date' is missing" in capsys.readouterr().err


def test_unknown_study_or_parameter_is_a_usage_error(studies, tmp_path, capsys):
    assert run_cli("--notebooks-dir", str(studies), "run", "nope", "--reports-dir", str(tmp_path)) == 2
    assert run_cli("--notebooks-dir", str(studies), "run", "echo", "-p", "lable", "x", "--reports-dir",
                   str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "unknown study 'nope'; available: echo" in err
    assert "echo: unknown parameter 'lable' (did you mean 'label'?)" in err
    assert not (tmp_path / "echo").exists()


def test_notebook_without_parameters_tag_is_refused(tmp_path):
    folder = tmp_path / "notebooks"
    write_notebook(folder, "untagged", "a = 1", "print(a)", tagged=False)
    with pytest.raises(StudyError, match="exactly one cell tagged 'parameters'"):
        run_study("untagged", reports_dir=tmp_path / "r", notebooks_dir=folder)


def test_derived_default_in_parameters_cell_is_refused(tmp_path):
    folder = tmp_path / "notebooks"
    write_notebook(folder, "derived", "a = 1\nb = a * 2", "print(b)")
    with pytest.raises(StudyError, match="not a literal; derive values after the parameters cell"):
        run_study("derived", reports_dir=tmp_path / "r", notebooks_dir=folder)


@pytest.mark.slow
def test_study_that_records_nothing_fails(tmp_path):
    folder = tmp_path / "notebooks"
    write_notebook(folder, "silent", "a = 1", "a + 1")
    with pytest.raises(StudyFailed, match="without calling cx.reports.record"):
        run_study("silent", reports_dir=tmp_path / "r", notebooks_dir=folder)


def test_cli_lists_studies(capsys):
    assert run_cli("list") == 0
    assert "data_overview: Data overview" in capsys.readouterr().out


def test_every_study_notebook_is_committed_clean():
    """One literal parameters cell, no outputs, the project kernel (nbval and papermill run it)."""
    for name, study in cx.reports.find_studies().items():
        nb = nbformat.read(study.path, as_version=4)
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code"), name
        assert nb.metadata["kernelspec"]["name"] == "cxlib", name
        assert study.defaults, name


def _fake_run(reports_dir: Path, run_id: str, started: str, period: tuple, nps: tuple, parameters=None) -> None:
    folder = reports_dir / "segment_study" / run_id
    folder.mkdir(parents=True)
    figure = {"key": "nps", "label": "NPS", "value": nps[0], "ci_low": nps[1], "ci_high": nps[2], "unit": "points",
              "n": 900, "better": "higher"}
    (folder / "results.json").write_text(json.dumps({
        "study": "segment_study", "status": "success", "parameters": parameters or {"data_path": "weekly.csv"},
        "overrides": ["data_path"], "headline": {}, "figures": [figure], "results": {},
        "data_period": {"from": period[0], "to": period[1]}, "run": {"started_at": started}}))
    (folder / "report.html").write_text("<html></html>")


def test_index_tiles_show_the_change_since_the_previous_run_and_whether_it_is_beyond_noise(tmp_path):
    """Weekly runs on new data: the change is tested (z-test of two independent estimates); overlapping data are
    not tested; other parameters are not 'the previous run'."""
    from cxlib.formatting.figures import change

    _fake_run(tmp_path, "r1", "2026-11-23T06:00:00+00:00", ("2026-11-16", "2026-11-22"), (16.3, 15.2, 17.4))
    _fake_run(tmp_path, "r2", "2026-11-30T06:00:00+00:00", ("2026-11-23", "2026-11-29"), (20.1, 18.9, 21.3))
    _fake_run(tmp_path, "r0", "2026-11-29T06:00:00+00:00", ("2026-11-16", "2026-11-29"), (0.0, -5.0, 5.0),
              parameters={"data_path": "other.csv"})
    index = build_index(tmp_path).read_text()
    se = ((17.4 - 15.2) ** 2 + (21.3 - 18.9) ** 2) ** 0.5 / (2 * 1.959963984540054)
    assert change({"value": 16.3, "ci_low": 15.2, "ci_high": 17.4},
                  {"value": 20.1, "ci_low": 18.9, "ci_high": 21.3}, True)["p_value"] == pytest.approx(
        2 * stats.norm.sf(3.8 / se), rel=1e-9)
    tile = index[index.index('<a class="tile"'):index.index("</a>", index.index('<a class="tile"'))]
    assert "20.1 points" in tile and "95% CI 18.9 to 21.3" in tile and "r2/report.html" in tile
    assert '<div class="change good">+3.8 points since the previous run, beyond noise (p &lt; 0.001)' in tile
    assert 'data <span class="nowrap">2026-11-23</span> to <span class="nowrap">2026-11-29</span>' in tile
    _fake_run(tmp_path, "r3", "2026-12-01T06:00:00+00:00", ("2026-11-16", "2026-11-30"), (19.0, 18.0, 20.0))
    index = build_index(tmp_path).read_text()
    assert "-1.1 points since the previous run (not tested: the two runs&#x27; data overlap)" in index


def test_an_unreached_median_reads_not_reached_without_an_interval():
    frame = pd.DataFrame({"segment": ["a", "b"], "median": [float("inf"), 30.0], "ci_low": [float("nan"), 20.0],
                          "ci_high": [float("inf"), float("inf")]})
    assert cx.reports.format_table(frame)["median (95% CI)"].tolist() == ["not reached", "30.0 (20.0–not reached)"]


def test_money_columns_carry_the_currency_with_their_interval():
    from cxlib.formatting import labels

    frame = pd.DataFrame({"segment": ["all"], "revenue_at_risk": [2675.4], "risk_ci_low": [2485.0],
                          "risk_ci_high": [2864.2]})
    labels.use(currency="EUR")
    assert cx.reports.format_table(frame, money=["revenue_at_risk"])["revenue at risk (95% CI)"].tolist() == [
        "€2,675 (€2,485 to €2,864)"]
