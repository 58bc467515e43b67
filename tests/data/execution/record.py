"""Appends its name to a log file and says so: a step that always works.

Usage: record.py LOG NAME
"""

import sys

log, name = sys.argv[1], sys.argv[2]
with open(log, "a", encoding="utf-8") as handle:
    handle.write(f"{name}\n")
print(f"{name} ran")
