# fix-mode: unsafe
"""Imports in several sections: os goes where isort would put it."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask

app = Flask(__name__, root_path=str(Path(__file__).parent))

if len(sys.argv) > 1:
    if __name__ == "__main__":
        app.run(
            host="127.0.0.1",  # reachable from the VM host
            port=int(sys.argv[1]),
            debug=os.environ.get("FLASK_DEBUG") == "1",
        )
