"""Corner Shop: a small online coffee and tea shop."""

import os

from flask import Flask, render_template
from flask_wtf.csrf import CSRFProtect

from . import db
from .config import config
from .helpers import format_price

csrf = CSRFProtect()


def create_app(config_name=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config[config_name or os.environ.get("SHOP_CONFIG", "production")])
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    for name, folder in [
        ("DATABASE", "shop.sqlite3"),
        ("UPLOAD_FOLDER", "uploads"),
        ("INVOICE_DIR", "invoices"),
        ("BACKUP_DIR", "backups"),
    ]:
        app.config.setdefault(name, os.path.join(app.instance_path, folder))
    for name in ("UPLOAD_FOLDER", "INVOICE_DIR", "BACKUP_DIR"):
        os.makedirs(app.config[name], exist_ok=True)

    csrf.init_app(app)
    db.init_app(app)
    app.add_template_filter(format_price, "price")

    from . import admin, api, auth, cart, catalog

    app.register_blueprint(catalog.bp)
    app.register_blueprint(cart.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp)

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

    @app.errorhandler(404)
    def not_found(error):
        return render_template("404.html"), 404

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
