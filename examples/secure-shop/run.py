"""Start the shop locally: python run.py (set SECRET_KEY first; FLASK_DEBUG=1 for the debugger)."""

import os

from shop import create_app

app = create_app(os.environ.get("SHOP_CONFIG", "development"))

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000, debug=os.environ.get("FLASK_DEBUG") == "1")
