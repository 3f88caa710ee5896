"""Running a study: papermill execution, HTML export, results.json, atomic publication.

A run executes ``notebooks/STUDY.ipynb`` in a hidden folder beside the reports and
renames that folder into place only when everything is written, so readers never see a
half-written run. Each run has its own folder, ``reports/STUDY/RUN_ID``; a failed run
keeps its executed notebook and a results.json with ``status: "failed"`` and the
error, but no report.html, and never touches earlier runs.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..formatting.narrative import fmt_parameters
from ..formatting.quoting import shown
from ..studies import REGISTRY, ParameterError, StudyDeclaration
from ..studies.contract import undeclared
from ..studies.parameters import Path as PathParameter
from ..version import __version__
from .html import notebook_body, page
from .index import IndexNotWritten, build_index
from .kernel_files import private_kernel
from .results import RESULTS_ENV, dumps, to_jsonable

__all__ = ["KERNEL_NAME", "Study", "StudyError", "StudyFailed", "StudySkipped", "find_studies", "run_all", "run_study",
           "write_notebook"]

KERNEL_NAME = "cxlib"
NOTEBOOKS_ENV = "CXLIB_NOTEBOOKS"
SCHEMA_VERSION = 1
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STUDY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a notebook's name in the notebooks folder, never a path


class StudyError(Exception):
    """A study cannot be started: unknown study or parameter, notebook without a parameters cell."""


class StudySkipped(UserWarning):
    """A notebook in the notebooks folder is not a study (no parameters cell): skipped, the others run."""


class StudyFailed(Exception):
    """A study ran and failed; ``run_dir`` keeps the executed notebook and the error."""

    def __init__(self, run_dir: Path, error: dict):
        cell = f" in cell {error['cell']}" if error.get("cell") is not None else ""
        super().__init__(f"{run_dir.parent.name} failed{cell}: {error['ename']}: {error['evalue']}")
        self.run_dir, self.error = run_dir, error


@dataclass(frozen=True)
class Study:
    """A study notebook and its declaration (from :mod:`cxlib.studies`, or read off an undeclared notebook's cell)."""

    name: str
    path: Path
    declaration: StudyDeclaration
    title: str

    @property
    def defaults(self) -> dict:
        return self.declaration.defaults()


def default_notebooks_dir() -> Path:
    """``$CXLIB_NOTEBOOKS`` if set, else the project's ``notebooks/`` folder."""
    return Path(os.environ.get(NOTEBOOKS_ENV) or Path(__file__).resolve().parents[2] / "notebooks")


def _parameters_cell(nb: dict, path: Path) -> dict:
    cells = [cell for cell in nb.get("cells", []) if "parameters" in cell.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise StudyError(f"{path} must have exactly one cell tagged 'parameters' (found {len(cells)}); "
                         "without it papermill would run the notebook's own values and ignore yours")
    return cells[0]


def _defaults(cell, path: Path) -> dict:
    """The parameters cell's assignments; each must be a literal so injected values take effect."""
    try:
        tree = ast.parse("".join(cell.get("source", "")))  # a notebook file holds a cell's source as lines
    except SyntaxError as exc:
        raise StudyError(f"{path}: the parameters cell is not valid Python: {exc}") from None
    defaults = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign | ast.AnnAssign)):
            raise StudyError(f"{path}: the parameters cell may only assign values (line {node.lineno})")
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            raise StudyError(f"{path}: parameter on line {node.lineno} is not a literal; derive values "
                             "after the parameters cell so injected parameters take effect") from None
        for target in targets:
            defaults[target.id] = value
    return defaults


def load_study(path: Path) -> Study:
    """The study of a notebook: its declaration in :mod:`cxlib.studies`, else its parameters cell as written. The
    notebook is read as the JSON it is (nbformat's validation would cost more than the listing)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StudyError(f"{path} is not a notebook (JSON): {exc}") from None
    defaults = _defaults(_parameters_cell(nb, path), path)
    title = nb.get("metadata", {}).get("cxlib", {}).get("title") or path.stem.replace("_", " ").capitalize()
    declaration = REGISTRY.get(path.stem) or undeclared(path.stem, title, defaults)
    return Study(path.stem, path, declaration, declaration.title)


def find_studies(notebooks_dir: str | Path | None = None) -> dict[str, Study]:
    """Every study notebook in the folder, by name.

    A notebook that is not a study (no parameters cell, as JupyterLab's new notebooks)
    is skipped with a :class:`StudySkipped` warning; the others are found as usual.
    """
    folder = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    if not folder.is_dir():
        raise StudyError(f"no notebooks folder at {folder}; set --notebooks-dir or {NOTEBOOKS_ENV}")
    studies = {}
    for path in sorted(folder.glob("*.ipynb")):
        if path.name.startswith(("_", ".")):
            continue
        try:
            studies[path.stem] = load_study(path)
        except StudyError as exc:
            warnings.warn(f"skipped {path.name}: {exc}", StudySkipped, stacklevel=2)
    return studies


def ensure_kernel() -> str:
    """Make sure the ``cxlib`` kernel runs this interpreter (installing its spec into this environment)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    def current() -> bool:
        try:
            spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        except NoSuchKernel:
            return False
        return Path(spec.argv[0]).absolute() == Path(sys.executable).absolute()

    if not current():
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL_NAME, display_name="Python (cxlib)", prefix=sys.prefix)
        if not current():
            raise StudyError(f"a kernel named {KERNEL_NAME!r} elsewhere shadows this environment's; remove it "
                             f"(jupyter kernelspec remove {KERNEL_NAME}) or run from that environment")
    return KERNEL_NAME


def _git(project: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _run_id(study_dir: Path, parameters: dict) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    digest = hashlib.sha256(json.dumps(to_jsonable(parameters), sort_keys=True).encode()).hexdigest()[:6]
    run_id, n = f"{stamp}-{digest}", 1
    while (study_dir / run_id).exists() or (study_dir / f".{run_id}.partial").exists():
        n += 1
        run_id = f"{stamp}-{digest}-{n}"
    return run_id


@contextlib.contextmanager
def _environ(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _execute(study: Study, parameters: dict, executed: Path, progress: bool, timeout: float | None) -> dict | None:
    """Run the notebook with papermill; the error as a dict, or None on success."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        with private_kernel() as manager:
            pm.execute_notebook(str(study.path), str(executed), parameters=parameters, kernel_name=ensure_kernel(),
                                progress_bar={"desc": study.name} if progress else False, cwd=os.getcwd(), execution_timeout=timeout, log_output=False,
                                kernel_manager_class=manager)
    except PapermillExecutionError as exc:
        return {"cell": exc.exec_count, "ename": exc.ename, "evalue": exc.evalue,
                "traceback": [ANSI.sub("", line) for line in exc.traceback]}
    except Exception as exc:  # kernel died, timeout, unreadable notebook: still a failed run, kept for debugging
        return {"cell": None, "ename": type(exc).__name__, "evalue": str(exc), "traceback": []}
    return None


def _find_study(name: str, notebooks_dir: str | Path | None) -> Study:
    folder = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    path = folder / f"{name}.ipynb"
    if STUDY_NAME.fullmatch(name) and path.is_file():
        return load_study(path)  # a notebook that is not a study says why
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StudySkipped)
        studies = find_studies(notebooks_dir)
    raise StudyError(f"unknown study {shown(name)}; available: {', '.join(studies) or 'none'}")


def _lock_path(partial: Path) -> Path:
    return partial.with_name(partial.name.removesuffix(".partial") + ".lock")


def _remove_stale_runs(study_dir: Path) -> None:
    """Remove hidden partial run folders whose run is no longer alive.

    A run holds an exclusive lock on ``.RUN_ID.lock`` from before its partial folder
    exists until it is published; the operating system releases the lock when the process
    dies, so a lock that can be taken belongs to a killed run. Concurrent runs keep theirs.
    """
    for partial in study_dir.glob(".*.partial"):
        lock_path = _lock_path(partial)
        try:
            handle = lock_path.open("a")
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live run
            shutil.rmtree(partial, ignore_errors=True)
            lock_path.unlink(missing_ok=True)


def _start_run(study_dir: Path, parameters: dict):
    """Lock and create the hidden partial folder of a new run; an unwritable reports folder is a StudyError."""
    try:
        study_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_runs(study_dir)
        run_id = _run_id(study_dir, parameters)
        partial = study_dir / f".{run_id}.partial"
        lock = _lock_path(partial).open("a")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        partial.mkdir()
    except OSError as exc:
        raise StudyError(f"cannot write reports into {study_dir.parent}: {exc.strerror or exc}; give a folder you can "
                         "write to with --reports-dir") from None
    return lock, partial, run_id


def _end_run(lock) -> None:
    Path(lock.name).unlink(missing_ok=True)
    lock.close()


FULL = (errno.ENOSPC, errno.EDQUOT)  # a full disk or quota: what to do is to make room, or write elsewhere


def run_study(study: str, parameters: dict | None = None, reports_dir: str | Path = "reports", *,
              notebooks_dir: str | Path | None = None, progress: bool = False,
              timeout: float | None = None) -> Path:
    """Run one study and publish its report; returns the run folder.

    Parameters
    ----------
    study : str
        Name of a notebook in the notebooks folder (``"data_overview"``).
    parameters : dict
        Values for the study's parameters, checked against its declaration before a
        kernel starts; unset ones take their default (on your own data, optional
        columns are not used unless named).
    reports_dir : path
        Where ``STUDY/RUN_ID/{report.html, results.json, executed.ipynb}`` and
        ``index.html`` go.

    Raises
    ------
    StudyError
        The study cannot start (unknown study, unwritable reports folder).
    cxlib.studies.ParameterError
        A parameter breaks the study's declaration (one line per problem); nothing is written.
    StudyFailed
        The notebook raised; the run folder keeps the executed notebook and the error.
    """
    spec = _find_study(study, notebooks_dir)
    resolved = spec.declaration.resolve(parameters)
    parameters = resolved.values
    reports_dir = Path(reports_dir)
    study_dir = reports_dir / study
    lock, partial, run_id = _start_run(study_dir, parameters)
    try:
        final, error = _execute_and_publish(spec, resolved, partial, run_id, progress, timeout)
    except KeyboardInterrupt:  # Ctrl-C or a stop signal (cx turns SIGTERM into one): nothing half-written stays
        shutil.rmtree(partial, ignore_errors=True)
        raise
    except OSError as exc:  # a full disk: the half-written run would keep it full; say where it was written
        shutil.rmtree(partial, ignore_errors=True)
        room = ": free space there, or choose a folder with room (--reports-dir)" if exc.errno in FULL else ""
        raise OSError(exc.errno, f"{exc.strerror or exc} (writing the run into {study_dir}){room}") from None
    finally:
        _end_run(lock)
    try:
        build_index(reports_dir)
    except IndexNotWritten as exc:  # the run's own report stands; the overview page waits for the next run
        print(f"cx: {exc}", file=sys.stderr)
    if error:
        raise StudyFailed(final, error)
    return final


def _execute_and_publish(spec: Study, resolved, partial: Path, run_id: str, progress: bool,
                         timeout: float | None) -> tuple[Path, dict | None]:
    """Run the notebook into the hidden ``partial`` folder, write its report and results.json there, and publish it
    as the run's folder (a rename: a run folder appears only when everything in it is written)."""
    study, parameters, study_dir = spec.name, resolved.values, partial.parent
    recorded_file = partial / "recorded.json"
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    with _environ(RESULTS_ENV, str(recorded_file.absolute())):
        error = _execute(spec, parameters, partial / "executed.ipynb", progress, timeout)
    if error is None and not recorded_file.exists():
        error = {"cell": None, "ename": "StudyError", "traceback": [],
                 "evalue": "the notebook finished without calling cx.reports.record(...)"}
    recorded = json.loads(recorded_file.read_text(encoding="utf-8")) if recorded_file.exists() else {}
    recorded_file.unlink(missing_ok=True)

    project = spec.path.parent.parent
    results = {
        "schema_version": SCHEMA_VERSION,
        "study": study,
        "status": "failed" if error else "success",
        "parameters": parameters,
        "overrides": list(resolved.overrides),
        "provenance": {
            "cxlib_version": __version__,
            "git_commit": _git(project, "rev-parse", "HEAD"),
            "python": platform.python_version(),
            "inputs": recorded.get("inputs", []),
        },
        "data_quality": recorded.get("data_quality"),
        "data_period": recorded.get("data_period"),
        "headline": recorded.get("headline", {}),
        "figures": recorded.get("figures", []),
        "results": recorded.get("results"),
        "error": error,
        "run": {"run_id": run_id, "started_at": started.isoformat(timespec="seconds"),
                "duration_seconds": round(time.perf_counter() - clock, 3)},
    }
    if error is None:
        import nbformat

        executed = nbformat.read(partial / "executed.ipynb", as_version=4)
        period = recorded.get("data_period")
        subtitle = (f"Data from {period['from']} to {period['to']} · " if period else "") + \
            f"Run {started:%Y-%m-%d %H:%M} UTC"
        if resolved.overrides:
            subtitle += " · " + fmt_parameters({k: parameters[k] for k in resolved.overrides})
        footer = (f"cxlib {__version__} · commit {results['provenance']['git_commit'] or 'unknown'} · run {run_id} · "
                  "numbers and provenance in results.json beside this file")
        (partial / "report.html").write_text(page(spec.title, notebook_body(executed), subtitle, footer,
                                                  heading=False), encoding="utf-8")
    results["files"] = [{"name": f.name, "bytes": f.stat().st_size,
                         "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}
                        for f in sorted(partial.glob("*.csv"))]
    (partial / "results.json").write_text(dumps(results), encoding="utf-8")
    final = study_dir / run_id
    partial.rename(final)
    return final, error


def write_notebook(study: str, path: str | Path, parameters: dict | None = None, *,
                   notebooks_dir: str | Path | None = None) -> Path:
    """A copy of ``study``'s notebook at ``path`` with ``parameters`` (checked as :func:`run_study` checks them)
    injected below its parameters cell, as papermill injects them, not run: a notebook of one's own to edit and
    run in JupyterLab, leaving the study notebook as it is. An existing file is never overwritten."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    spec = _find_study(study, notebooks_dir)
    resolved = spec.declaration.resolve(parameters or {})
    path = Path(path)
    if path.exists():
        raise StudyError(f"{path} exists: name a new file for the copy")
    if path.suffix != ".ipynb":
        raise StudyError(f"{path} is not a notebook file name: end it in .ipynb")
    notebook = load_notebook_node(str(spec.path))  # as papermill reads it: every cell with its tags
    chosen = {p.name: _from_anywhere(p, resolved.values[p.name]) for p in spec.declaration.parameters
              if resolved.values[p.name] != p.default}  # what the study will use, where its own cell says otherwise
    nbformat.write(parameterize_notebook(notebook, chosen) if chosen else notebook, path)
    return path


def _from_anywhere(parameter, value):
    """A path as the copy needs it: a relative file or folder that exists made absolute, since JupyterLab runs the
    copy in its own folder, not where ``cx notebook`` was typed."""
    if isinstance(parameter, PathParameter) and isinstance(value, str) and os.path.exists(value):
        return os.path.abspath(value)
    return value


def run_all(reports_dir: str | Path = "reports", parameters: dict | None = None, *,
            notebooks_dir: str | Path | None = None, progress: bool = False,
            timeout: float | None = None,
            done: Callable[[str, Path | StudyFailed], None] | None = None) -> dict[str, Path | StudyFailed]:
    """Run every study; a failure does not stop the others.

    ``parameters`` go to each study that declares them (``data_path``, ``missing_codes``,
    ``backend``, ...); a name no study declares is an error. Every study's parameters are
    checked before the first one runs. ``done(name, outcome)`` is told of each study as it
    ends (the run folder, or the failure).
    """
    parameters = dict(parameters or {})
    studies = find_studies(notebooks_dir)
    declared = {name for study in studies.values() for name in study.declaration.names}
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise StudyError(f"no study has the parameter(s) {unknown}")
    given = {name: {k: v for k, v in parameters.items() if k in study.declaration.names}
             for name, study in studies.items()}
    problems = []
    for name, study in studies.items():
        try:
            study.declaration.resolve(given[name])
        except ParameterError as exc:
            problems += [f"{name}: {line}" for line in exc.problems]
    if problems:
        raise ParameterError("run-all", problems)
    outcomes: dict[str, Path | StudyFailed] = {}
    for name in studies:
        try:
            outcomes[name] = run_study(name, given[name], reports_dir=reports_dir, notebooks_dir=notebooks_dir,
                                       progress=progress, timeout=timeout)
        except StudyFailed as failure:
            outcomes[name] = failure
        if done is not None:
            done(name, outcomes[name])
    return outcomes
