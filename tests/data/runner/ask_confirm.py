"""Asks a package tool's confirmation, coloured as a real terminal shows it.

Usage: ask_confirm.py apt|dnf. Prints `answer: X` and exits 0 when the answer
means yes, 1 otherwise.
"""

import sys

RED, BOLD, RESET = "\x1b[31m", "\x1b[1m", "\x1b[0m"
QUESTIONS = {
    "apt": ("Do you want to continue? [Y/n] ", "y"),
    "dnf": ("Is this ok [y/N]: ", "n"),
}

question, default = QUESTIONS[sys.argv[1]]
print(f"{BOLD}WARNING:{RESET} this will remove {RED}iotedge{RESET}")
print("\x1b]0;window title\x07After this operation, 10 MB will be used.")
sys.stdout.write(f"{BOLD}{question}{RESET}")
sys.stdout.flush()
answer = sys.stdin.readline().strip() or default
print(f"answer: {answer}")
sys.exit(0 if answer.lower() == "y" else 1)
