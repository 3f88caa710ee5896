"""Loading with validation (cxlib.io.read_table) against a plain pandas read, side by side.

The peer is what an analyst writes without validation: ``pd.read_csv`` with dtypes
inferred and the two date columns parsed. cxlib reads every value as text so that it
can quote bad values, then parses and checks each column. Reports medians of
``--repeat`` runs and the ratio. Usage: python benchmarks/bench_load.py [--customers N]
"""

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from timing import median_seconds

from cxlib import io, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| responses | pandas read_csv (s) | cxlib read_table (s) | ratio |")
    print("|---:|---:|---:|---:|")
    for n in args.customers:
        with tempfile.TemporaryDirectory() as tmp:
            sample.write(sample.generate(n_customers=n), tmp)
            path = Path(tmp) / "responses.csv"
            rows = len(pd.read_csv(path, usecols=["response_id"]))
            plain = median_seconds(lambda p=path: pd.read_csv(p, parse_dates=["survey_date"]), args.repeat)
            validated = median_seconds(lambda p=path: io.read_table(p, "responses"), args.repeat)
        print(f"| {rows:,} | {plain:.3f} | {validated:.3f} | {validated / plain:.1f}x |")


if __name__ == "__main__":
    main()
