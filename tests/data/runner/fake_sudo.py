"""Stands in for sudo: asks the `-p` prompt on the terminal, then runs argv.

The right password is the first line of the file named by the
`EDGETUI_FAKE_SUDO_PASSWORD_FILE` variable. Like sudo, the prompt and the
password go through /dev/tty with echo off, a wrong password is asked again,
and three wrong ones end with exit status 1.
"""

import os
import sys
import termios

args = sys.argv[1:]
prompt = "Password: "
while args and args[0] != "--":
    option = args.pop(0)
    if option == "-p":
        prompt = args.pop(0)
argv = args[1:]

with open(os.environ["EDGETUI_FAKE_SUDO_PASSWORD_FILE"]) as file:
    expected = file.readline().strip()


def say(text: str) -> None:
    os.write(tty, text.encode())


def read_line() -> str:
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(tty, 1)
        if not byte:
            break
        line += byte
    return line.decode().rstrip("\n")


tty = os.open("/dev/tty", os.O_RDWR)
settings = termios.tcgetattr(tty)
quiet = list(settings)
quiet[3] &= ~termios.ECHO
for _attempt in range(3):
    say(prompt)
    termios.tcsetattr(tty, termios.TCSANOW, quiet)
    try:
        password = read_line()
    finally:
        termios.tcsetattr(tty, termios.TCSANOW, settings)
    say("\n")
    if password == expected:
        break
    say("Sorry, try again.\n")
else:
    say("sudo: 3 incorrect password attempts\n")
    sys.exit(1)
os.close(tty)

os.execvp(argv[0], argv)  # noqa: S606 - sudo runs argv, never a shell
