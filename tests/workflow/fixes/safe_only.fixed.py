# fix-mode: safe
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "changeme-in-production-please"
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"
