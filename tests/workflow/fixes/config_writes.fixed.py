# fix-mode: unsafe
import os

from flask import Flask

app = Flask(__name__)
app.debug = os.environ.get("FLASK_DEBUG") == "1"
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"
app.config.update(DEBUG=os.environ.get("FLASK_DEBUG") == "1", TESTING=False)
app.secret_key = os.environ["SECRET_KEY"]
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config.from_mapping({"JWT_SECRET_KEY": os.environ["JWT_SECRET_KEY"]})
