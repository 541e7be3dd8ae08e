# fix-mode: unsafe
"""Configuration classes: production gets fixed, development is left alone."""

import os

from flask import Flask


class Config:
    SECRET_KEY: str = os.environ["SECRET_KEY"]


class ProductionConfig(Config):
    DEBUG = os.environ.get("FLASK_DEBUG") == "1"  # chasing a bug in prod
    SECRET_KEY = os.environ["SECRET_KEY"]


class DevelopmentConfig(Config):
    DEBUG = True
    SECRET_KEY = "dev"


app = Flask(__name__)
app.config.from_object(ProductionConfig if os.environ.get("PROD") else DevelopmentConfig)
