"""Asks dpkg's conffile question exactly as dpkg prints it, on a terminal.

Like dpkg: refuses when stdin is not a terminal, shows the differences for D
(through DPKG_PAGER, a pager waiting for a key unless it is `cat`) and asks
again, keeps the old file for N or Enter, installs the new one for Y.
"""

import os
import sys

BLOCK = """\
Configuration file '/etc/iotedge/config.yaml'
 ==> Modified (by you or by a script) since installation.
 ==> Package distributor has shipped an updated version.
   What would you like to do about it ?  Your options are:
    Y or I  : install the package maintainer's version
    N or O  : keep your currently-installed version
      D     : show the differences between the versions
      Z     : start a shell to examine the situation
 The default action is to keep your current version."""
PROMPT = "*** config.yaml (Y/I/N/O/D/Z) [default=N] ? "
DIFF = """\
--- /etc/iotedge/config.yaml    2026-01-01 10:00:00.000000000 +0000
+++ /etc/iotedge/config.yaml.dpkg-new    2026-01-02 10:00:00.000000000 +0000
@@ -1,2 +1,2 @@
-hostname: "old-device"
+hostname: "new-device\""""

if not os.isatty(0):
    print(
        "dpkg: error processing package iotedge (--configure):\n"
        " end of file on stdin at conffile prompt"
    )
    sys.exit(1)

print("Setting up iotedge (1.1.17-1) ...")
print()
print(BLOCK)
while True:
    sys.stdout.write(PROMPT)
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().upper() or "N"
    if answer == "D":
        if os.environ.get("DPKG_PAGER") != "cat":
            sys.stdout.write("--More--")
            sys.stdout.flush()
            sys.stdin.readline()
        print(DIFF)
        continue
    if answer in ("Y", "I"):
        print("Installing new version of config file /etc/iotedge/config.yaml ...")
        sys.exit(0)
    if answer in ("N", "O"):
        print("Keeping old config file /etc/iotedge/config.yaml as default.")
        sys.exit(0)
