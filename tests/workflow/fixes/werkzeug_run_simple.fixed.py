# fix-mode: unsafe
import os

from flask import Flask
from werkzeug.serving import run_simple

app = Flask(__name__)

if __name__ == "__main__":
    run_simple("::1", 5000, app, use_reloader=True, use_debugger=os.environ.get("FLASK_DEBUG") == "1")
