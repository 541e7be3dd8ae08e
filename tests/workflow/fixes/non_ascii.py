# fix-mode: unsafe
"""Café app: columns are counted in characters, not bytes, when the fix is placed."""
import os

from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(extra_files=["menü.txt", "crème.txt"], host="0.0.0.0", debug=True)
