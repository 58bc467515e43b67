"""Allows `python -m edgetui`."""

from edgetui.cli import main

raise SystemExit(main())
