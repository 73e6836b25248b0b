"""Every column whose name or type suggests a person is declared: personal, or not personal.
A table added later cannot forget it: this test walks the whole metadata."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import JSON, Column

from db.models import Base
from db.privacy import Kind, kind_of

SUSPECT_NAMES = re.compile(
    r"(^|_)(user|volunteer|seeker|person|actor|assignee|chat|coordinator|member|target_user)_id$"
    r"|_by$|^(first_name|last_name|username|name|description|text|payload|data|detail|title"
    r"|place|key|dedupe_key|close_reason|last_error|note|comment|reason|message)$"
)


def _refers_to_users(column: Column[Any]) -> bool:
    return any(fk.column.table.name == "users" for fk in column.foreign_keys)


def suspects() -> list[Column[Any]]:
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if SUSPECT_NAMES.search(column.name)
        or _refers_to_users(column)
        or isinstance(column.type, JSON)
    ]


@pytest.mark.parametrize("column", suspects(), ids=lambda c: f"{c.table.name}.{c.name}")
def test_column_is_declared_when_its_name_suggests_a_person(column: Column[Any]) -> None:
    assert kind_of(column) is not None, (
        f"{column.table.name}.{column.name}: declare it with db.privacy.personal(...) "
        "or not_personal()"
    )


def test_every_table_with_people_has_an_id_column_marked() -> None:
    people_tables = {c.table.name for c in suspects() if kind_of(c) is not Kind.NONE}
    for table in Base.metadata.sorted_tables:
        if table.name in people_tables and table.name != "fsm_state":
            assert any(kind_of(c) is Kind.ID for c in table.columns), table.name


def test_owner_of_a_text_is_an_id_column_of_its_table() -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            owner = column.info.get("owner")
            if owner:
                assert kind_of(table.columns[owner]) is Kind.ID
