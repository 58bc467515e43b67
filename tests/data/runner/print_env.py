"""Prints the environment it got as one JSON object."""

import json
import os

print(json.dumps(dict(os.environ)))
