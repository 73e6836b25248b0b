"""Coordinators and requests: /open, /request, /escalate, /assign."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.coordinator.args import request_named, user_mention, volunteer_named
from handlers.views.console import assigned_list, open_list, request_card, request_keyboard
from handlers.views.labels import label, tier_label
from matching.areas import Areas
from matching.status import RequestStatus
from matching.text import isolate
from services.clock import Clock
from services.coordination import Outcome, assign_request, escalate_now
from services.coordination_queries import history, requests_in_progress
from services.rules import Rules
from services.session import Session
from services.users import first_name

LIST_MAX = 30  # lines per list: keeps a message well under Telegram's 4096 characters


async def cmd_open(
    message: Message, session: Session, clock: Clock, areas: Areas, rules: Rules, i18n: I18n
) -> None:
    now, locale = clock.now(), i18n.current_locale
    waiting = await requests_in_progress(session, RequestStatus.OPEN, limit=LIST_MAX)
    await message.answer(open_list(waiting, areas, now, locale, rules.tz))
    taken = await requests_in_progress(session, RequestStatus.ASSIGNED, limit=LIST_MAX)
    if taken:
        await message.answer(assigned_list(taken, areas, now, locale))


async def cmd_request(
    message: Message,
    command: CommandObject,
    session: Session,
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
    assignee = await first_name(session, request.assignee_id) if request.assignee_id else None
    text = request_card(
        request,
        events,
        assignee,
        areas=areas,
        now=clock.now(),
        locale=i18n.current_locale,
        tz=rules.tz,
    )
    await message.answer(text, reply_markup=request_keyboard(request))


async def cmd_escalate(
    message: Message, command: CommandObject, session: Session, clock: Clock, rules: Rules
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
        await message.answer(label(done.outcome))
        return
    await message.answer(
        _("⏩ Request {ref} moved on. It is now at {tier}.").format(
            ref=isolate(request.ref), tier=tier_label(done.request.tier)
        )
    )


async def cmd_assign(
    message: Message, command: CommandObject, session: Session, clock: Clock
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
        await message.answer(label(done.outcome))
        return
    text = _("✅ Request {ref} is assigned to {volunteer}. Both have been told.")
    who = await user_mention(session, volunteer.user_id)
    await message.answer(text.format(ref=isolate(request.ref), volunteer=who))


def router() -> Router:
    r = Router(name="coordinator.requests")
    r.message.register(cmd_open, Command("open"))
    r.message.register(cmd_request, Command("request"))
    r.message.register(cmd_escalate, Command("escalate"))
    r.message.register(cmd_assign, Command("assign"))
    return r
