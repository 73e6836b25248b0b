"""The one place that wires everything: settings in, a running bot out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.areas import load_areas
from bot.config import Settings
from bot.leader import Connect, Leadership, connector
from bot.middlewares import Delivery, InFlight, LocaleMiddleware, UnitOfWork
from bot.notices import load_notices
from bot.replies import ensure_holding
from bot.scheduler import MeetingWatch, create_scheduler, run_due_steps, send_reminders
from bot.sender import OutboxSender, sender_from_settings
from bot.supervise import Running, supervised
from bot.throttle import ChatGate
from db.engine import create_engine, create_session_factory
from db.fsm import DbStorage
from db.migrate import upgrade
from handlers import build_router, warm_up
from handlers.common.errors import failure_calls, slow_down_text
from handlers.views.notices import make_renderer
from matching.areas import Areas
from matching.escalation import Policy
from matching.stats import pseudonym_key
from services.clock import Clock, SystemClock
from services.roles import seed as seed_coordinators
from services.rules import Rules

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # how long shutdown waits for updates still being handled
SENDER_TASK = "outbox-sender"  # the supervised task's name: the health check looks for it


def build_rules(settings: Settings) -> Rules:
    policy = Policy(
        offers_per_round=settings.offers_per_round,
        round_interval_minutes=settings.round_interval_minutes,
        tier0_rounds=settings.tier0_rounds,
        lotse_wait_minutes=settings.lotse_wait_minutes,
        coordinator_repeat_minutes=settings.coordinator_repeat_minutes,
        coordinator_notices=settings.coordinator_notices,
    )
    return Rules(
        policy=policy,
        urgent_factor=settings.urgent_factor,
        default_daily_cap=settings.daily_offer_cap,
        tz=ZoneInfo(settings.timezone),
        coordinators=settings.coordinators,
        coordinator_chat_id=settings.coordinator_chat_id,
        default_locale=settings.default_locale,
        send_max_attempts=settings.send_max_attempts,
        max_open_requests=settings.max_open_requests,
        assignment_reminder_hour=settings.assignment_reminder_hour,
        pseudonym_key=_pseudonym_key(settings),
        keep_closed_days=settings.keep_closed_days,
    )


def _pseudonym_key(settings: Settings) -> bytes:
    configured = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    return pseudonym_key(configured, token)


def create_bot(settings: Settings) -> Bot:
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    if not token:
        raise SystemExit("LOTSE_BOT_TOKEN is not set (see README); `lotse demo` needs no token.")
    session = None
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    ensure_holding(bot)
    return bot


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bot: Bot
    dp: Dispatcher
    i18n: I18n
    sender: OutboxSender
    scheduler: AsyncIOScheduler
    clock: Clock
    rules: Rules
    areas: Areas
    running: Running
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # On PostgreSQL: the election of the one sender among several processes (bot/leader.py).
    leadership: Leadership | None = None

    async def run_due_steps(self) -> int:
        ran = await run_due_steps(sessions=self.sessions, rules=self.rules, clock=self.clock)
        self.wake()
        return ran

    def wake(self) -> None:
        """New outbox rows are due: wake the sender, ours or (standing by) the leader's."""
        (self.leadership or self.sender).wake()


def create_dispatcher(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    rules: Rules,
    areas: Areas,
    i18n: I18n,
    delivery: Delivery,
    running: Running | None = None,
) -> Dispatcher:
    # aiogram's FSM middleware would read the state before our transaction is open; it is
    # registered after the unit of work instead, so the state loads once, in that transaction.
    dp = Dispatcher(
        storage=DbStorage(sessions),
        disable_fsm=True,
        settings=settings,
        clock=clock,
        rules=rules,
        areas=areas,
        description_limit=settings.description_max_chars,
        notices=load_notices(settings.privacy_dir),
    )
    gate = ChatGate(
        burst=settings.flood_burst,
        rate=settings.flood_rate,
        i18n=i18n,
        slow_down=slow_down_text,
        delivery=delivery,
    )
    unit_of_work = UnitOfWork(
        sessions,
        clock,
        delivery,
        i18n=i18n,
        failure=failure_calls,
        ask_consent=settings.privacy_notice,
    )
    in_flight = InFlight(running or Running())
    for middleware in (in_flight, gate, unit_of_work, dp.fsm, LocaleMiddleware(i18n)):
        dp.update.outer_middleware(middleware)
    dp.include_router(build_router())
    return dp


def create_pipeline(
    settings: Settings,
    *,
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    rules: Rules,
    areas: Areas,
    i18n: I18n,
    running: Running | None = None,
    leader: Connect | None = None,
) -> tuple[OutboxSender, Dispatcher, Leadership | None]:
    """The sender, and the dispatcher that hands it each update's answers; with `leader`
    (several processes), through the election of the one sender."""
    sender = sender_from_settings(
        settings,
        bot=bot,
        sessions=sessions,
        render=make_renderer(i18n, areas, rules.tz),
        clock=clock,
        rules=rules,
        available_locales=i18n.available_locales,
    )
    leadership = Leadership(sender, leader) if leader is not None else None
    dp = create_dispatcher(
        settings=settings,
        sessions=sessions,
        clock=clock,
        rules=rules,
        areas=areas,
        i18n=i18n,
        delivery=leadership or sender,
        running=running,
    )
    return sender, dp, leadership


async def create_app(
    settings: Settings, *, clock: Clock | None = None, bot: Bot | None = None
) -> App:
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    rules = build_rules(settings)
    async with sessions() as session, session.begin():
        await seed_coordinators(session, rules.coordinators, now=clock.now())
    running = Running()
    areas = load_areas(settings.areas_file)
    i18n = I18n(path=settings.locales_dir, default_locale=settings.default_locale)
    warm_up(i18n.available_locales)
    bot = bot or create_bot(settings)
    sender, dp, leadership = create_pipeline(
        settings,
        bot=bot,
        sessions=sessions,
        clock=clock,
        rules=rules,
        areas=areas,
        i18n=i18n,
        running=running,
        leader=connector(settings.database_url),
    )
    scheduler = create_scheduler(
        sessions=sessions,
        rules=rules,
        clock=clock,
        poll_seconds=settings.escalation_poll_seconds,
        after_steps=(leadership or sender).wake,
        running=running,
        progress_seconds=settings.broadcast_progress_seconds,
    )
    app = App(
        settings, engine, sessions, bot, dp, i18n, sender, scheduler, clock, rules, areas, running
    )
    app.leadership = leadership
    return app


async def start_background(app: App) -> None:
    """Start the sender and the scheduler; steps that fell due while we were down run now."""
    # One task sends, or (several processes) stands by to send when elected.
    app.tasks.append(supervised(SENDER_TASK, (app.leadership or app.sender).run))
    await app.run_due_steps()
    app.scheduler.start()
    watch = MeetingWatch(app.scheduler, sessions=app.sessions, job=partial(_remind, app))
    await watch.check()
    app.scheduler.add_job(
        watch.check,
        "interval",
        seconds=app.settings.escalation_poll_seconds,
        id="meeting-watch",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )


async def _remind(app: App) -> None:
    """A meeting job: send what is due (the reminder log makes a second run harmless)."""
    if await send_reminders(sessions=app.sessions, rules=app.rules, clock=app.clock):
        app.wake()


async def stop_background(app: App) -> None:
    # No new ticks; updates and ticks still running finish first: answers need the sender, and
    # every connection must be back before the engine closes. (APScheduler's shutdown would
    # cancel a tick under way, and log that as the tick's error.)
    if app.scheduler.running:
        app.scheduler.pause()
    await app.running.wait(DRAIN_SECONDS)
    if app.scheduler.running:
        app.scheduler.shutdown(wait=False)
    await (app.leadership or app.sender).stop()
    for task in app.tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    app.tasks.clear()


async def close(app: App) -> None:
    await stop_background(app)
    await app.bot.session.close()
    await app.engine.dispose()


async def run_polling(app: App) -> None:
    await start_background(app)
    try:
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.dp.start_polling(app.bot, handle_signals=False, close_bot_session=False)
    finally:
        await close(app)
