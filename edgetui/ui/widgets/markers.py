"""Text markers that say what colour also says, for 16-colour and mono terminals."""

from __future__ import annotations

from edgetui.ui.detection_state import ERROR, OK, PENDING, RUNNING, WARNING

STATUS_MARKERS = {
    PENDING: "",
    RUNNING: "…",
    OK: "OK",
    WARNING: "WARN",
    ERROR: "FAIL",
}
"""The marker shown before a probe, by status."""

WARNING_MARKER = STATUS_MARKERS[WARNING]

VERDICT_MARKERS = {OK: "OK", WARNING: "WARN", ERROR: "FAIL"}
"""The marker shown before a verification verdict, by status."""

STEP_MARKERS = {
    "pending": "",
    "running": "…",
    "done": "OK",
    "failed": "FAIL",
    "skipped": "SKIP",
}
"""The marker shown before a step of the run, by state."""

DESTRUCTIVE_MARKER = "!"
"""Beside a step that deletes or replaces something."""

POINT_OF_NO_RETURN_MARKER = "NO RETURN"
"""On the line before the step after which the old version cannot be restored."""
