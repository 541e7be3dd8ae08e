# fix-mode: safe
import os

import flask

app = flask.Flask(__name__)
if __name__ == "__main__":
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
