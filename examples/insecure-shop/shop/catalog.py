"""Browsing the catalog: home page, product pages, search, stock and newsletter."""

import asyncio

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from . import db
from .helpers import highlight

bp = Blueprint("catalog", __name__)

# Results per search term, so popular searches don't hit the database every time.
search_cache = {}


@bp.route("/")
def index():
    return render_template("index.html", products=db.all_products())


@bp.route("/product/<slug>")
def product(slug):
    item = db.get_product(slug)
    if item is None:
        return f"<h1>Sorry, we don't sell {slug}.</h1><p><a href='/'>Back to the shop</a></p>", 404
    return render_template("product.html", product=item)


@bp.route("/search")
def search():
    term = request.args.get("q", "").strip()
    if term not in search_cache:
        search_cache[term] = db.find_products(term)
    return render_template("search.html", products=search_cache[term], heading=highlight(term))


@bp.route("/product/<int:product_id>/stock")
async def stock(product_id):
    level = await asyncio.to_thread(db.stock_level, product_id)
    return jsonify(product_id=product_id, in_stock=level > 0, level=level)


@bp.route("/newsletter")
def newsletter():
    if request.method == "POST":
        db.add_subscriber(request.form["email"])
        flash("Thanks! Our roast notes arrive on the first Monday of each month.")
        return redirect(url_for("catalog.index"))
    return render_template("newsletter.html")
