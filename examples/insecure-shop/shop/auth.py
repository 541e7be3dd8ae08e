"""Customer accounts: register, log in (with "remember me"), log out."""

import hashlib
import secrets
import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from . import db

bp = Blueprint("auth", __name__)

# The logged-in customer, or None; templates get it from the context processor.
current_user = None


def hash_password(password):
    return hashlib.sha256(password.encode()).hexdigest()


@bp.before_app_request
def load_current_user():
    global current_user
    user_id = session.get("user_id")
    if user_id is None and "remember_token" in request.cookies:
        user = db.get_user_by_token(request.cookies["remember_token"])
        if user is not None:
            session["user_id"] = user_id = user["id"]
    current_user = db.get_user(user_id) if user_id is not None else None


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
            session["user_id"] = db.create_user(username, email, hash_password(password))
            flash(f"Welcome to the shop, {username}!")
            return redirect(url_for("catalog.index"))
    return render_template("register.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = db.get_user_by_name(request.form["username"])
        if user is None or user["password_hash"] != hash_password(request.form["password"]):
            time.sleep(2)  # slow down password guessing
            flash("Wrong username or password.")
            return render_template("login.html"), 401

        session["user_id"] = user["id"]
        next_page = request.args.get("next")
        response = redirect(next_page or url_for("catalog.index"))
        if request.form.get("remember"):
            token = secrets.token_urlsafe(32)
            db.set_remember_token(user["id"], token)
            response.set_cookie("remember_token", token, max_age=30 * 24 * 3600)
        return response
    return render_template("login.html")


@bp.route("/logout")
def logout():
    session.clear()
    response = redirect(url_for("catalog.index"))
    response.delete_cookie("remember_token")
    return response
