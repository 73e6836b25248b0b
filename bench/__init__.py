"""Benchmarks that print one JSON line each. Run them from the repository root:
`.venv/bin/python -m bench.<name>` (or `make bench` for all)."""
