"""/stats (figures and charts) and /export (a workbook and a CSV) for a period: this week,
last month, this year, last year, or dates typed after the command (01.01.2026–31.01.2026).
The files are drawn and sent after the commit, after the answers (bot/replies.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import ReportCb, ReportKind
from handlers.views import charts, reports
from handlers.views.document import MadeWhenSent
from matching.areas import Areas
from matching.stats import Period, PeriodKind, parse_period, period_of
from services.clock import Clock
from services.rules import Rules
from services.session import Session
from services.stats import activity, request_rows, statistics

COMMANDS = {ReportKind.STATS: "stats", ReportKind.EXPORT: "export"}
REPORTS = {command: report for report, command in COMMANDS.items()}


def period_keyboard(report: ReportKind) -> InlineKeyboardMarkup:
    words = {
        PeriodKind.THIS_WEEK: _("This week"),
        PeriodKind.LAST_MONTH: _("Last month"),
        PeriodKind.THIS_YEAR: _("This year"),
        PeriodKind.LAST_YEAR: _("Last year"),
    }
    builder = InlineKeyboardBuilder()
    for kind, word in words.items():
        builder.button(text=word, callback_data=ReportCb(report=report, period=kind))
    builder.button(text=_("Other dates"), callback_data=ReportCb(report=report))
    builder.adjust(2)
    return builder.as_markup()


def _example(report: ReportKind) -> str:
    return _(
        "Type the dates after the command, for example: /{command} 01.01.2026–31.01.2026"
    ).format(command=COMMANDS[report])


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a report needs from the update."""

    bot: Bot
    session: Session
    rules: Rules
    areas: Areas
    locale: str


async def _command(report: ReportKind, message: Message, command: CommandObject, ctx: Ctx) -> None:
    if not command.args:
        await message.answer(_("Which period?"), reply_markup=period_keyboard(report))
        return
    period = parse_period(command.args)
    if period is None:
        await message.answer(_("Those dates are not valid.") + "\n" + _example(report))
        return
    await _report(report, period, message.chat.id, ctx)


async def cmd_report(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: Session,
    rules: Rules,
    areas: Areas,
    i18n: I18n,
) -> None:
    """/stats or /export."""
    ctx = Ctx(bot, session, rules, areas, i18n.current_locale)
    await _command(REPORTS[command.command], message, command, ctx)


async def on_period(
    query: CallbackQuery,
    callback_data: ReportCb,
    clock: Clock,
    bot: Bot,
    session: Session,
    rules: Rules,
    areas: Areas,
    i18n: I18n,
) -> None:
    await query.answer()
    if query.message is None:
        return
    if callback_data.period is None:
        await query.message.answer(_example(callback_data.report))
        return
    period = period_of(callback_data.period, clock.now().astimezone(rules.tz).date())
    ctx = Ctx(bot, session, rules, areas, i18n.current_locale)
    await _report(callback_data.report, period, query.message.chat.id, ctx)


async def _report(report: ReportKind, period: Period, chat_id: int, ctx: Ctx) -> None:
    await ctx.bot.send_message(chat_id, _("Working on it…"))
    if report is ReportKind.STATS:
        await _send_stats(chat_id, period, ctx)
    else:
        await _send_export(chat_id, period, ctx)


async def _send_stats(chat_id: int, period: Period, ctx: Ctx) -> None:
    stats = await statistics(ctx.session, period=period, tz=ctx.rules.tz)
    await ctx.bot.send_message(chat_id, reports.stats_text(stats, ctx.locale))
    for chart in charts.charts(stats, ctx.areas, ctx.locale):
        photo = MadeWhenSent(partial(charts.render, chart), chart.filename)
        await ctx.bot.send_photo(chat_id, photo, caption=chart.title)


async def _send_export(chat_id: int, period: Period, ctx: Ctx) -> None:
    tz = ctx.rules.tz
    rows = await request_rows(ctx.session, period=period, tz=tz)
    stats = await statistics(ctx.session, period=period, tz=tz, rows=rows)
    people = await activity(ctx.session, period=period, tz=tz, key=ctx.rules.pseudonym_key)
    book = partial(reports.workbook, stats, rows, people, ctx.areas, tz)
    name = f"lotse-{period.first.isoformat()}-{period.last.isoformat()}"
    await ctx.bot.send_document(chat_id, MadeWhenSent(book, f"{name}.xlsx"))
    table = partial(reports.requests_csv, rows, ctx.areas, tz)
    await ctx.bot.send_document(chat_id, MadeWhenSent(table, f"{name}.csv"))


def router() -> Router:
    r = Router(name="coordinator_stats")
    r.message.register(cmd_report, Command(*REPORTS))
    r.callback_query.register(on_period, ReportCb.filter(F.report.in_(set(ReportKind))))
    return r
