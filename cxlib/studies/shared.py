"""Parameters that several studies share, declared once: reading options and where the numbers are computed."""

from __future__ import annotations

from ..backends import is_set
from .parameters import Choice, Integer, MissingCodes, Path, Text

__all__ = ["BACKENDS", "FREQUENCIES", "backend_parameters", "check_backend", "data_path_parameter", "in_memory_only",
           "missing_codes_parameter"]

BACKENDS = ("pandas", "duckdb", "dask")
FREQUENCIES = ("M", "Q", "Y")


def data_path_parameter(holds: str, folder: bool = False) -> Path:
    """``data_path``: what the file (or, with ``folder``, the folder of tables) holds; None: the bundled sample."""
    return Path("data_path", None, f"{holds}; None: the bundled sample", nullable=True, folder=folder)


def missing_codes_parameter() -> MissingCodes:
    return MissingCodes("missing_codes", [], 'values that mean "missing", e.g. [-99, 999, "n/a"]')


def backend_parameters(sample_size: int | None = None, sample_use: str = "") -> tuple:
    """``backend``, ``dask_scheduler``, ``table`` and, for studies that draw rows, ``sample_size``."""
    params = (
        Choice("backend", "pandas", 'where the numbers are computed: "pandas" (in memory), "duckdb" (out of core), '
               '"dask"', choices=BACKENDS),
        Text("dask_scheduler", None, 'a Dask scheduler address such as "tcp://10.0.0.5:8786"; None: Dask in this '
             "process", nullable=True),
        Text("table", None, "the table to read when data_path is a DuckDB file", nullable=True),
    )
    if sample_size is None:
        return params
    return (*params, Integer("sample_size", sample_size, f"with duckdb or dask: rows sampled (seeded) for {sample_use}",
                             low=1))


def check_backend(values: dict) -> list[str]:
    """Rules across the backend parameters."""
    backend, problems = values["backend"], []
    if backend != "pandas" and values["data_path"] is None:
        problems.append(f"backend {backend!r} needs data_path: Parquet files, a DuckDB file (with table) or a SQL "
                        "query; the bundled sample is read with backend 'pandas'")
    if values["dask_scheduler"] is not None and backend != "dask":
        problems.append(f"dask_scheduler applies only with backend 'dask', got backend {backend!r}")
    return problems


def in_memory_only(*names: str):
    """A check refusing, out of core, options that work row by row in memory (they would be ignored otherwise)."""

    def check(values: dict) -> list[str]:
        if values["backend"] == "pandas":
            return []
        return [f"{name} cannot be applied with backend {values['backend']!r}: it works row by row in memory "
                "(backend 'pandas'); out of core, write it into a SQL query (missing codes: NULLIF(column, 99))"
                for name in names if is_set(values[name])]

    return check
