# fix-mode: unsafe
"""Imports in several sections: os goes where isort would put it."""
from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

app = Flask(__name__, root_path=str(Path(__file__).parent))

if len(sys.argv) > 1:
    app.run(
        host="0.0.0.0",  # reachable from the VM host
        port=int(sys.argv[1]),
        debug=True,
    )
