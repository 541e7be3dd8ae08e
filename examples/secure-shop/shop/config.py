"""Configuration classes, picked by the SHOP_CONFIG environment variable.

SECRET_KEY is not here: create_app reads it from the environment and refuses to
start without it. File locations are derived from the instance folder there too.
"""

import os


class Config:
    SHOP_NAME = "Corner Shop"
    DEBUG = False
    TESTING = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    FREE_SHIPPING_OVER = 5000  # cents

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "smtp.mailgun.org")
    MAIL_PORT = 587
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")

    SHIPPING_API_URL = "https://api.parcelrates.example/v2/quote"
    SHIPPING_API_TOKEN = os.environ.get("SHIPPING_API_TOKEN")

    # The back office imports catalogs from these suppliers only.
    SUPPLIER_FEEDS = {
        "highland": "https://feeds.highland-roasters.example/catalog.json",
        "kyoto-leaf": "https://kyoto-leaf.example/export/products.json",
    }


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


config = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
