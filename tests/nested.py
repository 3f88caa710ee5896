"""Comparing nested results (results.json blocks) number by number."""

import pytest

TOL = 1e-9


def assert_nested_close(got, want, path="results"):
    """JSON values equal, numbers to 1e-9."""
    if isinstance(want, dict):
        assert set(got) == set(want), path
        for key in want:
            assert_nested_close(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), path
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            assert_nested_close(a, b, f"{path}[{i}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert got == pytest.approx(want, rel=TOL, abs=TOL, nan_ok=True), path
    else:
        assert got == want, path
