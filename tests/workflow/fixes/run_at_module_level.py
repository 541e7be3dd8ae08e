# fix-mode: unsafe
"""A tiny app started the quick way: every fix at once on one call."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


# Start the development server.
app.run(host="0.0.0.0", port=8000, debug=True)  # TODO: remove before deploying
