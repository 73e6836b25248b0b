"""Logs carry ids and reference numbers, never what people wrote: a database error's bound
parameters (a name, a phone number) stay out of the log."""

from __future__ import annotations

import logging

import pytest
from aiogram import Router
from aiogram.types import Message
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from services.clock import FrozenClock
from tests.bot.harness import Harness

SEEKER = 501
FAMILY_NAME, PHONE = "Mustermann-Yilmaz", "+4917012345678"


def failing_router(clock: FrozenClock) -> Router:
    """A handler that breaks a key with personal data in the statement's parameters, the way a
    handler bug would. (Edited messages: nothing else in the bot takes them.)"""
    router = Router(name="failing")

    @router.edited_message()
    async def insert_twice(message: Message, session: AsyncSession) -> None:
        assert message.from_user is not None
        await session.execute(
            insert(User).values(
                id=message.from_user.id,  # exists already: touch_user wrote it
                first_name=FAMILY_NAME,
                username=PHONE,
                created_at=clock.now(),
            )
        )

    return router


async def test_database_error_is_logged_without_its_parameters_when_a_handler_fails(
    harness: Harness, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    harness.dp.include_router(failing_router(clock))
    update = harness.message_update(SEEKER, {"text": "hello", "edit_date": 1})
    update["edited_message"] = update.pop("message")
    # The level the bot logs at (bot/cli.py). Below it, aiosqlite's DEBUG lines carry every
    # statement with its parameters: never run a deployment at DEBUG.
    with caplog.at_level(logging.INFO):
        await harness.feed(update)
    failures = [r for r in caplog.records if r.exc_info]
    assert failures, "the handler's IntegrityError was not logged"
    assert "IntegrityError" in caplog.text and f"update {update['update_id']}" in caplog.text
    assert FAMILY_NAME not in caplog.text and PHONE not in caplog.text
    for record in caplog.records:
        assert FAMILY_NAME not in record.getMessage() and PHONE not in record.getMessage()
