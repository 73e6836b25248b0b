"""Persistence: models, engine and sessions, repositories, FSM storage, migrations."""
