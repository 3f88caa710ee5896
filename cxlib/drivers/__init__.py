"""Key-driver analysis: how much of an outcome each driver explains (Shapley shares of R², :mod:`.key_drivers`), its
result with priorities and what the report says (:mod:`.result`), per segment (:mod:`.segments`), for a yes/no
outcome (:mod:`.binary`); the subset regressions and dominance behind it (:mod:`.shapley`), and the cross-products
it is computed from (:mod:`.crossprod`)."""

from .binary import BinaryDrivers, binary_drivers
from .key_drivers import key_drivers, relative_weights, shapley_shares
from .result import KeyDrivers
from .segments import segment_drivers

__all__ = ["BinaryDrivers", "KeyDrivers", "binary_drivers", "key_drivers", "relative_weights", "segment_drivers",
           "shapley_shares"]
