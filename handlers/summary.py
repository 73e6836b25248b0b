"""Temporary: handlers/render.py imports these names from here until it moves to handlers/views."""

from handlers.views.requests import mention, request_summary

__all__ = ["mention", "request_summary"]
