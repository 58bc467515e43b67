"""Prints each step's state as the journal records it while this step runs.

Usage: show_journal.py JOURNAL. Prints `states: done,running,pending`.
"""

import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    journal = json.load(handle)
print("states: " + ",".join(step["state"] for step in journal["steps"]))
