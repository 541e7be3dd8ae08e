"""Read-only JSON API for the mobile app."""

from flask import Blueprint, abort, jsonify

from . import db

bp = Blueprint("api", __name__, url_prefix="/api")


def _product_json(row):
    return {
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "price": row["price_cents"] / 100,
        "in_stock": row["stock"] > 0,
    }


@bp.route("/products")
def products():
    return jsonify([_product_json(row) for row in db.all_products()])


@bp.route("/products/<slug>")
def product(slug):
    row = db.get_product(slug)
    if row is None:
        abort(404)
    return jsonify(_product_json(row))
