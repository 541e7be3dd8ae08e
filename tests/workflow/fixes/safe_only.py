# fix-mode: safe
from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "changeme-in-production-please"
app.config["DEBUG"] = True
