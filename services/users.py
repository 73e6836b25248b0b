"""Users as Telegram shows them to us."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxMessage, OutboxStatus, User
from matching.text import clean


async def touch_user(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    username: str | None,
    language_code: str | None,
    now: datetime,
) -> User:
    """Create or refresh the user who is acting now. Writing to us proves they are reachable."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, created_at=now, reachable=True)
        session.add(user)
    # Assigning an unchanged value writes nothing: most updates only read this row. What
    # Telegram sends is stored only cleaned (no NUL for PostgreSQL, no lone surrogates for UTF-8)
    # and cut to the columns' lengths.
    user.first_name = clean(first_name)[:128]
    user.username = (clean(username)[:64] or None) if username else None
    user.language_code = (clean(language_code)[:16] or None) if language_code else None
    if not user.reachable:
        user.reachable = True
        user.unreachable_at = None
    return user


async def mark_unreachable(session: AsyncSession, *, user_id: int, now: datetime) -> None:
    """The user blocked the bot or left Telegram: stop sending to them."""
    user = await session.get(User, user_id)
    if user is not None and user.reachable:
        user.reachable = False
        user.unreachable_at = now
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == user_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.UNREACHABLE, last_error="user unreachable")
    )


async def set_locale(session: AsyncSession, *, user_id: int, locale: str) -> None:
    user = await session.get(User, user_id)
    if user is not None:
        user.locale = clean(locale)[:8]


async def first_name(session: AsyncSession, user_id: int) -> str:
    """The name Telegram last gave us for the user; "" if we never saw them."""
    user = await session.get(User, user_id)
    return user.first_name if user is not None and user.first_name else ""
