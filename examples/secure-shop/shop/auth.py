"""Customer accounts: register, log in (with "remember me"), log out."""

import functools
import hashlib
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from . import db

bp = Blueprint("auth", __name__)

REMEMBER_COOKIE = "remember_token"
REMEMBER_DAYS = 30


def _digest(token):
    """Remember-me tokens are random, so a plain digest is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_local_url(target):
    """True for a path on this site: no scheme, no host, not protocol-relative."""
    parts = urlsplit(target)
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
    )


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


@bp.before_app_request
def load_current_user():
    user_id = session.get("user_id")
    if user_id is None and REMEMBER_COOKIE in request.cookies:
        user = db.get_user_by_remember_digest(_digest(request.cookies[REMEMBER_COOKIE]))
        if user is not None:
            session["user_id"] = user_id = user["id"]
    g.user = db.get_user(user_id) if user_id is not None else None


@bp.route("/register", methods=["GET", "POST"])
def register():
    if request.method == "POST":
        username = request.form["username"].strip()
        email = request.form["email"].strip()
        password = request.form["password"]
        if not username or "@" not in email:
            flash("Please enter a username and a valid email address.")
        elif len(password) < 8:
            flash("Your password needs at least 8 characters.")
        elif db.get_user_by_name(username) is not None:
            flash("That username is taken.")
        else:
            user_id = db.create_user(username, email, generate_password_hash(password))
            session["user_id"] = user_id
            flash(f"Welcome to the shop, {username}!")
            return redirect(url_for("catalog.index"))
    return render_template("register.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = db.get_user_by_name(request.form["username"])
        if user is None or not check_password_hash(user["password_hash"], request.form["password"]):
            flash("Wrong username or password.")
            return render_template("login.html"), 401

        session["user_id"] = user["id"]
        next_page = request.args.get("next", "")
        if not is_local_url(next_page):
            next_page = url_for("catalog.index")
        response = redirect(next_page)
        if request.form.get("remember"):
            token = secrets.token_urlsafe(32)
            db.set_remember_digest(user["id"], _digest(token))
            response.set_cookie(
                REMEMBER_COOKIE,
                token,
                max_age=REMEMBER_DAYS * 24 * 3600,
                secure=True,
                httponly=True,
                samesite="Lax",
            )
        return response
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    if g.user is not None:
        db.set_remember_digest(g.user["id"], None)
    session.clear()
    response = redirect(url_for("catalog.index"))
    response.delete_cookie(REMEMBER_COOKIE)
    return response
