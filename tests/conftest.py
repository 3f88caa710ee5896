"""Shared fixtures: the bundled sample, and small files written for one test."""

from pathlib import Path

import pytest

from cxlib import sample
from cxlib.formatting import labels

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return sample.default_path()


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes) to a CSV file in a temporary folder and return its path."""

    def write(content: str | bytes, name: str = "table.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory) -> dict[str, Path]:
    """Every study run once on the sample (shared by the end-to-end and browser tests): study -> run folder."""
    from cxlib.reports import run_all

    runs = run_all(tmp_path_factory.mktemp("sample_reports"))
    failed = {study: str(run) for study, run in runs.items() if not isinstance(run, Path)}
    assert not failed, failed
    return runs


def pytest_collection_modifyitems(items):
    """The notebooks (nbval) and every test that uses the sample's reports run kernels: they are slow."""
    for item in items:
        if item.nodeid.startswith("notebooks/") or "sample_reports" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def kernels_only_in_slow_tests(request, monkeypatch):
    """A test not marked slow that starts a study kernel fails, naming the marker: ``make test-fast`` leaves the
    slow tests out, so a kernel there would make the fast tier slow without a word."""
    if request.node.get_closest_marker("slow") is None:
        from cxlib.reports import runner

        def refuse():
            pytest.fail(f"{request.node.nodeid} starts a study kernel: mark it @pytest.mark.slow", pytrace=False)

        monkeypatch.setattr(runner, "private_kernel", refuse)


@pytest.fixture(autouse=True)
def display_defaults():
    """Each test starts with the default display options (no labels, no currency), whatever ran before it."""
    labels.use()
    yield
    labels.use()
