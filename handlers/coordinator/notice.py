"""The buttons of the escalation notice (and of /request): Assign, Extend, Close. Each is claimed
once in the services; the loser hears that it was already handled."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from db.models import HelpRequest
from handlers.callbacks import EscAction, EscCb
from handlers.coordinator.args import user_mention
from handlers.views.console import (
    CLOSE_REASONS,
    assign_hint,
    assign_keyboard,
    close_keyboard,
    request_keyboard,
)
from handlers.views.labels import label
from handlers.views.requests import mention
from matching.status import RequestStatus
from matching.text import isolate
from services.clock import Clock
from services.coordination import (
    Outcome,
    assign_request,
    close_request,
    extend_request,
    why_not_open,
)
from services.coordination_queries import assignable
from services.request_queries import get_request
from services.rules import Rules
from services.session import Session


async def _open(query: CallbackQuery, session: Session, request_id: int) -> HelpRequest | None:
    request = await get_request(session, request_id)
    if request is None or request.status is not RequestStatus.OPEN:
        outcome = Outcome.NOT_FOUND if request is None else why_not_open(request)
        await query.answer(label(outcome), show_alert=True)
        return None
    return request


async def _keyboard(query: CallbackQuery, keyboard: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=keyboard)


async def _settle(query: CallbackQuery, line: str) -> None:
    """Say on the notice who did what, and take its buttons away."""
    if isinstance(query.message, Message):
        old = query.message.html_text
        text = f"{old}\n\n{line}" if len(old) + len(line) < 4000 else line
        await query.message.edit_text(text, reply_markup=None)
    await query.answer()


def _by(query: CallbackQuery) -> str:
    return mention(query.from_user.id, query.from_user.first_name)


async def on_assign(
    query: CallbackQuery, callback_data: EscCb, session: Session, clock: Clock, rules: Rules
) -> None:
    request = await _open(query, session, callback_data.request_id)
    if request is None:
        return
    people = await assignable(session, request, now=clock.now(), tz=rules.tz)
    if not people:
        await query.answer(_("No approved volunteer offers this topic."), show_alert=True)
        return
    await _keyboard(query, assign_keyboard(request.id, people))
    await query.answer(assign_hint())


async def on_pick(
    query: CallbackQuery, callback_data: EscCb, session: Session, clock: Clock
) -> None:
    done = await assign_request(
        session,
        request_id=callback_data.request_id,
        volunteer_id=callback_data.value,
        coordinator_id=query.from_user.id,
        now=clock.now(),
    )
    if done.outcome is not Outcome.ASSIGNED or done.request is None:
        await query.answer(label(done.outcome), show_alert=True)
        return
    line = _("✅ {coordinator} assigned request {ref} to {volunteer}.").format(
        coordinator=_by(query),
        ref=isolate(done.request.ref),
        volunteer=await user_mention(session, callback_data.value),
    )
    await _settle(query, line)


async def on_extend(
    query: CallbackQuery, callback_data: EscCb, session: Session, clock: Clock, rules: Rules
) -> None:
    done = await extend_request(
        session,
        request_id=callback_data.request_id,
        coordinator_id=query.from_user.id,
        rules=rules,
        now=clock.now(),
    )
    if done.outcome is not Outcome.EXTENDED or done.request is None:
        await query.answer(label(done.outcome), show_alert=True)
        return
    line = _("⏳ {coordinator} extended request {ref}. The Lotsen are asked once more.")
    await _settle(query, line.format(coordinator=_by(query), ref=isolate(done.request.ref)))


async def on_close(query: CallbackQuery, callback_data: EscCb, session: Session) -> None:
    request = await _open(query, session, callback_data.request_id)
    if request is None:
        return
    await _keyboard(query, close_keyboard(request.id))
    await query.answer(_("Why do you close it? We will tell the person who asked in a kind way."))


async def on_reason(
    query: CallbackQuery, callback_data: EscCb, session: Session, clock: Clock
) -> None:
    if not 0 <= callback_data.value < len(CLOSE_REASONS):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    reason = CLOSE_REASONS[callback_data.value]
    done = await close_request(
        session,
        request_id=callback_data.request_id,
        coordinator_id=query.from_user.id,
        reason=reason,
        now=clock.now(),
    )
    if done.outcome is not Outcome.CLOSED or done.request is None:
        await query.answer(label(done.outcome), show_alert=True)
        return
    line = _("✖ {coordinator} closed request {ref}: {reason}.").format(
        coordinator=_by(query), ref=isolate(done.request.ref), reason=escape(label(reason))
    )
    await _settle(query, line)


async def on_back(query: CallbackQuery, callback_data: EscCb, session: Session) -> None:
    request = await _open(query, session, callback_data.request_id)
    if request is None:
        return
    await _keyboard(query, request_keyboard(request))
    await query.answer()


def router() -> Router:
    r = Router(name="coordinator.notice")
    for action, handler in (
        (EscAction.ASSIGN, on_assign),
        (EscAction.PICK, on_pick),
        (EscAction.EXTEND, on_extend),
        (EscAction.CLOSE, on_close),
        (EscAction.REASON, on_reason),
        (EscAction.BACK, on_back),
    ):
        r.callback_query.register(handler, EscCb.filter(F.action == action))
    return r
