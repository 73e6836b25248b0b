"""Views: all text for people, one module per subject."""
