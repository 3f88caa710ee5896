"""How fast ``cx`` answers a command that needs no computation, against ``import pandas``.

Each command runs in a fresh process (as a user or a scheduler starts it), ``repeat``
times; the table gives the median wall times and their ratio to a fresh ``python -c
"import pandas"``, the floor any pandas-based tool starts from.
"""

import subprocess
import sys
from pathlib import Path

from timing import median_seconds

BIN = Path(sys.executable).parent
COMMANDS = {
    "import pandas": [sys.executable, "-c", "import pandas"],
    "import cxlib": [sys.executable, "-c", "import cxlib"],
    "cx list": [str(BIN / "cx"), "list"],
    "cx describe segment_study": [str(BIN / "cx"), "describe", "segment_study"],
    "cx --version": [str(BIN / "cx"), "--version"],
}


def main(repeat: int = 5) -> None:
    times = {name: median_seconds(lambda c=command: subprocess.run(c, check=True, capture_output=True), repeat)
             for name, command in COMMANDS.items()}
    floor = times["import pandas"]
    print("| command | median (s) | ratio to import pandas |")
    print("|---|---:|---:|")
    for name, seconds in times.items():
        print(f"| `{name}` | {seconds:.2f} | {seconds / floor:.2f}x |")


if __name__ == "__main__":
    main()
