"""Data protection: personal data found through the marks on the columns (db/privacy.py) to
show it to its person (mydata), erase it (forget), keep it no longer than needed (retention),
and count it for the coordinators (report)."""
