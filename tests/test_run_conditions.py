"""The conditions runs meet: schedulers, pipes, hostile paths and parameter files, and text from data on a terminal.

Each run ends with a result or a reason: never a hang, a traceback, a file in the working
directory, or a control character from a file on the user's terminal.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from test_reports import write_notebook

import cxlib as cx
from cxlib.formatting.quoting import printable, shown
from cxlib.io import DataError
from cxlib.io.spreadsheets import workbook_header
from cxlib.reports import StudyFailed, cli, run_study
from cxlib.reports.kernel_files import SOCKET_PATH_MAX, private_kernel
from cxlib.studies import REGISTRY, ParameterError

CX = str(Path(sys.executable).with_name("cx"))
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
HOSTILE = "\x1b]0;owned\x07\x1b[2J"  # sets a terminal's title, then clears its screen


@pytest.fixture
def no_hang():
    """Fail, instead of waiting for ever, when a test blocks (a reader waiting on a pipe)."""
    def timeout(signum, frame):
        raise TimeoutError("blocked for 20 s")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run_cli(*args) -> int:
    return cli.main([str(a) for a in args])


def answers_csv(tmp_path: Path, header: str = "nps,comment,survey_date,customer_id") -> Path:
    path = tmp_path / "answers.csv"
    path.write_text(f"{header}\n9,great,2024-01-05,1\n3,slow,2024-01-06,2\n", encoding="utf-8")
    return path


# --- kernels keep their files in a private folder ------------------------------------------------

@pytest.mark.parametrize("long_tempdir", [False, True])
def test_a_kernel_keeps_its_files_in_a_private_folder_removed_after_the_run(tmp_path, monkeypatch, long_tempdir):
    tempdir = tmp_path / ("d" * 100 if long_tempdir else "t")  # a socket path has at most 107 bytes
    tempdir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tempdir))
    with private_kernel() as manager:
        km = manager(kernel_name="cxlib")
        folder = Path(km.connection_file).parent
        assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o700
        assert folder.parent == (Path("/tmp") if long_tempdir else tempdir)
        assert km.transport == "ipc" and Path(km.ip).parent == folder
        assert len(os.fsencode(f"{km.ip}-99")) <= SOCKET_PATH_MAX
    assert not folder.exists()


def read_only(folder: Path) -> list[str]:
    """The command prefix that runs in ``folder`` made unwritable: by its mode, or for root in a read-only bind mount."""
    folder.chmod(0o555)
    if os.geteuid() != 0:
        return []
    remount = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && cd "$0" && exec "$@"'
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", remount, str(folder)]
    if subprocess.run([*command, "true"], capture_output=True).returncode != 0:
        pytest.skip("no read-only folder can be made here (root without mount namespaces)")
    return command


@pytest.mark.slow
def test_two_runs_started_together_from_one_unwritable_folder_both_succeed_and_write_nothing_there(tmp_path):
    """As a service with WorkingDirectory=/ runs them; each kernel lists the working directory while it runs."""
    notebooks, cwd = tmp_path / "notebooks", tmp_path / "cwd"
    cwd.mkdir()
    write_notebook(notebooks, "cwd", "label = 'x'",
                   "import os\nimport cxlib as cx\ncx.reports.record({'cwd': sorted(os.listdir('.'))})")
    prefix = read_only(cwd)
    runs = [subprocess.Popen([*prefix, CX, "--notebooks-dir", str(notebooks), "run", "cwd", "-p", "label", str(n),
                              "--reports-dir", str(tmp_path / "reports"), "--no-progress"],
                             cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    outcomes = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    recorded = [json.loads(p.read_text())["results"] for p in (tmp_path / "reports").glob("cwd/*/results.json")]
    assert recorded == [{"cwd": []}, {"cwd": []}]
    assert not list(cwd.iterdir())
    assert not any("KeyboardInterrupt" in err for _, err in outcomes)  # a finished kernel is shut down, not interrupted



@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_run_stopped_by_ctrl_c_or_sigterm_says_so_in_one_line_and_leaves_nothing(tmp_path, stop):
    """Ctrl-C printed a 49-line traceback and left a hidden partial run folder and its lock."""
    notebooks, started = tmp_path / "notebooks", tmp_path / "started"
    write_notebook(notebooks, "slow", "label = 'x'",
                   f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(120)")
    run = subprocess.Popen([CX, "--notebooks-dir", str(notebooks), "run", "slow", "--reports-dir",
                            str(tmp_path / "reports"), "--no-progress"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal starts it
    deadline = time.monotonic() + 120
    while not started.exists() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    run.send_signal(stop)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 128 + stop
    assert err.strip().splitlines()[-1] == f"cx: stopped by {stop.name}: a run not finished when it came left nothing behind"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "ERROR" not in err
    assert list((tmp_path / "reports" / "slow").iterdir()) == []


@pytest.mark.slow
def test_a_kernel_does_not_inherit_pythonwarnings_error(tmp_path, monkeypatch, capfd):
    """A CI job's PYTHONWARNINGS=error turned ipykernel's shutdown warning into "ERROR" and a traceback."""
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "env", "label = 'x'",
                   "import os\nimport cxlib as cx\ncx.reports.record({'warnings': os.environ.get('PYTHONWARNINGS')})")
    monkeypatch.setenv("PYTHONWARNINGS", "error")
    run = run_study("env", reports_dir=tmp_path / "reports", notebooks_dir=notebooks, progress=False)
    assert json.loads((run / "results.json").read_text())["results"] == {"warnings": None}
    assert "Traceback" not in capfd.readouterr().err


def test_a_run_from_a_folder_deleted_under_it_says_so_with_exit_2(tmp_path):
    """A cron job's folder that a deploy replaced: "FileNotFoundError" with no path, and a notebook said kept that
    was never written."""
    gone = tmp_path / "release"
    gone.mkdir()
    run = subprocess.run(["sh", "-c", f"cd {gone} && rmdir {gone} && exec {CX} run segment_study --reports-dir "
                          f"{tmp_path / 'reports'} --no-progress"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip() == ("cx: the current folder no longer exists (it was deleted or replaced): cd to an "
                                  "existing folder and run again")
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_a_disk_that_fills_during_a_run_is_named_and_the_half_written_run_removed(tmp_path, monkeypatch):
    """A full disk left the hidden partial run (the executed notebook, half a report) keeping the disk full, and the
    message named no folder."""
    import errno

    from cxlib.reports import runner

    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "full", "label = 'x'", "import cxlib as cx\ncx.reports.record({'label': label})")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runner, "dumps", full)
    with pytest.raises(OSError, match=r"^\[Errno 28\] No space left on device \(writing the run into .*full\): free "
                                     r"space there, or choose a folder with room \(--reports-dir\)$"):
        run_study("full", reports_dir=tmp_path / "reports", notebooks_dir=notebooks, progress=False)
    assert list((tmp_path / "reports" / "full").iterdir()) == []

# --- only regular files, before a kernel starts --------------------------------------------------

def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "export.csv")
    return tmp_path / "export.csv"


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    return tmp_path / "a.csv"


def _folder_named_as_a_file(tmp_path: Path) -> Path:
    (tmp_path / "export.csv").mkdir()
    return tmp_path / "export.csv"


def _folder_of_csv(tmp_path: Path) -> Path:
    (tmp_path / "exports").mkdir()
    answers_csv(tmp_path / "exports")
    return tmp_path / "exports"


def _canonical_folder_with_a_pipe(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "customers.csv").write_text("customer_id\n1\n")
    os.mkfifo(tmp_path / "data" / "responses.csv")
    return tmp_path / "data"


def _gzipped(tmp_path):
    import gzip

    path = tmp_path / "answers.csv.gz"
    path.write_bytes(gzip.compress(b"nps,comment\n9,great\n"))
    return path


@pytest.mark.parametrize(("make", "problem"), [
    (_fifo, "is a named pipe (FIFO), not a file"),
    (lambda tmp_path: Path("/dev/zero"), "'/dev/zero' is a device, not a file"),
    (_loop, "is a loop of symbolic links"),
    (_folder_named_as_a_file, "is a folder, where a file is expected"),
    (_folder_of_csv, "is a folder, where a file is expected: give its file, "),
    (_canonical_folder_with_a_pipe, "responses.csv' is a named pipe (FIFO), not a file"),
    (lambda tmp_path: "x" * 5_000, "data_path: no such file or folder: 'xxxx"),
    (lambda tmp_path: "https://example.com/export.csv", "is a web or cloud address; cxlib reads files on this "
                                                        "computer: download it first"),
    (lambda tmp_path: "s3://bucket/answers/*.parquet", "download it first"),
    (_gzipped, "answers.csv.gz' is compressed (gzip); unpack it first (gunzip 'answers.csv.gz')"),
])
def test_only_regular_files_are_read_and_anything_else_stops_before_a_kernel(tmp_path, capsys, no_hang, make,
                                                                              problem):
    data_path = make(tmp_path)
    assert run_cli("run", "closed_loop", "-p", "data_path", data_path, "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert "cx: closed_loop: data_path: " in err and problem in err
    assert not (tmp_path / "r").exists()


def test_the_reader_refuses_a_pipe_a_device_or_a_url_without_opening_it(tmp_path, no_hang):
    for path in (_fifo(tmp_path), "/dev/zero"):
        with pytest.raises(DataError, match="not a file; save what it holds to a file"):
            cx.io.read_table(path, "responses")
    with pytest.raises(DataError, match="is a web or cloud address; cxlib reads files on this computer: download"):
        cx.io.read_table("https://example.com/answers.csv", "responses")


# --- parameter files are bounded ----------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize("option", ["-f", "-y"])
def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, capsys, option):
    params = tmp_path / "bomb.yaml"
    params.write_text(BOMB)
    started = time.perf_counter()
    code = run_cli("run", "segment_study", option, params if option == "-f" else BOMB, "--reports-dir", tmp_path)
    assert time.perf_counter() - started < 1.0
    err = capsys.readouterr().err
    assert code == 2 and "an alias (*name) repeats another value; write the value out instead" in err


@pytest.mark.parametrize(("text", "problem"), [
    ("label: !!python/object/apply:os.system ['touch pwned']", "the tag 'tag:yaml.org,2002:python/object/apply"
                                                               ":os.system' is not read; write plain values"),
    ("label: " + "[" * 100_000, "nested too deeply"),
    ("label: " + "x" * 200_000, "holds more than 131,072 bytes"),
    ("segment_cols: [plan]\nscore_col: nps\nsegment_cols: [region]\n",
     "the key 'segment_cols' is given twice in one mapping (lines 1 and 3); keep one"),
    ("labels: {plan: Tier, plan: Plan}", "the key 'plan' is given twice in one mapping"),
])
def test_parameter_files_are_plain_yaml_of_bounded_size(tmp_path, capsys, no_hang, text, problem):
    params = tmp_path / "params.yaml"
    params.write_text(text)
    assert run_cli("run", "segment_study", "-f", params, "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert problem in err and "Traceback" not in err
    fifo = tmp_path / "params.fifo"
    os.mkfifo(fifo)
    assert run_cli("run", "segment_study", "-f", fifo, "--reports-dir", tmp_path / "r") == 2
    assert "parameters file: " in capsys.readouterr().err


@pytest.mark.parametrize("path", ["-data.csv", "--help.csv"])
def test_a_value_that_starts_with_a_dash_is_explained(tmp_path, capsys, path):
    with pytest.raises(SystemExit) as stop:
        run_cli("run", "segment_study", "-p", "data_path", path, "--reports-dir", tmp_path)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "write a path as ./-data.csv, or give the parameter as YAML" in err


def test_a_usage_error_quoting_the_command_line_reaches_the_terminal_escaped(tmp_path, capsys):
    with pytest.raises(SystemExit):
        run_cli("describe", "--markdown", "--title=\x1b]0;owned\x07")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;owned\\x07" in err


def test_a_taxonomy_with_a_python_tag_is_refused_before_a_kernel(tmp_path, capsys):
    taxonomy = tmp_path / "themes.yaml"
    taxonomy.write_text("themes:\n  billing: !!python/object/apply:os.system ['touch pwned']\n")
    assert run_cli("run", "closed_loop", "-p", "taxonomy", taxonomy, "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert f"cx: closed_loop: taxonomy {taxonomy}: the tag 'tag:yaml.org,2002:python/object/apply:os.system' " \
           "is not read" in err
    assert "Traceback" not in err and not (tmp_path / "r").exists()


def test_a_parameter_value_of_a_megabyte_is_not_echoed_back(tmp_path, capsys):
    data_path, huge = answers_csv(tmp_path), "x" * 1_000_000
    for given in (["score_col", huge], [huge, "1"]):
        assert run_cli("run", "closed_loop", "-p", "data_path", data_path, "-p", *given,
                       "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert "score_col: column 'xxxx" in err and "unknown parameter 'xxx" in err and len(err) < 1_500
    with pytest.raises(ParameterError) as raised:
        run_study("closed_loop", {"data_path": str(data_path), "segment_col": huge})
    assert len(str(raised.value)) < 2_000


# --- nothing from a file reaches the terminal ---------------------------------------------------

def test_text_from_data_is_shown_with_control_characters_escaped_and_cut():
    assert printable(f"column {HOSTILE}\r\nnext") == "column \\x1b]0;owned\\x07\\x1b[2J\\r\nnext"
    assert not CONTROL.search(str(DataError(f"column {HOSTILE!s} is missing\u202eevil")))
    assert "\\u202e" in str(DataError("a\u202eb"))
    assert len(str(DataError("values: " + "v" * 1_000_000))) < 2_100
    assert shown("v" * 1_000_000).endswith("... (1000002 characters)")


def test_a_hostile_header_never_reaches_the_terminal_raw(tmp_path, capsys):
    data_path = answers_csv(tmp_path, header=f"nps,{HOSTILE},survey_date,customer_id")
    assert run_cli("run", "closed_loop", "-p", "data_path", data_path, "-p", "comment_col", "Comment",
                   "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert "Its columns: 'nps', '\\x1b]0;owned\\x07\\x1b[2J', 'survey_date'" in err and not CONTROL.search(err)


def test_every_message_the_command_prints_is_escaped(tmp_path, capsys):
    """What a kernel sends back (a DataError or any exception, its traceback) is printed through the same rule."""
    failure = StudyFailed(tmp_path / "closed_loop" / "run", {"cell": 3, "ename": "KeyError", "evalue": HOSTILE,
                                                             "traceback": [f"KeyError: {HOSTILE}"]})
    assert cli._report_failure(failure) == 1
    data = StudyFailed(tmp_path / "closed_loop" / "run", {"cell": 3, "ename": "DataError", "evalue": HOSTILE})
    assert cli._report_failure(data) == 3
    err = capsys.readouterr().err
    assert err.count("\\x1b]0;owned\\x07\\x1b[2J") == 3 and not CONTROL.search(err)


@pytest.mark.slow
def test_output_cut_short_by_its_reader_ends_quietly():
    describe = subprocess.Popen([CX, "describe", "closed_loop"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    describe.stdout.close()  # as `| head -1` does once it has its line
    _, err = describe.communicate(timeout=60)
    assert err == b"" and describe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_said_in_one_line():
    with open("/dev/full", "w") as full:
        describe = subprocess.run([CX, "describe", "closed_loop"], stdout=full, stderr=subprocess.PIPE, text=True,
                                  timeout=60)
    assert describe.returncode == 1
    assert describe.stderr == "cx: cannot write the output: No space left on device\n"


def test_a_reports_folder_that_cannot_be_written_names_the_option(tmp_path, capsys):
    code = run_cli("run", "data_overview", "--reports-dir", "/proc/no-reports-here")
    err = capsys.readouterr().err
    assert code == 2, err  # a usage problem, found before a kernel
    assert "cannot write reports into /proc/no-reports-here" in err
    assert "give a folder you can write to with --reports-dir" in err


# --- sheets ----------------------------------------------------------------------------------------

@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Not": ["açıklama"]}).to_excel(writer, sheet_name="Açıklama", index=False)
        pd.DataFrame({"Puan": [9, 3], "Şube": ["Kadıköy", "Şişli"]}).to_excel(writer, sheet_name="Müşteri Yanıtları",
                                                                             index=False)
    return path


@pytest.mark.parametrize("sheet", ["müşteri yanıtları", unicodedata.normalize("NFD", "Müşteri-Yanıtları")])
def test_a_sheet_is_named_as_columns_are_without_case_or_unicode_form(workbook, sheet):
    assert workbook_header(workbook, sheet) == ("Müşteri Yanıtları", ["Puan", "Şube"])
    values = REGISTRY["segment_study"].resolve({"data_path": str(workbook), "sheet": sheet, "score_col": "Puan",
                                                "segment_cols": ["Şube"]}).values
    assert values["sheet"] == sheet


def test_an_unknown_sheet_stops_before_a_kernel_and_lists_the_sheets(workbook, tmp_path, capsys):
    assert run_cli("run", "segment_study", "-p", "data_path", workbook, "-p", "sheet", "Yanıtlar", "-p", "score_col",
                   "Puan", "--reports-dir", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert ("cx: segment_study: sheet: survey.xlsx has no sheet 'Yanıtlar' (closest: 'Müşteri Yanıtları'); its sheets: 'Açıklama', 'Müşteri "
            "Yanıtları' (sheet takes a name, or a position with 1 for the first)") in err
    assert not (tmp_path / "r").exists()


def test_a_name_two_columns_match_and_a_workbook_whose_data_are_on_another_sheet_say_what_to_do(tmp_path, capsys):
    twice = tmp_path / "two.csv"
    twice.write_text("NPS,nps,region\n9,8,N\n3,2,S\n")
    params = ["-y", "{segment_cols: [region], date_col: null, revenue_col: null, tenure_col: null, id_col: null}"]
    assert run_cli("run", "segment_study", "-p", "data_path", twice, "-p", "score_col", "Nps", *params,
                   "--reports-dir", tmp_path / "r") == 2
    assert "'Nps' (matches 'NPS', 'nps' when case, spaces and dashes are ignored: name one exactly)" in capsys.readouterr().err
    book = tmp_path / "export.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"Info": ["Exported by BI"]}).to_excel(writer, sheet_name="Cover", index=False)
        pd.DataFrame({"ltr": [9, 3], "region": ["N", "S"]}).to_excel(writer, sheet_name="Data", index=False)
    assert run_cli("run", "segment_study", "-p", "data_path", book, "-p", "score_col", "ltr", *params,
                   "--reports-dir", tmp_path / "r") == 2
    assert "The sheet 'Data' holds the named columns: set sheet to it" in capsys.readouterr().err


def test_a_folder_with_two_files_of_one_table_stops_before_a_kernel(tmp_path, capsys):
    from cxlib.io.tables import SAMPLE_DIR

    for name in ("customers", "responses"):
        (tmp_path / f"{name}.csv").write_bytes((SAMPLE_DIR / f"{name}.csv").read_bytes())
    pd.read_csv(tmp_path / "customers.csv").to_parquet(tmp_path / "customers.parquet")
    assert run_cli("run", "data_overview", "-p", "data_path", tmp_path, "--reports-dir", tmp_path / "r") == 2
    assert "holds 2 files of this table (customers.csv, customers.parquet)" in capsys.readouterr().err


@pytest.mark.parametrize(("study", "name", "value"), [("persona_study", "k_range", "[2, 1000000000]"),
                                                       ("persona_study", "n_boot", "1000000000"),
                                                       ("driver_study", "n_boot", "100000000"),
                                                       ("business_case", "n_sim", "1000000000"),
                                                       ("closed_loop", "window_days", "1000000000000")])
def test_a_size_that_would_exhaust_the_machine_is_refused_before_a_kernel(tmp_path, capsys, no_hang, study, name,
                                                                          value):
    assert run_cli("run", study, "-y", f"{{{name}: {value}}}", "--reports-dir", tmp_path / "r") == 2
    assert f"cx: {study}: {name} must be" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("limit", "soft", "said"), [
    ("RLIMIT_FSIZE", 1 << 20, "the limit of file size is 1 MiB (ulimit -f), and a run needs 1,024 MiB"),
    ("RLIMIT_FSIZE", 100 << 10, "the limit of file size is 100 KiB (ulimit -f), and a run needs 1,024 MiB"),
    ("RLIMIT_AS", 1 << 30, "the limit of address space is 1,024 MiB (ulimit -v), and a run needs 4,096 MiB")])
def test_a_low_file_size_or_memory_limit_is_named_before_a_kernel_starts(tmp_path, limit, soft, said):
    """Under ulimit -f a run wrote a notebook cut off and a traceback; under ulimit -v it failed with an empty
    MemoryError. Both hard limits below what a run needs are named, with what to raise (exit 2, no kernel)."""
    import resource

    which = getattr(resource, limit)
    done = subprocess.run([str(Path(sys.executable).with_name("cx")), "run", "segment_study", "--no-progress",
                           "--reports-dir", str(tmp_path)], capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: resource.setrlimit(which, (soft, soft)))
    assert done.returncode == 2 and "Traceback" not in done.stderr and said in done.stderr
    assert not any(tmp_path.iterdir())


def test_a_low_open_files_limit_is_raised_or_refused_before_a_kernel_starts(tmp_path):
    """Under `ulimit -n 24` a run died in the kernel with three tracebacks (ZMQError: Too many open files), under 64
    with an empty reason. A soft limit is raised as far as the hard one allows; below that, one line says what to do."""
    import resource

    def low(soft, hard):
        return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    done = subprocess.run([str(Path(sys.executable).with_name("cx")), "run", "segment_study", "--no-progress",
                           "--reports-dir", str(tmp_path)], capture_output=True, text=True, timeout=120,
                          preexec_fn=low(64, 64))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"cx: the limit of open files is 64 (ulimit -n), and a run needs {cli.MIN_OPEN_FILES}:"
                                   " the kernel that runs a study opens sockets and files and writes the report. "
                                   "Raise it where the run is "
                                   f"started (ulimit -n {cli.MIN_OPEN_FILES}; LimitNOFILE= in a systemd unit)")
    assert not any(tmp_path.iterdir())
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
        if hard == resource.RLIM_INFINITY or hard >= cli.MIN_OPEN_FILES:  # a soft limit alone: raised, no word
            assert cli._limits_problem() is None
            assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == cli.MIN_OPEN_FILES
        else:
            assert cli._limits_problem().startswith("the limit of open files is 64")
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
