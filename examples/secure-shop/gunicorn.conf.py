import os

# Inside the container; only the published port is reachable from outside.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 30
accesslog = "-"
