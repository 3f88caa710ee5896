"""The project's own files: dependency lists in sync, the front door and CI wired as the README says."""

import tomllib

import yaml
from packaging.requirements import Requirement


def _normal(requirement: str) -> str:
    req = Requirement(requirement)
    return f"{req.name.lower().replace('_', '-')}{req.specifier}"


def test_environment_yml_lists_the_same_dependencies_as_pyproject(project):
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    declared = set(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        declared |= set(extra)
    env = yaml.safe_load((project / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {d for d in pip_section if not d.startswith("-")}
    assert {_normal(d) for d in listed} == {_normal(d) for d in declared}
    assert "python=3.11" in env["dependencies"]


def test_every_declared_dependency_is_pinned_in_the_constraints(project):
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    pinned = {}
    for line in (project / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[name.lower().replace("_", "-")] = version
    for extra in [meta["dependencies"], *meta["optional-dependencies"].values()]:
        for requirement in map(Requirement, extra):
            name = requirement.name.lower().replace("_", "-")
            assert name in pinned, f"{name} is not pinned in constraints.txt"
            assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} breaks {requirement}"


def test_ci_runs_the_readme_test_command(project):
    assert "make test" in (project / ".ci" / "run").read_text()
    readme = (project / "README.md").read_text()
    assert "make reports" in readme and "make test" in readme


def test_generated_reports_are_not_committed(project):
    ignore = (project / ".gitignore").read_text().splitlines()
    assert "reports/*" in ignore and "!reports/README.md" in ignore


def test_markdown_code_blocks_close(project):
    """A closing fence with text after it does not close: the rest of the page would render as code."""
    for path in [project / "README.md", *project.glob("*/README.md"), *project.glob("docs/*.md")]:
        inside = False
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith("```"):
                assert not inside or line.strip() == "```", f"{path.name}:{number}: text after a closing fence"
                inside = not inside
        assert not inside, f"{path.name}: a code block is never closed"


def test_markdown_tables_are_not_cut_by_a_blank_line(project):
    """A blank line inside a table ends it: the rows after it render as raw pipes (the README's studies table). A
    table row after a blank line must start a new table, with its header's |---| line below it."""
    for path in [project / "README.md", *project.glob("*/README.md"), *project.glob("docs/*.md")]:
        lines = [*path.read_text().splitlines(), ""]
        for number in range(1, len(lines) - 2):
            if lines[number - 1].startswith("|") and not lines[number].strip() and lines[number + 1].startswith("|"):
                assert lines[number + 2].startswith("|--"), f"{path.name}:{number + 1}: a table cut in two"


def test_cx_says_its_version(capsys):
    from cxlib.reports import cli
    from cxlib.version import __version__
    try:
        cli.main(["--version"])
    except SystemExit as exit_:
        assert exit_.code == 0
    assert capsys.readouterr().out.strip() == f"cx (cxlib) {__version__}"


def test_no_module_is_longer_than_a_newcomer_reads_in_one_sitting(project):
    """One module per concept, none over 600 lines: a longer one holds several concepts (split it by them)."""
    long = {str(p.relative_to(project)): n for p in (project / "cxlib").rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}


def test_every_package_re_exports_its_public_api(project):
    """The public API is what cxlib and its domain packages re-export (as scikit-learn's subpackages do): each
    package's __all__ names what it imports, and every name in it exists."""
    import importlib

    for name in ("core", "metrics", "lifecycle", "drivers", "personas", "engine", "feedback", "io", "sample"):
        package = importlib.import_module(f"cxlib.{name}")
        assert package.__all__ and all(hasattr(package, n) for n in package.__all__), name
