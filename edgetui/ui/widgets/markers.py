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
