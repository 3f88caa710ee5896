"""The ``cx`` command: list and run studies, rebuild the index, generate sample data.

Exit codes, for schedulers: 0 success; 1 a study failed (its error is printed and its
executed notebook kept); 2 the command was wrong (unknown study or parameter, bad
option); 3 the input data was rejected (a DataError: missing column, strict
validation, unreadable file).

Messages quote names and values from the data: every one is printed through
:func:`~cxlib.formatting.quoting.printable` (control characters escaped, long lines cut).
Output cut short by its reader (``cx describe | head -1``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import warnings
from pathlib import Path

from .. import sample
from ..formatting.quoting import MAX_LINE, printable
from ..io.quality import DataError
from ..io.yaml_files import PLAIN_INT, read_yaml, yaml_value
from ..studies import ParameterError
from ..studies.parameters import typed
from ..version import __version__
from .index import build_index
from .kernel_files import kill_kernels
from .runner import StudyError, StudyFailed, StudySkipped, find_studies, run_all, run_study, write_notebook

__all__ = ["main", "resolve_type"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATA = 0, 1, 2, 3


def resolve_type(value: str):
    """Type of a ``-p`` value, as papermill infers it: True/False/None, int, float, else text. Digits after a
    leading zero (``010``, a question id) or with underscores (``1_000``) stay text, as in ``-y``. A number
    remembers how it was typed (:class:`~cxlib.studies.parameters.Typed`): a parameter that takes a column name
    reads ``2.10`` as the column "2.10"."""
    if value in ("True", "False"):
        return value == "True"
    if value == "None":
        return None
    if PLAIN_INT.fullmatch(value):
        return typed(int(value), value)
    if "_" not in value and not re.match(r"[-+]?0\d", value):
        try:
            return typed(float(value), value)
        except ValueError:
            pass
    return value


def _say(message: str, stream=None) -> None:
    """A message for the user, made printable, on ``stream`` (stderr by default); nothing more once nobody reads it.

    Messages were cut where they were made (:class:`~cxlib.io.DataError`, :class:`ParameterError`);
    the wider bound here covers the rest.
    """
    stream = stream or sys.stderr
    try:
        print(printable(message, limit=2 * MAX_LINE), file=stream)
    except BrokenPipeError:
        _silence(stream)


def _silence(stream) -> None:
    """Send what is still written to ``stream`` (and what Python flushes at exit) to /dev/null."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def _yaml_mapping(loaded, where: str) -> dict:
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise StudyError(f"{where} must be a YAML mapping of parameter names to values")
    names = [name for name in loaded if not isinstance(name, str)]
    if names:
        raise StudyError(f"{where}: parameter names must be text, got {names[0]!r}")
    return loaded


def _parameters(args: argparse.Namespace) -> dict:
    """-f files, then -y strings, then -p pairs; later ones win (papermill's order)."""
    parameters: dict = {}
    try:
        for path in args.parameters_file:
            parameters.update(_yaml_mapping(read_yaml(path, "parameters file"), path))
        for text in args.parameters_yaml:
            parameters.update(_yaml_mapping(yaml_value(text, "-y"), "-y"))
    except DataError as exc:
        raise StudyError(str(exc)) from None
    for name, value in args.parameters:
        parameters[name] = resolve_type(value)
    return parameters


def _report_failure(failure: StudyFailed) -> int:
    """A study that ran and failed: the data's reasons (exit 3), or the error and its traceback (exit 1)."""
    error = failure.error
    if error.get("ename") == "DataError":  # the data cannot support the study: its reasons, without a traceback
        study = failure.run_dir.parent.name
        _say(f"cx: {study} stopped: the data cannot support it. {error['evalue']}")
        _kept(failure.run_dir)
        return EXIT_DATA
    _say(f"cx: {failure}")
    for line in error.get("traceback", [])[-6:]:
        _say(f"    {line}")
    _kept(failure.run_dir)
    return EXIT_FAILED


def _kept(run_dir: Path) -> None:
    """Where the failed run's executed notebook is, when the run got as far as writing one."""
    if (run_dir / "executed.ipynb").is_file():
        _say(f"cx: executed notebook kept at {run_dir / 'executed.ipynb'}")


def _cmd_list(args) -> int:
    for name, study in find_studies(args.notebooks_dir).items():
        _say(f"{name}: {study.title}", sys.stdout)
        if study.declaration.question:
            _say(f"    {study.declaration.question}", sys.stdout)
        _say(f"    parameters: {', '.join(study.declaration.names)}", sys.stdout)
    _say("\ncx describe STUDY: every parameter with its default, allowed values and meaning", sys.stdout)
    return EXIT_OK


def _cmd_describe(args) -> int:
    studies = find_studies(args.notebooks_dir)
    names = args.studies or list(studies)
    unknown = [n for n in names if n not in studies]
    if unknown:
        raise StudyError(f"unknown study {unknown[0]!r}; available: {', '.join(studies)}")
    texts = [studies[n].declaration.markdown() if args.markdown else studies[n].declaration.describe()
             for n in names]
    _say("\n\n".join(texts), sys.stdout)
    return EXIT_OK


def _cmd_run(args) -> int:
    try:
        run_dir = run_study(args.study, _parameters(args), args.reports_dir, notebooks_dir=args.notebooks_dir,
                            progress=not args.no_progress, timeout=args.timeout)
    except StudyFailed as failure:
        return _report_failure(failure)
    _say(f"cx: {args.study} succeeded: {run_dir / 'report.html'}")
    return EXIT_OK


def _cmd_run_all(args) -> int:
    statuses = [EXIT_OK]

    def done(name: str, outcome) -> None:  # each study's line as it ends, not all of them at the end
        if isinstance(outcome, StudyFailed):
            statuses.append(_report_failure(outcome))
        else:
            _say(f"cx: {name} succeeded: {outcome / 'report.html'}")

    run_all(args.reports_dir, _parameters(args), notebooks_dir=args.notebooks_dir, progress=not args.no_progress,
            timeout=args.timeout, done=done)
    _say(f"cx: index at {Path(args.reports_dir) / 'index.html'}")
    return max(statuses)


def _cmd_notebook(args) -> int:
    path = write_notebook(args.study, args.path, _parameters(args), notebooks_dir=args.notebooks_dir)
    where = ("" if Path(path).resolve().parent == (Path(args.notebooks_dir or "notebooks")).resolve() else
             " (make lab shows notebooks/: write the copy there to open it in JupyterLab)")
    _say(f"cx: wrote {path}: open it in JupyterLab (make lab) and run it; the study notebook is unchanged{where}")
    return EXIT_OK


def _cmd_index(args) -> int:
    _say(str(build_index(args.reports_dir)), sys.stdout)
    return EXIT_OK


def _cmd_sample(args) -> int:
    data = sample.generate(n_customers=args.customers, seed=args.seed)
    for path in sample.write(data, args.folder, args.format):
        _say(f"wrote {path}")
    return EXIT_OK


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors made printable (they quote the command line) and a value that starts with
    "-" explained: argparse reads it as an option, so ``-p data_path -data.csv`` lacks its value."""

    def error(self, message: str):
        if "-p/--parameters: expected 2 arguments" in message:
            message += (" (a VALUE that starts with '-' reads as an option: write a path as ./-data.csv, or give the "
                        "parameter as YAML, -y '{data_path: -data.csv}')")
        self.print_usage(sys.stderr)
        _say(f"{self.prog}: error: {message}")
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cx", description="Run cxlib studies into self-contained HTML reports.",
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--version", action="version", version=f"cx (cxlib) {__version__}")
    parser.add_argument("--notebooks-dir", default=None, help="folder of study notebooks (default: notebooks/)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="list the studies and their parameters").set_defaults(func=_cmd_list)

    describe = sub.add_parser("describe", help="a study's parameters: default, allowed values, meaning")
    describe.add_argument("studies", nargs="*", metavar="STUDY", help="studies to describe (default: all)")
    describe.add_argument("--markdown", action="store_true", help="as the Markdown tables of docs/studies.md")
    describe.set_defaults(func=_cmd_describe)

    def parameter_options(p):
        p.add_argument("-p", "--parameters", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="a parameter; the type is inferred as papermill does (True, None, 3, 2.5, text)")
        p.add_argument("-y", "--parameters-yaml", action="append", default=[], metavar="YAML",
                       help="parameters as a YAML mapping, e.g. -y '{segment_cols: [plan, region]}'")
        p.add_argument("-f", "--parameters-file", action="append", default=[], metavar="FILE",
                       help="parameters from a YAML file")

    def run_options(p):
        p.add_argument("--reports-dir", default="reports", help="where reports go (default: reports/)")
        p.add_argument("--no-progress", action="store_true", help="no progress bar")
        p.add_argument("--timeout", type=float, default=None, help="seconds allowed per cell")

    run = sub.add_parser("run", help="run one study")
    run.add_argument("study")
    parameter_options(run)
    run_options(run)
    run.set_defaults(func=_cmd_run)

    run_all = sub.add_parser("run-all", help="run every study; -p/-y/-f go to the studies that declare them")
    parameter_options(run_all)
    run_options(run_all)
    run_all.set_defaults(func=_cmd_run_all)

    notebook = sub.add_parser("notebook", help="write a copy of a study's notebook with parameters, to edit and run "
                              "in JupyterLab")
    notebook.add_argument("study")
    notebook.add_argument("path", help="the new notebook file (.ipynb)")
    parameter_options(notebook)
    notebook.set_defaults(func=_cmd_notebook)

    index = sub.add_parser("index", help="rebuild reports/index.html")
    index.add_argument("--reports-dir", default="reports")
    index.set_defaults(func=_cmd_index)

    gen = sub.add_parser("sample", help="generate the sample tables (the structural model of data/README.md)")
    gen.add_argument("folder", nargs="?", default="data/sample")
    gen.add_argument("--customers", type=int, default=5000, help="customers (about 4 responses each)")
    gen.add_argument("--seed", type=int, default=sample.DEFAULT_SEED)
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv")
    gen.set_defaults(func=_cmd_sample)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    _say(f"cx: warning: {message}")


def _stop(signum, frame):
    """Ctrl-C or SIGTERM (a scheduler or ``kill`` stopping the run) ends a run tidily: its kernel at once, then the
    run's own clean-up (:class:`KeyboardInterrupt`)."""
    kill_kernels()
    raise KeyboardInterrupt(signum)


def main(argv: list[str] | None = None) -> int:
    """Run the ``cx`` command; the exit code (128 + the signal's number when stopped by Ctrl-C or SIGTERM)."""
    main_thread = threading.current_thread() is threading.main_thread()  # only there can a handler be set
    stops = [s for s in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(s) is not signal.SIG_IGN]
    previous = {s: signal.signal(s, _stop) for s in stops} if main_thread else {}
    try:
        try:
            code = _main(argv)
        finally:
            sys.stdout.flush()
            for stop, handler in previous.items():
                signal.signal(stop, handler)
    except KeyboardInterrupt as exc:  # Ctrl-C: one line, not the stack of the code that was waiting
        signum = exc.args[0] if exc.args and isinstance(exc.args[0], int) else signal.SIGINT
        print(f"cx: stopped by {signal.Signals(signum).name}: a run not finished when it came left nothing behind",
              file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:  # the reader stopped reading (cx --help | head -1): end quietly, as Unix tools do
        _silence(sys.stdout)
        return EXIT_OK
    except OSError as exc:  # the output cannot be written (a full disk, /dev/full): say so in one line
        if exc.filename is not None:
            raise
        _silence(sys.stdout)
        print(f"cx: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    return code


# what a run needs of the limits a shell or a service sets (ulimit): (resource, least, the limit in words, its flag)
LIMITS = (("RLIMIT_NOFILE", 256, "open files", "-n", "LimitNOFILE"),  # a kernel's sockets, the notebook, the data
          ("RLIMIT_FSIZE", 1 << 30, "file size (bytes)", "-f", "LimitFSIZE"),  # a run's notebook and report
          ("RLIMIT_AS", 4 << 30, "address space (bytes)", "-v", "LimitAS"))  # numpy and the kernel reserve far more
MIN_OPEN_FILES = LIMITS[0][1]


def _limits_problem() -> str | None:
    """Raise this process's soft limits (``ulimit -n``, ``-f``, ``-v``) to what a run needs (:data:`LIMITS`) where
    they are lower and the hard limits allow (the kernel inherits them); what to raise where a hard limit does not.
    Below them a run died in its kernel: "Too many open files", a notebook cut off, an empty MemoryError."""
    import resource

    for name, least, words, flag, unit_key in LIMITS:
        which = getattr(resource, name)
        soft, hard = resource.getrlimit(which)
        if soft == resource.RLIM_INFINITY or soft >= least:
            continue
        if hard == resource.RLIM_INFINITY or hard >= least:
            resource.setrlimit(which, (least, hard))
            continue
        mib = soft / (1 << 20)
        shown = f"{soft:,}" if flag == "-n" else f"{mib:,.0f} MiB" if mib >= 1 else f"{soft >> 10:,} KiB"
        needed = f"{least:,}" if flag == "-n" else f"{least >> 20:,} MiB"
        value = least if flag == "-n" else ("unlimited" if flag == "-v" else least >> 10)
        return (f"the limit of {words.split(' (')[0]} is {shown} (ulimit {flag}), and a run needs {needed}: the "
                f"kernel that runs a study opens sockets and files and writes the report. Raise it where the run is "
                f"started (ulimit {flag} {value}; {unit_key}= in a systemd unit)")
    return None


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        os.getcwd()
    except FileNotFoundError:  # a cron job's folder that a deploy replaced: every relative path would fail later
        _say("cx: the current folder no longer exists (it was deleted or replaced): cd to an existing folder and "
             "run again")
        return EXIT_USAGE
    if args.func in (_cmd_run, _cmd_run_all) and (problem := _limits_problem()):
        _say(f"cx: {problem}")
        return EXIT_USAGE
    with warnings.catch_warnings():
        warnings.simplefilter("always", StudySkipped)
        warnings.showwarning = _show_warning
        try:
            return args.func(args)
        except ParameterError as exc:
            for problem in exc.problems:
                _say(f"cx: {exc.study}: {problem}")
            return EXIT_USAGE
        except StudyError as exc:
            _say(f"cx: {exc}")
            return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
