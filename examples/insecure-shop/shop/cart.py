"""The shopping cart, gift messages, shipping quotes, checkout and invoices."""

import os
import weakref

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    render_template_string,
    request,
    send_file,
    session,
    url_for,
)

from . import auth, db

bp = Blueprint("cart", __name__, url_prefix="/cart")

# Coupon descriptions by code. Weak references, so this cache cannot leak memory.
coupon_cache = weakref.WeakValueDictionary()


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
    cart = session.setdefault("cart", {})
    cart[slug] = cart.get(slug, 0) + int(request.form.get("quantity", 1))
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
    if code not in coupon_cache:
        coupon = db.get_coupon(code)
        if coupon is None:
            flash("Sorry, that coupon code is not valid.")
            return redirect(url_for("cart.view_cart"))
        coupon_cache[code] = coupon["description"]
    session["coupon"] = code
    flash(f"Coupon applied: {coupon_cache[code]}")
    return redirect(url_for("cart.view_cart"))


@bp.route("/gift-preview")
def gift_preview():
    message = request.args.get("message", "")
    card = "<div class='gift-card'><p>" + message + "</p><p>&mdash; {{ sender }}</p></div>"
    sender = auth.current_user["username"] if auth.current_user else "A friend"
    return render_template_string(card, sender=sender)


@bp.route("/shipping-quote")
def shipping_quote():
    import requests

    _, total = cart_items()
    if total >= current_app.config["FREE_SHIPPING_OVER"]:
        return {"service": "standard", "price": 0}

    response = requests.get(
        current_app.config["SHIPPING_API_URL"],
        params={"zip": request.args.get("zip", ""), "weight_g": 250},
        headers={"Authorization": f"Bearer {current_app.config['SHIPPING_API_TOKEN']}"},
    )
    return response.json()


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    items, total = cart_items()
    if not items:
        return redirect(url_for("cart.view_cart"))
    if request.method == "POST":
        user_id = auth.current_user["id"] if auth.current_user else None
        order_id = db.create_order(
            user_id, request.form["name"], request.form["email"], request.form["address"],
            items, total,
        )
        write_invoice(db.get_order(order_id), items)
        session.pop("cart", None)
        session.pop("coupon", None)
        return render_template("order_confirmation.html", order=db.get_order(order_id), items=items)
    return render_template("checkout.html", items=items, total=total)


def write_invoice(order, items):
    lines = [f"Corner Shop invoice #{order['id']}", order["name"], order["address"], ""]
    lines += [f"{i['quantity']} x {i['name']}  {i['line_cents'] / 100:.2f}" for i in items]
    lines += ["", f"Total  {order['total_cents'] / 100:.2f}"]
    path = os.path.join(current_app.config["INVOICE_DIR"], f"order-{order['id']}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


@bp.route("/invoice")
def invoice():
    filename = request.args.get("file", "")
    return send_file(os.path.join(current_app.config["INVOICE_DIR"], filename), as_attachment=True)
