# fix-mode: unsafe
import os

from flask import Flask

app = Flask(__name__)
app.debug = True
app.config["DEBUG"] = True
app.config.update(DEBUG=True, TESTING=False)
app.secret_key = 'hunter2-but-longer'
app.config["SECRET_KEY"] = b"\x8f\x12not-really-random"
app.config.from_mapping({"JWT_SECRET_KEY": "jwt-" "signing-key"})
