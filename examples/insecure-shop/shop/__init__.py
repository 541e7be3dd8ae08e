"""Corner Shop: a small online coffee and tea shop."""

import os

from flask import Flask, session

from . import db
from .config import config
from .helpers import format_price


def create_app(config_name=None):
    app = Flask(__name__)
    app.config.from_object(config[config_name or os.environ.get("SHOP_CONFIG", "production")])
    os.makedirs(app.config["INVOICE_DIR"], exist_ok=True)
    os.makedirs(app.config["BACKUP_DIR"], exist_ok=True)

    # /cart and /cart/ should both work.
    app.url_map.strict_slashes = False

    db.init_db()
    app.add_template_filter(format_price, "price")

    from . import admin, api, auth, cart, catalog, debug

    app.register_blueprint(catalog.bp)
    app.register_blueprint(cart.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(debug.bp)

    @app.context_processor
    def inject_shop_globals():
        return {
            "current_user": auth.current_user,
            "cart_count": sum(session.get("cart", {}).values()),
        }

    return app
