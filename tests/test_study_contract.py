"""The study contract: declarations, parameters checked before a kernel starts, operational edges."""

import copy
import fcntl
import importlib.util
import inspect
import json
import re
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from test_reports import write_notebook

import cxlib as cx
from cxlib.reports import StudyError, cli, run_study
from cxlib.reports.results import to_jsonable
from cxlib.reports.runner import find_studies
from cxlib.studies import REGISTRY, ParameterError
from cxlib.studies.contract import EDIT_LINE, StudyResult
from cxlib.studies.inputs import reading


def run_cli(*args):
    return cli.main([str(a) for a in args])


def test_every_notebook_is_a_declared_study_with_the_declared_parameters_cell(project):
    studies = find_studies(project / "notebooks")
    assert set(studies) == set(REGISTRY)
    for name, declaration in REGISTRY.items():
        nb = nbformat.read(project / "notebooks" / f"{name}.ipynb", as_version=4)
        (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert cell.source == declaration.parameters_cell(), f"{name}: regenerate its parameters cell"
        assert cell.source.splitlines()[0] == EDIT_LINE.format(name=name)
        assert studies[name].defaults == declaration.defaults()
        assert nb.metadata["cxlib"]["title"] == declaration.title


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_studys_python_function_has_the_declarations_parameters_and_defaults(name):
    """As scikit-learn checks get_params against __init__: run_<study>'s signature is the declaration, keyword-only,
    and its run takes the checked parameters alone (no defaults of its own to drift)."""
    declaration = REGISTRY[name]
    module = importlib.import_module(f"cxlib.studies.{name}")
    signature = inspect.signature(getattr(module, f"run_{name}"))
    assert list(signature.parameters) == declaration.names
    assert {n: p.default for n, p in signature.parameters.items()} == declaration.defaults()
    assert {p.kind for p in signature.parameters.values()} == {inspect.Parameter.KEYWORD_ONLY}
    assert list(inspect.signature(declaration.run).parameters) == ["p"]


def test_a_studys_python_function_checks_its_parameters_as_cx_run_does():
    from cxlib.studies.segment_study import run_segment_study

    with pytest.raises(ParameterError, match=r"unknown parameter 'segment_col' \(did you mean 'segment_cols'\?\)"):
        run_segment_study(segment_col="plan")
    study, _ = run_segment_study(segment_cols=["plan"], date_col=None)
    assert list(study.segments["segment_col"].unique()) == ["plan"]


def test_readme_parameter_tables_come_from_the_declarations(project):
    studies = (project / "docs" / "studies.md").read_text()
    for declaration in REGISTRY.values():
        assert declaration.markdown() in studies, f"docs/studies.md: paste `cx describe --markdown {declaration.name}`"


@pytest.mark.parametrize(("study", "given", "problem"), [
    ("driver_study", {"n_boot": -5}, "n_boot must be an integer ≥ 20 and ≤ 100000, got -5"),
    ("segment_study", {"backend": "spark"}, "backend must be one of pandas, duckdb, dask, got 'spark'"),
    ("churn_study", {"horizons": ["abc"]}, "horizons must be a list of numbers > 0 or None, got ['abc']"),
    ("segment_study", {"backend": "duckdb"}, "backend 'duckdb' needs data_path"),
    ("persona_study", {"k_range": [8, 2]}, "k_range must be two integers [smallest, largest], each ≥ 2 and ≤ 20, got [8, 2]"),
    ("business_case", {"margin": 1.5}, "margin must be a number > 0 and ≤ 1, got 1.5"),
    ("closed_loop", {"until": "31/12/2025"}, "until must be a date written YYYY-MM-DD, from 1900 to 2199 or None, got '31/12/2025'"),
    ("segment_study", {"min_nn": 5}, "unknown parameter 'min_nn' (did you mean 'min_n'?)"),
    ("driver_study", {"backend": "dask", "data_path": "lake/*.parquet", "missing_codes": [99]},
     "missing_codes cannot be applied with backend 'dask'"),
    ("churn_study", {"backend": "duckdb", "data_path": "SELECT 1", "event_value": 0},
     "event_value cannot be applied with backend 'duckdb'"),  # 0 is a value, not "unset"
    ("driver_study", {"driver_groups": {"CX": ["speed", "ease"], "Price": ["price", "speed"]}},
     "driver_groups: 'speed' is listed 2 times; a driver belongs to one group"),
    ("driver_study", {"outcome": "speed"}, "driver_groups: the outcome 'speed' cannot also be a driver"),
    ("segment_study", {"data_path": "/no/such/export.csv"}, "data_path: no such file or folder: '/no/such/export.csv'"),
    ("data_overview", {"data_path": __file__}, "data_path must be a folder with the tables"),
    ("closed_loop", {"taxonomy": "/no/such/taxonomy.yaml"}, "taxonomy must be one of en, tr or the path of a YAML"),
    ("segment_study", {"score_col": 2.5}, "score_col must be a column name, got 2.5 (for text that looks like a number"),
    ("business_case", {"sensitivity_shares": [0.1, 5]}, "sensitivity_shares must be a list of numbers ≥ 0 and ≤ 1"),
])
def test_bad_parameters_are_refused_before_a_kernel_starts(tmp_path, capsys, study, given, problem):
    code = run_cli("run", study, "-y", json.dumps(given), "--reports-dir", tmp_path / "r")
    assert code == 2
    assert problem in capsys.readouterr().err
    assert not (tmp_path / "r").exists()  # nothing written for a wrong command
    with pytest.raises(ParameterError, match=re.escape(problem)):
        run_study(study, given, tmp_path / "r")


@pytest.mark.parametrize(("args", "message"), [
    (["run", "/tmp/segment_study"], "unknown study '/tmp/segment_study'"),
    (["run", "../notebooks/segment_study"], "unknown study '../notebooks/segment_study'"),
    (["run", "segment_study", "-y", "{1: 2}"], "-y: parameter names must be text, got 1"),
    (["run", "churn_study", "-y", "{observed_from: 2024-02-30}"], "-y is not valid YAML: day is out of range"),
    (["run-all", "-y", "{1: 2, a: 3}"], "-y: parameter names must be text, got 1"),
])
def test_malformed_commands_are_usage_errors_without_a_traceback(tmp_path, capsys, args, message):
    assert run_cli(*args, "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "r").exists() and not (tmp_path / "segment_study").exists()


def test_a_parameters_file_that_is_not_utf8_is_named(tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_bytes("segment_cols: [Şube]\n".encode("cp1254"))
    assert run_cli("run", "segment_study", "-f", params, "--reports-dir", tmp_path / "r") == 2
    assert f"parameters file {params} is not UTF-8 text" in capsys.readouterr().err


def test_whole_numbers_name_columns_and_paths():
    values = REGISTRY["segment_study"].resolve({"score_col": 2024, "segment_cols": ["Region"]},
                                               check_header=False).values  # conversion only: no such column
    assert values["score_col"] == "2024"


def test_headers_are_read_whole(tmp_path):
    from cxlib.io.sources import read_header

    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"q{i:05d}" for i in range(3000)) + ",LTR\n" + ",".join(["1"] * 3001) + "\n")
    assert read_header(wide)[-1] == "LTR" and len(read_header(wide)) == 3001
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('"Net\nScore";Region\n1;a\n')
    assert read_header(quoted) == ["Net\nScore", "Region"]
    turkish = tmp_path / "tr.csv"
    turkish.write_text("LTR,İl Bölgesi\n9,Kadıköy\n")
    values = REGISTRY["segment_study"].resolve({"data_path": str(turkish), "score_col": "LTR",
                                                "segment_cols": "il bölgesi"}).values
    assert values["segment_cols"] == ["il bölgesi"]


def test_every_problem_is_one_line_naming_the_parameter(tmp_path, capsys):
    assert run_cli("run", "driver_study", "-p", "n_boot", "-5", "-p", "seed", "x", "-p", "ci_method", "bootstrap",
                   "--reports-dir", tmp_path) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["cx: driver_study: n_boot must be an integer ≥ 20 and ≤ 100000, got -5",
                     "cx: driver_study: seed must be an integer ≥ 0, got 'x'",
                     "cx: driver_study: ci_method must be one of percentile, bca, got 'bootstrap'"]


def test_values_are_converted_as_declared():
    seg = REGISTRY["segment_study"]
    values = seg.resolve({"segment_cols": "gender", "backend": "DuckDB", "data_path": "lake/*.parquet",
                          "missing_codes": None}).values
    assert values["segment_cols"] == ["gender"] and values["backend"] == "duckdb" and values["missing_codes"] == []
    churn = REGISTRY["churn_study"].resolve({"horizons": 12, "observed_from": pd.Timestamp("2024-03-01").date()})
    assert churn.values["horizons"] == [12] and churn.values["observed_from"] == "2024-03-01"
    drivers = REGISTRY["driver_study"].resolve({"driver_groups": ["q1", "q2"], "n_boot": 100.0},
                                               check_header=False).values
    assert drivers["driver_groups"] == {"q1": ["q1"], "q2": ["q2"]} and drivers["n_boot"] == 100


def test_own_data_never_requires_a_column_the_user_did_not_name(tmp_path):
    """On the sample, optional columns default to the sample's; on the user's table they are not used."""
    seg = REGISTRY["segment_study"]
    assert seg.resolve({}).values["revenue_col"] == "monthly_revenue"
    own = tmp_path / "my.csv"
    own.write_text("LTR,Region\n9,North\n3,South\n")
    values = seg.resolve({"data_path": str(own), "score_col": "LTR", "segment_cols": ["Region"]}).values
    assert values["revenue_col"] is None and values["tenure_col"] is None and values["date_col"] is None
    for name in ("driver_study", "churn_study", "closed_loop", "persona_study", "business_case"):
        study = REGISTRY[name]
        optional = [p.name for p in study.parameters if p.nullable and p.columns("x")]
        assert all(study.defaults(own_data=True)[n] is None for n in optional), name


def test_named_columns_are_checked_against_the_files_header(tmp_path):
    own = tmp_path / "my.csv"
    own.write_text("LTR;Region;Answered\n9;North;2025-01-02\n")
    with pytest.raises(ParameterError) as err:
        REGISTRY["segment_study"].resolve({"data_path": str(own), "score_col": "LTR",
                                           "segment_cols": ["Regoin", "region"], "revenue_col": "MRR"})
    assert err.value.problems == [
        "segment_cols: column 'Regoin' (closest: 'Region') not in " + str(own) + ". Its columns: 'LTR', 'Region', 'Answered'",
        "revenue_col: column 'MRR' not in " + str(own) + "; or None: not used. Its columns: 'LTR', 'Region', 'Answered'"]
    frame = pd.DataFrame({"Tenure": [3], "Left": [1]})
    frame.to_parquet(tmp_path / "c.parquet")
    with pytest.raises(ParameterError, match="event_col: column 'event' not in"):
        REGISTRY["churn_study"].resolve({"data_path": str(tmp_path / "c.parquet"), "duration_col": "Tenure",
                                           "time_unit": "months"})


@pytest.mark.slow
def test_segment_study_on_an_export_naming_only_its_columns(tmp_path, sample_dir, capsys):
    """The issue's command: own CSV, score and one segment named; nothing else required."""
    answers = cx.io.load().survey_frame()
    export = answers[["nps", "region", "comment"]].rename(columns={"nps": "LTR", "region": "Region"})
    export.to_csv(tmp_path / "my.csv", index=False)
    code = run_cli("run", "segment_study", "-p", "data_path", tmp_path / "my.csv", "-p", "score_col", "LTR",
                   "-y", "{segment_cols: Region}", "--reports-dir", tmp_path / "r", "--no-progress")
    assert code == 0, capsys.readouterr().err
    (run,) = (tmp_path / "r" / "segment_study").iterdir()
    out = json.loads((run / "results.json").read_text())
    assert out["parameters"]["segment_cols"] == ["Region"] and out["parameters"]["revenue_col"] is None
    assert out["overrides"] == ["data_path", "score_col", "segment_cols"]
    direct = cx.nps(answers, "nps")
    assert out["results"]["overall"]["nps"] == pytest.approx(direct.value, abs=1e-12)
    assert {s["segment"] for s in out["results"]["segments"]} == set(answers["region"].unique())
    html = (run / "report.html").read_text()
    assert "Not available: name a column with <code>revenue_col</code> to see the revenue view." in html
    assert "No revenue column" not in html and "&#x27;" not in html.split("Executive summary")[1][:3000]


@pytest.mark.slow
def test_a_notebook_that_is_not_a_study_is_skipped_with_a_warning(tmp_path, capsys):
    folder = tmp_path / "notebooks"
    write_notebook(folder, "echo", 'label = "x"', "import cxlib as cx\ncx.reports.record({'label': label})")
    write_notebook(folder, "Untitled", "a = 1", "print(a)", tagged=False)
    assert run_cli("--notebooks-dir", folder, "list") == 0
    captured = capsys.readouterr()
    assert "echo" in captured.out and "Untitled" not in captured.out
    assert "cx: warning: skipped Untitled.ipynb" in captured.err
    assert run_cli("--notebooks-dir", folder, "run-all", "-p", "label", "y", "--reports-dir", tmp_path / "r",
                   "--no-progress") == 0
    (run,) = (tmp_path / "r" / "echo").iterdir()
    assert json.loads((run / "results.json").read_text())["results"] == {"label": "y"}
    err = capsys.readouterr().err
    assert err.index("cx: echo succeeded:") < err.index("cx: index at")
    told = []
    outcomes = cx.reports.run_all(tmp_path / "r2", {"label": "z"}, notebooks_dir=folder,
                                  done=lambda name, outcome: told.append((name, outcome)))
    assert told == list(outcomes.items()) and [name for name, _ in told] == ["echo"]
    assert run_cli("--notebooks-dir", folder, "run-all", "-p", "colour", "y", "--reports-dir", tmp_path / "r") == 2
    assert "no study has the parameter(s) ['colour']" in capsys.readouterr().err
    with pytest.raises(StudyError, match="exactly one cell tagged 'parameters'"):
        run_study("Untitled", reports_dir=tmp_path / "r", notebooks_dir=folder)


def test_run_all_checks_every_study_before_running_any(tmp_path, capsys):
    assert run_cli("run-all", "-p", "min_n", "0", "-p", "n_boot", "-1", "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err.splitlines()
    assert "cx: run-all: segment_study: min_n must be an integer ≥ 1, got 0" in err
    assert "cx: run-all: cx_scorecard: min_n must be an integer ≥ 1, got 0" in err
    assert "cx: run-all: driver_study: n_boot must be an integer ≥ 20 and ≤ 100000, got -1" in err
    assert not (tmp_path / "r").exists()


def test_unwritable_reports_folder_is_a_usage_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert run_cli("run", "data_overview", "--reports-dir", blocker / "reports") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cx: cannot write reports into {blocker / 'reports'}") and len(err.splitlines()) == 1


@pytest.mark.slow
def test_stale_partial_runs_are_removed_and_live_ones_kept(tmp_path):
    folder = tmp_path / "notebooks"
    write_notebook(folder, "echo", 'label = "x"', "import cxlib as cx\ncx.reports.record({'label': label})")
    study_dir = tmp_path / "r" / "echo"
    stale = study_dir / ".20250101T000000Z-aaaaaa.partial"
    live = study_dir / ".20250101T000000Z-bbbbbb.partial"
    for partial in (stale, live):
        partial.mkdir(parents=True)
        (partial / "executed.ipynb").write_text("{}")
    (study_dir / ".20250101T000000Z-aaaaaa.lock").write_text("")  # its run was killed: nobody holds the lock
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time\n"
        f"f = open({str(study_dir / '.20250101T000000Z-bbbbbb.lock')!r}, 'a')\n"
        "fcntl.flock(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        run = run_study("echo", reports_dir=tmp_path / "r", notebooks_dir=folder)
        assert not stale.exists() and live.exists()
        assert not list(run.parent.glob(f".{run.name}*"))  # its own lock is gone once published
        index = (tmp_path / "r" / "index.html").read_text()
        assert "partial" not in index
    finally:
        holder.kill()
        holder.wait()
    with open(study_dir / ".20250101T000000Z-bbbbbb.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when its holder died


def test_readme_results_schema_is_the_real_output(project, sample_reports):
    """docs/running.md's keys of `results` per study, and the records it promises, against the sample's runs."""
    readme = (project / "docs" / "running.md").read_text()
    out = {name: json.loads((run / "results.json").read_text())["results"] for name, run in sample_reports.items()}
    for name, results in out.items():
        assert f"| `{name}` | " + ", ".join(f"`{k}`" for k in results) + " |" in readme, name
    segment = out["segment_study"]
    assert set(segment["overall"]) >= {"nps", "ci_low", "ci_high", "n"}  # docs: overall {nps, ci_low, ci_high, n}
    promised = {"segment_col", "segment", "n", "nps", "ci_low", "ci_high", "difference", "p_value", "p_adjusted",
                "significant", "small_n"}
    assert all(promised <= set(row) for row in segment["segments"])
    assert "`segments [{segment_col, segment, n, nps, ci_low, ci_high, difference, p_value, p_adjusted, " \
           "significant, small_n}]`" in readme
    drivers = out["driver_study"]
    assert {"driver", "group", "share", "ci_low", "ci_high"} <= set(drivers["drivers"][0])
    assert {"group", "share", "ci_low", "ci_high", "sum_of_member_shares"} <= set(drivers["groups"][0])
    churn = out["churn_study"]
    assert {"segment", "t", "survival", "ci_low", "ci_high"} <= set(churn["survival"][0])
    assert set(churn["logrank"]) >= {"statistic", "df", "p_value"}
    assert {"term", "hazard_ratio", "ci_low", "ci_high", "p_value"} <= set(churn["cox"][0])


def test_result_tables_show_in_notebooks_as_in_reports():
    from IPython.core.interactiveshell import InteractiveShell

    from cxlib.formatting.display import register_display

    shell = InteractiveShell.instance()
    try:
        assert register_display()
        table = cx.segment_table(cx.io.load(), by="plan")  # the loaded data: customers' plan joined for us
        html = shell.display_formatter.format(table)[0]["text/html"]
        basic = table.loc[table["segment"] == "basic"].iloc[0]
        assert f"{basic['value']:.1f} ({basic['ci_low']:.1f}–{basic['ci_high']:.1f})" in html
        assert table["value"].dtype == float and basic["value"] != round(basic["value"], 1)  # numbers unchanged
        plain = shell.display_formatter.format(pd.DataFrame({"a": [1.23456]}))[0]["text/html"]
        assert "1.23456" in plain
    finally:
        InteractiveShell.clear_instance()


def test_columns_of_another_table_are_named_with_the_way_to_reach_them():
    data = cx.io.load()
    with pytest.raises(cx.io.DataError, match=r"'plan' is a column of the customers table: pass the loaded data"):
        cx.segment_table(data.responses, by="plan")


def test_every_study_computes_in_process_what_its_report_records(sample_reports):
    """One protocol (StudyResult): compute() gives (result, data); the result's to_dict(), headline() and figures()
    are what results.json holds."""
    for name in REGISTRY:
        result, data = cx.studies.compute(name)
        assert isinstance(result, StudyResult), name
        recorded = json.loads((sample_reports[name] / "results.json").read_text())
        assert recorded["results"] == to_jsonable(result.to_dict()), name
        assert recorded["headline"] == to_jsonable(result.headline()), name
        assert recorded["figures"] == to_jsonable(result.figures()), name
        assert recorded["data_quality"] == to_jsonable(data.quality.to_dict()), name


def readme_study_example(project) -> str:
    text = (project / "docs" / "architecture.md").read_text()
    section = text[text.index("## Adding a study"):]
    block = section[section.index("   ```python\n") + len("   ```python\n"):section.index("   ```\n")]
    return textwrap.dedent(block)


@pytest.mark.slow
def test_the_readme_example_study_works(project, tmp_path):
    """The module that "Adding a study" shows, loaded as cxlib.studies.my_study, runs on the sample and on a file."""
    spec = importlib.util.spec_from_loader("cxlib.studies.my_study", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "cxlib.studies"
    exec(compile(readme_study_example(project), "docs/architecture.md", "exec"), module.__dict__)
    study = module.STUDY
    result, _ = study.compute({})
    assert result.value == pytest.approx(cx.nps(cx.io.load().responses).value)
    export = tmp_path / "answers.csv"
    export.write_text("LTR,Region\n10,North\n9,South\n3,South\n7,North\n")
    values = study.resolve({"data_path": str(export), "score_col": "LTR"}).values
    assert values["segment_col"] is None
    result, table = module.run_my_study(data_path=str(export), score_col="LTR")
    assert result.value == pytest.approx(25.0) and result.headline() == {"NPS": result.format()}
    with pytest.raises(ParameterError, match="score_col: column 'nps' not in"):
        study.resolve({"data_path": str(export)})


def test_describe_prints_each_parameter_with_what_is_allowed(capsys):
    assert run_cli("describe", "segment_study") == 0
    out = capsys.readouterr().out
    assert "revenue_col = \"monthly_revenue\"; your data: None" in out
    assert "allowed: one of pandas, duckdb, dask" in out
    assert run_cli("describe", "nope") == 2


def test_only_study_notebooks_are_tracked(project):
    """An analyst's new notebooks and exports stay out of git; exports go to the ignored reports folder."""
    ignore = (project / ".gitignore").read_text().splitlines()
    kept = {line.removeprefix("!notebooks/").removesuffix(".ipynb") for line in ignore if line.startswith("!notebooks/")}
    assert kept == set(REGISTRY)
    assert "notebooks/*.ipynb" in ignore and "notebooks/exports/" in ignore
    tracked = subprocess.run(["git", "-C", str(project), "ls-files", "notebooks"], capture_output=True, text=True)
    if tracked.returncode == 0:  # a git checkout: nothing but the study notebooks under notebooks/
        assert sorted(tracked.stdout.split()) == sorted(f"notebooks/{name}.ipynb" for name in REGISTRY)
    assert cx.reports.results.INTERACTIVE_EXPORTS == project / "reports" / "exports"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_study_notebook_is_as_git_s_clean_filter_writes_it(project, name):
    """make lab installs nbstripout as git's clean filter; a notebook it would rewrite (cell ids renumbered, a key
    stripped) shows as modified in git status as soon as JupyterLab saves it, though nothing changed."""
    makefile = (project / "Makefile").read_text()
    extra = re.search(r'git config filter\.nbstripout\.extrakeys "([^"]+)"', makefile).group(1)
    path = project / "notebooks" / f"{name}.ipynb"
    cleaned = subprocess.run([str(project / ".venv" / "bin" / "nbstripout"), "--extra-keys", extra, "-t", str(path)],
                             capture_output=True, text=True, check=True).stdout
    assert cleaned == path.read_text(), f"run nbstripout --extra-keys {extra!r} on notebooks/{name}.ipynb"


@pytest.mark.slow
def test_a_study_notebook_run_through_a_kernel_leaves_git_status_clean(tmp_path, project):
    """What `make lab` installs: nbstripout as a git filter, so a study notebook that was only opened and run (its
    outputs, execution counts and the Python version the kernel writes into the metadata) shows no change in git
    and is never committed with outputs; the kernel the notebook runs on stays."""
    from nbclient import NotebookClient

    from cxlib.reports.lab import save_as_committed
    from cxlib.reports.runner import ensure_kernel

    makefile = (project / "Makefile").read_text()
    assert "nbstripout --install" in makefile
    extra = re.search(r'git config filter\.nbstripout\.extrakeys "([^"]+)"', makefile).group(1)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([str(project / ".venv" / "bin" / "nbstripout"), "--install"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "filter.nbstripout.extrakeys", extra], check=True)
    path = tmp_path / "data_overview.ipynb"
    path.write_bytes((project / "notebooks" / "data_overview.ipynb").read_bytes())
    subprocess.run([*git, "add", path.name], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    assert f"--ContentsManager.pre_save_hook={save_as_committed.__module__}.save_as_committed" in makefile
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name=ensure_kernel(), resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.metadata["language_info"]["version"] and any(c.get("outputs") for c in nb.cells)
    lab = SimpleNamespace(root_dir=str(tmp_path))
    for name in (path.name, "mine.ipynb"):  # Lab saves the study notebook and an analyst's untracked copy
        model = {"type": "notebook", "content": copy.deepcopy(nb)}
        save_as_committed(model, name, lab)
        nbformat.write(nbformat.from_dict(model["content"]), tmp_path / name)
    status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True, check=True).stdout
    assert status == "?? mine.ipynb\n"  # the study notebook: no change
    assert any(c.get("outputs") for c in nbformat.read(tmp_path / "mine.ipynb", as_version=4).cells)
    edited = nbformat.read(path, as_version=4)
    edited.cells[0].source += "\n# edited"
    model = {"type": "notebook", "content": edited}
    save_as_committed(model, path.name, lab)
    assert model["content"].cells[0].source.endswith("# edited")  # an edit is saved (and shows in git)


def test_reading_options_as_the_readme_spells_them_on_the_command_line():
    given = {"data_path": None, "decimal": ",", "thousands": " ", "sep": "\\t", "date_format": "%d.%m.%Y", "sheet": 2}
    values = REGISTRY["segment_study"].resolve(given).values
    assert (values["decimal"], values["thousands"], values["sheet"]) == (",", " ", "2")
    assert reading(values)["sep"] == "\t"


@pytest.mark.parametrize(("study", "given", "problem"), [
    ("segment_study", {"segment_cols": ["NPS"]}, "score_col and segment_cols both name the column 'NPS'"),
    ("segment_study", {"weight_col": "nps"}, "score_col and weight_col both name the column 'nps'"),
    ("segment_study", {"id_col": "plan"}, "id_col and segment_cols both name the column 'plan'"),
    ("driver_study", {"segment_col": "nps"}, "outcome and segment_col both name the column 'nps'"),
    ("segment_study", {"date_format": "%Q%"}, "date_format must be a strftime format such as %d.%m.%Y ('Q' is a bad "
                                              "directive in format '%Q%')"),
])
def test_a_column_in_two_parts_and_a_bad_date_format_are_refused_before_a_kernel(study, given, problem):
    with pytest.raises(ParameterError) as refused:
        REGISTRY[study].resolve(given)
    assert any(p.startswith(problem) for p in refused.value.problems), refused.value.problems


def test_the_parts_a_study_lets_share_a_column_still_do():
    """The churn study's segment is a covariate too; a persona trait may also be profiled as an outcome."""
    assert REGISTRY["churn_study"].resolve({"segment_col": "plan", "covariates": ["plan"]}).values["segment_col"]
    assert REGISTRY["persona_study"].resolve({"trait_cols": ["monthly_revenue", "plan"]}).values["trait_cols"]


def test_the_examples_in_a_parameters_cell_are_python_an_analyst_can_paste():
    """A comment's example such as {"price_value": "Value for money"} is pasted as a value: it must be Python."""
    import ast

    for study in REGISTRY.values():
        for line in study.parameters_cell().splitlines()[1:]:
            comment = line.partition("  # ")[2]
            for example in re.findall(r"e\.g\. ([\[{].*?[\]}])(?=[ ;,)]|$)", comment):
                ast.literal_eval(example)  # raises on YAML such as {price_value: "Value for money"}


def test_a_column_named_on_the_sample_or_a_canonical_folder_is_checked_before_a_kernel_starts(tmp_path, capsys):
    """A typo on the bundled sample was exit 3 after a kernel started ("the data cannot support it"); a column the
    study derives from the canonical tables (tenure_days, duration) may be named."""
    with pytest.raises(ParameterError, match=r"segment_cols: column 'chanel' \(closest: 'channel'\) not in the "
                                             r"bundled sample"):
        REGISTRY["segment_study"].resolve({"segment_cols": ["chanel"]})
    assert REGISTRY["segment_study"].resolve({"segment_cols": ["Channel"], "tenure_col": "tenure_days"})
    assert REGISTRY["churn_study"].resolve({"covariates": ["nps_group", "plan"]})
    assert run_cli("run", "segment_study", "-p", "segment_cols", "chanel", "--reports-dir", tmp_path) == 2
    assert "not in the bundled sample" in capsys.readouterr().err


def test_cx_notebook_writes_a_copy_that_computes_what_cx_run_would(tmp_path, capsys):
    """The study notebook stays as it is; the copy carries the parameters below its own cell, as papermill injects
    them, and its cells give the numbers cx run would (on the user's data the optional columns are not used)."""
    frame = pd.DataFrame({"LTR": [9, 3, 10, 7, 0, 6] * 10, "Seg": ["A", "B", "C"] * 20})
    data = tmp_path / "answers.csv"
    frame.to_csv(data, index=False)
    copy = tmp_path / "mine.ipynb"
    assert run_cli("notebook", "segment_study", copy, "-p", "data_path", data, "-y",
                   "{score_col: LTR, segment_cols: [Seg]}") == 0
    cells = nbformat.read(copy, as_version=4).cells
    namespace: dict = {}
    for cell in cells:
        if {"parameters", "injected-parameters"} & set(cell.metadata.get("tags", [])):
            exec(cell.source, namespace)
    mine, _ = REGISTRY["segment_study"].compute(REGISTRY["segment_study"].collect(namespace))
    direct, _ = cx.studies.compute("segment_study", {"data_path": str(data), "score_col": "LTR",
                                                     "segment_cols": ["Seg"]})
    assert mine.overall == direct.overall and namespace["revenue_col"] is None
    assert run_cli("notebook", "segment_study", copy) == 2 and "exists" in capsys.readouterr().err


def test_cx_notebook_makes_a_relative_data_path_absolute_for_jupyterlab(tmp_path, monkeypatch, capsys):
    """JupyterLab runs a copy in its own folder, not where cx notebook was typed: "exports/survey.csv" would not be
    found there, so the copy carries the absolute path; a copy outside notebooks/ is told it cannot be opened."""
    (tmp_path / "exports").mkdir()
    pd.DataFrame({"LTR": [9, 3, 10] * 20}).to_csv(tmp_path / "exports" / "survey.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert run_cli("notebook", "segment_study", "mine.ipynb", "-p", "data_path", "exports/survey.csv",
                   "-p", "score_col", "LTR") == 0
    assert "make lab shows notebooks/" in capsys.readouterr().err
    injected = next(c for c in nbformat.read(tmp_path / "mine.ipynb", as_version=4).cells
                    if "injected-parameters" in c.metadata.get("tags", []))
    assert f'data_path = "{tmp_path / "exports" / "survey.csv"}"' in injected.source
