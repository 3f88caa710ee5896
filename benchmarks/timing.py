"""Timing shared by the benchmarks (run as scripts, so this folder is on the import path)."""

import statistics
import time


def median_seconds(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
