"""Loading and validation: tables in, typed valid rows and a DataQuality record out.

>>> import cxlib as cx
>>> data = cx.io.load()              # the bundled sample
>>> sorted(data.tables())
['competitor_nps', 'customers', 'responses', 'social', 'tickets']
"""

from . import columns
from .columns import Column
from .quality import DataError, DataQuality, QualityIssue
from .schemas import SCHEMAS, Schema
from .sources import SourceInfo
from .tables import CXData, Table, flat_table, load, read_table, require

__all__ = ["SCHEMAS", "CXData", "Column", "DataError", "DataQuality", "QualityIssue", "Schema", "SourceInfo",
           "Table", "columns", "flat_table", "load", "read_table", "require"]
