"""Taint analysis: request data followed into dangerous sinks across the project."""
