"""Fails the first time it runs (no marker file yet), succeeds afterwards."""

import sys
from pathlib import Path

marker = Path(sys.argv[1])
if marker.exists():
    print("download finished")
    sys.exit(0)
marker.write_text("failed once\n", encoding="utf-8")
print("E: Failed to fetch packages: network unreachable")
sys.exit(100)
