"""Appends COUNT large records to the transcript at PATH, tagged with TAG."""

import sys

from edgetui.runner.events import CommandResult
from edgetui.runner.transcript import FinishedRun, Transcript

path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
transcript = Transcript(path)
output = tuple(f"{tag} line {number} " + "x" * 100 for number in range(500))
for number in range(count):
    result = CommandResult(
        argv=(tag, str(number)), exit_code=0, duration=0.1, output=output
    )
    transcript.record(FinishedRun(result, tag, 0.0, len(output), ()))
