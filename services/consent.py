"""A person's answer to the privacy notice. Until they agree, nothing about them is stored: not
their name, not their language, not what they write. Declining stores the refusal alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.consent_models import ConsentRow
from db.dialect import insert_for
from db.models import User
from matching.status import Consent
from services.privacy.forget import erase_person
from services.rules import Rules
from services.users import set_locale, touch_user


async def consent_of(session: AsyncSession, user_id: int) -> Consent | None:
    row = await session.get(ConsentRow, user_id)
    return row.choice if row is not None else None


async def _choose(session: AsyncSession, user_id: int, choice: Consent, now: datetime) -> None:
    """Insert or change the person's answer (two taps at once: one insert, then an update)."""
    statement = insert_for(session, ConsentRow).values(user_id=user_id, choice=choice, at=now)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"choice": choice, "at": now}
        )
    )


async def agree(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    username: str | None,
    language_code: str | None,
    locale: str | None,
    now: datetime,
) -> User:
    """They agreed: from now on the bot keeps what it needs, starting with who they are and,
    if they chose one on the notice, their language."""
    await _choose(session, user_id, Consent.AGREED, now)
    user = await touch_user(
        session,
        user_id=user_id,
        first_name=first_name,
        username=username,
        language_code=language_code,
        now=now,
    )
    if locale is not None:
        await set_locale(session, user_id=user_id, locale=locale)
    return user


async def decline(session: AsyncSession, *, user_id: int, rules: Rules, now: datetime) -> None:
    """They declined: their refusal is all that stays. Somebody who used the bot before the
    notice existed (a row but no answer) is erased first, as /forget would."""
    if await session.get(User, user_id) is not None:
        await erase_person(session, user_id=user_id, rules=rules, now=now)
    await _choose(session, user_id, Consent.DECLINED, now)
