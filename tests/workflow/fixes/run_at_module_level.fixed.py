# fix-mode: unsafe
"""A tiny app started the quick way: every fix at once on one call."""

import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


# Start the development server.
if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8000, debug=os.environ.get("FLASK_DEBUG") == "1")  # TODO: remove before deploying
