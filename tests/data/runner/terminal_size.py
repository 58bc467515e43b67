"""Prints whether stdin is a terminal, and the terminal's rows and columns."""

import os
import shutil
import sys

size = os.get_terminal_size(sys.stdin.fileno())
print(f"tty={os.isatty(0)} rows={size.lines} columns={size.columns}")
print(f"term={os.environ.get('TERM')} shutil={shutil.get_terminal_size()}")
