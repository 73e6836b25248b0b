"""Coordinators and requests: /open, /request, /escalate, /assign. Guarded by the middleware in
handlers.coordinator."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, User, Volunteer
from handlers.coordinator_views import (
    assigned_list,
    open_list,
    parse_who,
    refusal,
    request_card,
    request_keyboard,
    tier_label,
    who_label,
)
from handlers.summary import mention
from matching.areas import Areas
from matching.status import RequestStatus
from matching.text import isolate
from services.clock import Clock
from services.coordination import (
    Outcome,
    assign_request,
    escalate_now,
)
from services.coordination_queries import history, requests_in_progress
from services.requests import find_by_ref
from services.rules import Rules
from services.volunteers import find_volunteer

router = Router(name="coordinator_requests")
LIST_MAX = 30  # lines per list: keeps a message well under Telegram's 4096 characters


async def request_named(
    message: Message, ref: str | None, session: AsyncSession, usage: str
) -> HelpRequest | None:
    """The request a command names, or None after telling the coordinator what is wrong."""
    if not ref or not ref.strip():
        await message.answer(usage)
        return None
    request = await find_by_ref(session, ref)
    if request is None:
        shown = isolate(escape(ref.strip().upper()[:20]))
        await message.answer(_("There is no request {ref}.").format(ref=shown))
    return request


async def volunteer_named(
    message: Message, who_text: str | None, command: str, session: AsyncSession
) -> Volunteer | None:
    """The volunteer a command names, or None after telling the coordinator what is wrong."""
    who = parse_who(who_text)
    if who is None:
        await message.answer(
            _(
                "Please name the volunteer by Telegram id or @username, for example "
                "/{command} @anna or /{command} 123456789."
            ).format(command=command)
        )
        return None
    volunteer = await find_volunteer(session, who)
    if volunteer is None:
        await message.answer(_("There is no volunteer {who}.").format(who=who_label(who)))
    return volunteer


@router.message(Command("open"))
async def cmd_open(
    message: Message, session: AsyncSession, clock: Clock, areas: Areas, rules: Rules, i18n: I18n
) -> None:
    now, locale = clock.now(), i18n.current_locale
    waiting = await requests_in_progress(session, RequestStatus.OPEN, limit=LIST_MAX)
    await message.answer(open_list(waiting, areas, now, locale, rules.tz))
    taken = await requests_in_progress(session, RequestStatus.ASSIGNED, limit=LIST_MAX)
    if taken:
        await message.answer(assigned_list(taken, areas, now, locale))


@router.message(Command("request"))
async def cmd_request(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    clock: Clock,
    areas: Areas,
    rules: Rules,
    i18n: I18n,
) -> None:
    usage = _("Which request? For example: /request K7M2QP")
    request = await request_named(message, command.args, session, usage)
    if request is None:
        return
    events = await history(session, request.id)
    assignee = await session.get(User, request.assignee_id) if request.assignee_id else None
    text = request_card(
        request,
        events,
        assignee.first_name if assignee else None,
        areas=areas,
        now=clock.now(),
        locale=i18n.current_locale,
        tz=rules.tz,
    )
    await message.answer(text, reply_markup=request_keyboard(request))


@router.message(Command("escalate"))
async def cmd_escalate(
    message: Message, command: CommandObject, session: AsyncSession, clock: Clock, rules: Rules
) -> None:
    assert message.from_user is not None
    usage = _("Which request? For example: /escalate K7M2QP")
    request = await request_named(message, command.args, session, usage)
    if request is None:
        return
    done = await escalate_now(
        session,
        request_id=request.id,
        coordinator_id=message.from_user.id,
        rules=rules,
        now=clock.now(),
    )
    if done.outcome is not Outcome.ESCALATED or done.request is None:
        await message.answer(refusal(done.outcome))
        return
    await message.answer(
        _("⏩ Request {ref} moved on: now at {tier}.").format(
            ref=isolate(request.ref), tier=tier_label(done.request.tier)
        )
    )


@router.message(Command("assign"))
async def cmd_assign(
    message: Message, command: CommandObject, session: AsyncSession, clock: Clock
) -> None:
    assert message.from_user is not None
    args = (command.args or "").split()
    usage = _("Which request, and to whom? For example: /assign K7M2QP @anna")
    if len(args) != 2:
        await message.answer(usage)
        return
    request = await request_named(message, args[0], session, usage)
    volunteer = await volunteer_named(message, args[1], "assign", session) if request else None
    if request is None or volunteer is None:
        return
    done = await assign_request(
        session,
        request_id=request.id,
        volunteer_id=volunteer.user_id,
        coordinator_id=message.from_user.id,
        now=clock.now(),
    )
    if done.outcome is not Outcome.ASSIGNED:
        await message.answer(refusal(done.outcome))
        return
    text = _("✅ Request {ref} is assigned to {volunteer}. Both have been told.")
    await message.answer(
        text.format(
            ref=isolate(request.ref), volunteer=await user_mention(session, volunteer.user_id)
        )
    )


async def user_mention(session: AsyncSession, user_id: int) -> str:
    user = await session.get(User, user_id)
    return mention(user_id, user.first_name if user else "")
