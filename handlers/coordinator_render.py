"""Temporary: handlers/render.py imports this name from here until it moves to handlers/views."""

from handlers.views.requests import render_escalation

__all__ = ["render_escalation"]
