"""Back office: product images, supplier catalog imports and database backups."""

import functools
import json
import os
import sqlite3
import urllib.request

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.utils import secure_filename

from . import db
from .catalog import search_products

bp = Blueprint("admin", __name__)

IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "webp"}


def admin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.path))
        if not g.user["is_admin"]:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/")
@admin_required
def dashboard():
    return render_template(
        "admin/dashboard.html",
        products=db.all_products(),
        orders=db.recent_orders(),
        suppliers=sorted(current_app.config["SUPPLIER_FEEDS"]),
    )


@bp.route("/products/<slug>/image", methods=["POST"])
@admin_required
def upload_image(slug):
    if db.get_product(slug) is None:
        abort(404)
    image = request.files["image"]
    extension = os.path.splitext(image.filename or "")[1].lstrip(".").lower()
    if extension not in IMAGE_EXTENSIONS:
        flash("Please upload a PNG, JPEG or WebP image.")
        return redirect(url_for("admin.dashboard"))
    filename = secure_filename(f"{slug}.{extension}")
    image.save(os.path.join(current_app.config["UPLOAD_FOLDER"], filename))
    db.set_product_image(slug, filename)
    flash(f"New image for {slug} uploaded.")
    return redirect(url_for("admin.dashboard"))


@bp.route("/import", methods=["POST"])
@admin_required
def import_feed():
    supplier = request.form["supplier"]
    feed_url = current_app.config["SUPPLIER_FEEDS"].get(supplier)
    if feed_url is None:
        abort(400)
    with urllib.request.urlopen(feed_url, timeout=10) as response:
        feed = json.load(response)
    products = feed.get("products", [])
    for entry in products:
        db.save_product(
            entry["sku"], entry["title"], entry.get("description", ""),
            round(float(entry["price"]) * 100), int(entry.get("stock", 0)),
        )
    search_products.cache_clear()
    flash(f"Imported {len(products)} products from {supplier}.")
    return redirect(url_for("admin.dashboard"))


@bp.route("/backup", methods=["POST"])
@admin_required
def backup():
    label = secure_filename(request.form.get("label", "")) or "manual"
    target = os.path.join(current_app.config["BACKUP_DIR"], f"corner-shop-{label}.sqlite3")
    destination = sqlite3.connect(target)
    try:
        db.get_db().backup(destination)
    finally:
        destination.close()
    flash(f"Backup {os.path.basename(target)} written.")
    return redirect(url_for("admin.dashboard"))
