"""The Flask apps the probe tests run, each as the source of its ``app.py``."""

from __future__ import annotations

# The seed article's development setup: debug on, reloader on, loopback only.
BASIC = """
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "<h1>Hello, Flask!</h1>"


@app.route("/boom")
def boom():
    raise RuntimeError("kaboom")


if __name__ == "__main__":
    app.run(debug=True, host="127.0.0.1", port=int(os.environ["PORT"]))
"""

# A tutorial app: the secret key from the seed article, data kept in the cookie session.
TUTORIAL = """
from flask import Flask, make_response, session

app = Flask(__name__)
app.secret_key = "supersecretkey"


@app.route("/")
def index():
    session["username"] = "alice"
    session["email"] = "alice@example.com"
    response = make_response("<h1>Welcome back, alice</h1>")
    response.set_cookie("remember_token", "1|5f4dcc3b5aa765d61d8327deb882cf99")
    response.set_cookie("theme", "dark")
    return response
"""

# Done right: Talisman headers and cookie flags, the key from the environment. TLS is
# terminated by the proxy in front, so Talisman does not redirect to https itself.
TALISMAN = """
import os

from flask import Flask, session
from flask_talisman import Talisman

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
Talisman(app, force_https=False)


@app.route("/")
def index():
    session["user_id"] = 42
    return "<h1>Shop</h1>"


@app.route("/boom")
def boom():
    raise RuntimeError("kaboom")
"""

# Everything leaks: the project directory is the static folder, errors render their
# traceback (404s too: NotFound is an Exception), and CORS reflects any origin.
LEAKY = """
import traceback

from flask import Flask, request

app = Flask(__name__, static_folder=".", static_url_path="")


@app.route("/")
def index():
    return "<h1>Leaky</h1>"


@app.route("/boom")
def boom():
    raise KeyError("db_password")


@app.errorhandler(Exception)
def show_error(error):
    return f"<pre>{traceback.format_exc()}</pre>", 500


@app.after_request
def cors(response):
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
    response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
"""

LEAKY_FILES = {
    ".env": "# production\nSECRET_KEY=8c1d2e3f4a5b6c7d\nDATABASE_URL=postgres://shop:pw@db/shop\n",
    ".flaskenv": "FLASK_APP=app\nFLASK_DEBUG=0\n",
    ".git/HEAD": "ref: refs/heads/main\n",
}
