"""Back office: product images, supplier catalog imports and database backups."""

import functools
import json
import os
import subprocess
import urllib.request

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.utils import secure_filename

from . import db

bp = Blueprint("admin", __name__)

ADMINS = {"admin": generate_password_hash("secret123")}


def admin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.authorization
        if (
            auth is None
            or auth.username not in ADMINS
            or not check_password_hash(ADMINS[auth.username], auth.password or "")
        ):
            challenge = {"WWW-Authenticate": 'Basic realm="Corner Shop admin"'}
            return Response("Admin login required.", 401, challenge)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/")
@admin_required
def dashboard():
    return render_template(
        "admin/dashboard.html", products=db.all_products(), orders=db.recent_orders()
    )


@bp.route("/products/<slug>/image", methods=["POST"])
@admin_required
def upload_image(slug):
    image = request.files["image"]
    filename = secure_filename(image.filename)
    folder = os.path.join(current_app.static_folder, "products")
    os.makedirs(folder, exist_ok=True)
    image.save(os.path.join(folder, filename))
    db.set_product_image(slug, filename)
    flash(f"New image for {slug} uploaded.")
    return redirect(url_for("admin.dashboard"))


@bp.route("/import", methods=["POST"])
@admin_required
def import_feed():
    feed_url = request.form["feed_url"]
    with urllib.request.urlopen(feed_url) as response:
        feed = json.load(response)
    products = feed.get("products", [])
    for entry in products:
        db.save_product(
            entry["sku"], entry["title"], entry.get("description", ""),
            round(float(entry["price"]) * 100), int(entry.get("stock", 0)),
        )
    flash(f"Imported {len(products)} products from {feed_url}.")
    return redirect(url_for("admin.dashboard"))


@bp.route("/backup", methods=["POST"])
@admin_required
def backup():
    label = request.form.get("label") or "manual"
    target = os.path.join(current_app.config["BACKUP_DIR"], f"corner-shop-{label}.sql.gz")
    subprocess.run(f"sqlite3 {db.DATABASE} .dump | gzip > {target}", shell=True, check=True)
    flash(f"Backup written to {target}.")
    return redirect(url_for("admin.dashboard"))
