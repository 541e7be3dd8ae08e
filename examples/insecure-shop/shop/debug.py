"""Diagnostics added while we tracked down the memory growth in production."""

import os
import tracemalloc

from flask import Blueprint, jsonify

bp = Blueprint("debug", __name__, url_prefix="/debug")

tracemalloc.start()


@bp.route("/env")
def environment():
    return jsonify(dict(os.environ))


@bp.route("/memory")
def memory():
    snapshot = tracemalloc.take_snapshot()
    top_stats = snapshot.statistics("lineno")
    return "<br>".join(str(stat) for stat in top_stats[:10])
