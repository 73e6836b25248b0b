"""The pure domain: eligibility, ranking, the escalation policy. No I/O, no aiogram, no SQL."""
