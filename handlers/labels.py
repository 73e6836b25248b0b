"""Temporary: handlers/render.py imports these names from here until it moves to handlers/views."""

from handlers.views.labels import district_label, language_label, skill_label, username_label

__all__ = ["district_label", "language_label", "skill_label", "username_label"]
