"""Use cases. Each takes its dependencies keyword-only, changes state, writes the outbox rows the
change causes in the same transaction, and returns an outcome (never text). Services never commit:
the caller's unit of work does."""
