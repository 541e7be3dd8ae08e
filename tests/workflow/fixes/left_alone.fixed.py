# fix-mode: unsafe
"""Findings without an unambiguous fix: the file must come out unchanged."""
import os

from flask import Flask

DEBUG = True
HOST = "0.0.0.0"

app = Flask(__name__)


def serve():
    app.run(host=HOST, debug=DEBUG)


serve()

if __name__ == "__main__":
    pass
else:
    app.run(host=os.environ.get("HOST", "0.0.0.0"))
