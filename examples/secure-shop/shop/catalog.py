"""Browsing the catalog: home page, product pages, search, stock and newsletter."""

import functools

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from . import db
from .helpers import highlight

bp = Blueprint("catalog", __name__)


@functools.lru_cache(maxsize=256)
def search_products(term):
    """Search results for popular terms; the back office clears this after imports."""
    return tuple(dict(row) for row in db.find_products(term))


@bp.route("/")
def index():
    return render_template("index.html", products=db.all_products())


@bp.route("/product/<slug>")
def product(slug):
    item = db.get_product(slug)
    if item is None:
        abort(404)
    return render_template("product.html", product=item)


@bp.route("/media/<path:filename>")
def media(filename):
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename)


@bp.route("/search")
def search():
    term = request.args.get("q", "").strip()
    return render_template("search.html", products=search_products(term), heading=highlight(term))


@bp.route("/product/<int:product_id>/stock")
def stock(product_id):
    level = db.stock_level(product_id)
    return jsonify(product_id=product_id, in_stock=level > 0, level=level)


@bp.route("/newsletter", methods=["GET", "POST"])
def newsletter():
    if request.method == "POST":
        db.add_subscriber(request.form["email"])
        flash("Thanks! Our roast notes arrive on the first Monday of each month.")
        return redirect(url_for("catalog.index"))
    return render_template("newsletter.html")
