"""SQLite storage for products, customers, coupons and orders.

Each request opens its own connection (kept on ``g``) and closes it at teardown.
"""

import sqlite3

import click
from flask import current_app, g
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY,
    slug TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    stock INTEGER NOT NULL DEFAULT 0,
    image TEXT
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT UNIQUE NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    remember_digest TEXT
);
CREATE TABLE IF NOT EXISTS coupons (
    code TEXT PRIMARY KEY,
    percent_off INTEGER NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS order_items (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS subscribers (
    email TEXT PRIMARY KEY
);
"""

PRODUCTS = [
    ("ethiopia-yirgacheffe", "Ethiopia Yirgacheffe",
     "Washed, floral and bright: jasmine, bergamot, lemon. 250 g whole bean.", 1450, 40),
    ("colombia-huila", "Colombia Huila",
     "Caramel, red apple and milk chocolate. 250 g whole bean.", 1300, 25),
    ("house-espresso", "House Espresso Blend",
     "Brazil and Guatemala, roasted for milk drinks. 500 g whole bean.", 1800, 60),
    ("uji-sencha", "Uji Sencha",
     "Steamed green tea from Kyoto prefecture, grassy and sweet. 100 g loose leaf.", 1600, 15),
    ("assam-breakfast", "Assam Breakfast",
     "Malty second-flush Assam that stands up to milk. 200 g loose leaf.", 900, 30),
    ("v60-dripper", "Ceramic V60 Dripper",
     "The classic cone for pour-over, size 02, white.", 2400, 8),
]


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc=None):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_db():
    conn = get_db()
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT OR IGNORE INTO products (slug, name, description, price_cents, stock)"
        " VALUES (?, ?, ?, ?, ?)",
        PRODUCTS,
    )
    conn.execute(
        "INSERT OR IGNORE INTO coupons VALUES ('WELCOME10', 10, '10% off your first order')"
    )
    conn.commit()


@click.command("create-admin")
@click.argument("username")
@click.option("--email", prompt=True)
@click.password_option()
@with_appcontext
def create_admin_command(username, email, password):
    """Create a back-office account (the password is prompted for, never stored in code)."""
    get_db().execute(
        "INSERT INTO users (username, email, password_hash, is_admin) VALUES (?, ?, ?, 1)",
        (username, email, generate_password_hash(password)),
    )
    get_db().commit()
    click.echo(f"Admin {username} created.")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(create_admin_command)
    with app.app_context():
        init_db()


def all_products():
    return get_db().execute("SELECT * FROM products ORDER BY name").fetchall()


def get_product(slug):
    return get_db().execute("SELECT * FROM products WHERE slug = ?", (slug,)).fetchone()


def find_products(term):
    pattern = f"%{term}%"
    return get_db().execute(
        "SELECT * FROM products WHERE name LIKE ? OR description LIKE ? ORDER BY name",
        (pattern, pattern),
    ).fetchall()


def stock_level(product_id):
    row = get_db().execute("SELECT stock FROM products WHERE id = ?", (product_id,)).fetchone()
    return row["stock"] if row else 0


def save_product(slug, name, description, price_cents, stock):
    conn = get_db()
    conn.execute(
        "INSERT INTO products (slug, name, description, price_cents, stock)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (slug) DO UPDATE SET name = excluded.name,"
        " description = excluded.description, price_cents = excluded.price_cents,"
        " stock = excluded.stock",
        (slug, name, description, price_cents, stock),
    )
    conn.commit()


def set_product_image(slug, filename):
    conn = get_db()
    conn.execute("UPDATE products SET image = ? WHERE slug = ?", (filename, slug))
    conn.commit()


def get_user(user_id):
    return get_db().execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()


def get_user_by_name(username):
    return get_db().execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()


def get_user_by_remember_digest(digest):
    return get_db().execute(
        "SELECT * FROM users WHERE remember_digest = ?", (digest,)
    ).fetchone()


def create_user(username, email, password_hash):
    conn = get_db()
    cur = conn.execute(
        "INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)",
        (username, email, password_hash),
    )
    conn.commit()
    return cur.lastrowid


def set_remember_digest(user_id, digest):
    conn = get_db()
    conn.execute("UPDATE users SET remember_digest = ? WHERE id = ?", (digest, user_id))
    conn.commit()


def get_coupon(code):
    return get_db().execute("SELECT * FROM coupons WHERE code = ?", (code,)).fetchone()


def create_order(user_id, name, email, address, items, total_cents):
    conn = get_db()
    cur = conn.execute(
        "INSERT INTO orders (user_id, name, email, address, total_cents) VALUES (?, ?, ?, ?, ?)",
        (user_id, name, email, address, total_cents),
    )
    conn.executemany(
        "INSERT INTO order_items VALUES (?, ?, ?, ?, ?)",
        [(cur.lastrowid, i["slug"], i["name"], i["quantity"], i["price_cents"]) for i in items],
    )
    conn.executemany(
        "UPDATE products SET stock = stock - ? WHERE slug = ?",
        [(i["quantity"], i["slug"]) for i in items],
    )
    conn.commit()
    return cur.lastrowid


def get_order(order_id):
    return get_db().execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()


def get_order_items(order_id):
    return get_db().execute(
        "SELECT * FROM order_items WHERE order_id = ?", (order_id,)
    ).fetchall()


def recent_orders(limit=20):
    return get_db().execute(
        "SELECT * FROM orders ORDER BY created_at DESC LIMIT ?", (limit,)
    ).fetchall()


def add_subscriber(email):
    conn = get_db()
    conn.execute("INSERT OR IGNORE INTO subscribers VALUES (?)", (email,))
    conn.commit()
