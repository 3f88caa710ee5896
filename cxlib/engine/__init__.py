"""Where the numbers are computed: the same reduce step (answers per score value, cross-products, event counts) on
pandas in memory (:mod:`.base`), on DuckDB out of core (:mod:`.duckdb_backend`), or on Dask
(:mod:`.dask_backend`); the rows an analysis uses (:mod:`.rules`), the reduce step on one chunk of rows
(:mod:`.chunks`), and opening a source (:mod:`.sources`)."""

from .base import Backend, PandasBackend
from .dask_backend import DaskBackend
from .duckdb_backend import DuckDBBackend
from .rules import BACKENDS, Band, Condition, Key, Period, RowRule, Words
from .sources import SourceData, is_set, open_source, open_survey, source_data

__all__ = ["BACKENDS", "Backend", "Band", "Condition", "DaskBackend", "DuckDBBackend", "Key", "PandasBackend", "Period",
           "RowRule", "SourceData", "Words", "is_set", "open_source", "open_survey", "source_data"]
