"""The shopping cart, gift messages, shipping quotes, checkout and invoices."""

import functools
import os

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)

from . import db

bp = Blueprint("cart", __name__, url_prefix="/cart")


@functools.lru_cache(maxsize=128)
def coupon_description(code):
    coupon = db.get_coupon(code)
    return coupon["description"] if coupon is not None else None


def cart_items():
    """The cart's lines and its total in cents, after the coupon if there is one."""
    items = []
    for slug, quantity in session.get("cart", {}).items():
        product = db.get_product(slug)
        if product is not None:
            items.append({
                "slug": slug,
                "name": product["name"],
                "quantity": quantity,
                "price_cents": product["price_cents"],
                "line_cents": quantity * product["price_cents"],
            })
    total = sum(item["line_cents"] for item in items)
    coupon = db.get_coupon(session["coupon"]) if "coupon" in session else None
    if coupon is not None:
        total -= total * coupon["percent_off"] // 100
    return items, total


def _order_for_current_visitor(order_id):
    """The order if it belongs to the logged-in customer or was just placed in this session."""
    order = db.get_order(order_id)
    if order is None:
        abort(404)
    owns = g.user is not None and order["user_id"] == g.user["id"]
    if not owns and session.get("last_order_id") != order_id:
        abort(404)
    return order


@bp.route("/")
def view_cart():
    items, total = cart_items()
    return render_template("cart.html", items=items, total=total, coupon=session.get("coupon"))


@bp.route("/add", methods=["POST"])
def add():
    slug = request.form["slug"]
    product = db.get_product(slug)
    if product is None:
        flash("That product is no longer available.")
        return redirect(url_for("catalog.index"))
    quantity = max(1, min(int(request.form.get("quantity", 1)), product["stock"]))
    cart = session.setdefault("cart", {})
    cart[slug] = cart.get(slug, 0) + quantity
    session.modified = True
    flash(f"Added {product['name']} to your cart.")
    return redirect(url_for("cart.view_cart"))


@bp.route("/remove", methods=["POST"])
def remove():
    session.get("cart", {}).pop(request.form["slug"], None)
    session.modified = True
    return redirect(url_for("cart.view_cart"))


@bp.route("/coupon", methods=["POST"])
def apply_coupon():
    code = request.form["code"].strip().upper()
    description = coupon_description(code)
    if description is None:
        flash("Sorry, that coupon code is not valid.")
        return redirect(url_for("cart.view_cart"))
    session["coupon"] = code
    flash(f"Coupon applied: {description}")
    return redirect(url_for("cart.view_cart"))


@bp.route("/gift-preview")
def gift_preview():
    sender = g.user["username"] if g.user is not None else "A friend"
    return render_template(
        "gift_preview.html", message=request.args.get("message", ""), sender=sender
    )


@bp.route("/shipping-quote")
def shipping_quote():
    import requests

    _, total = cart_items()
    if total >= current_app.config["FREE_SHIPPING_OVER"]:
        return {"service": "standard", "price": 0}

    try:
        response = requests.get(
            current_app.config["SHIPPING_API_URL"],
            params={"zip": request.args.get("zip", ""), "weight_g": 250},
            headers={"Authorization": f"Bearer {current_app.config['SHIPPING_API_TOKEN']}"},
            timeout=5,
        )
        response.raise_for_status()
    except requests.RequestException:
        return {"error": "Shipping rates are unavailable right now."}, 503
    return response.json()


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    items, total = cart_items()
    if not items:
        return redirect(url_for("cart.view_cart"))
    if request.method == "POST":
        order_id = db.create_order(
            g.user["id"] if g.user is not None else None,
            request.form["name"], request.form["email"], request.form["address"],
            items, total,
        )
        write_invoice(db.get_order(order_id), items)
        session.pop("cart", None)
        session.pop("coupon", None)
        session["last_order_id"] = order_id
        return redirect(url_for("cart.order_confirmation", order_id=order_id))
    return render_template("checkout.html", items=items, total=total)


@bp.route("/orders/<int:order_id>")
def order_confirmation(order_id):
    order = _order_for_current_visitor(order_id)
    return render_template(
        "order_confirmation.html",
        order=order,
        items=db.get_order_items(order_id),
        email=order["email"],
    )


def write_invoice(order, items):
    lines = [f"Corner Shop invoice #{order['id']}", order["name"], order["address"], ""]
    lines += [f"{i['quantity']} x {i['name']}  {i['line_cents'] / 100:.2f}" for i in items]
    lines += ["", f"Total  {order['total_cents'] / 100:.2f}"]
    path = os.path.join(current_app.config["INVOICE_DIR"], f"order-{order['id']}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


@bp.route("/orders/<int:order_id>/invoice")
def invoice(order_id):
    _order_for_current_visitor(order_id)
    return send_from_directory(
        current_app.config["INVOICE_DIR"], f"order-{order_id}.txt", as_attachment=True
    )
