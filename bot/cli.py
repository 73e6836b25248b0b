"""The command line: `lotse run`, `lotse check`, `lotse db upgrade|backup`, `lotse demo`,
`lotse i18n ...`. Start-up problems are one line each and exit code 2 (bot/startup.py)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.logs import setup_logging
from bot.startup import Problem, load_settings, preflight, run_checks
from matching.locales import CODES

# A source checkout: where `lotse i18n` finds the catalogs, babel.cfg and the code.
ROOT = Path(__file__).resolve().parent.parent
# The same as the Makefile's `extract` (tests/unit/test_catalogs.py reads the Makefile's).
CODE = ("bot", "handlers", "matching", "services", "db")
KEYWORDS = ("_", "__", "N_", "ngettext:1,2", "lazy_gettext")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lotse", description="Lotse: help requests meet volunteers"
    )
    parser.add_argument("--version", action="version", version=f"lotse {_version()}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (polling or webhook, from the settings)")
    check = commands.add_parser(
        "check", help="check the settings, the token, the database and the coordinators"
    )
    check.add_argument("--offline", action="store_true", help="without asking Telegram")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade", "backup"])
    db.add_argument("file", nargs="?", type=Path, help="for backup: where the copy goes")
    demo = commands.add_parser("demo", help="play a scene offline against a local emulator")
    demo.add_argument(
        "--scene",
        choices=["basic", "escalation", "multilingual", "meeting", "console"],
        default="basic",
    )
    i18n = commands.add_parser("i18n", help="the translation catalogs (see docs/TRANSLATING.md)")
    i18n.add_argument("action", choices=["extract", "update", "compile", "init"])
    i18n.add_argument("lang", nargs="?", choices=CODES, help="for init: the new language")
    return parser


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if args.command is None:  # nothing starts unless asked for
        cli.print_help()
        return 2
    if args.command == "i18n":
        if args.action == "init" and not args.lang:
            cli.error("lotse i18n init needs a language, e.g. `lotse i18n init tr`")
        return catalogs(args.action, args.lang)
    if args.command == "db" and args.action == "backup" and args.file is None:
        cli.exit(2, BACKUP_USAGE)
    if args.command == "demo":
        from bot.demo import play

        setup_logging("WARNING")
        asyncio.run(play(args.scene, out=lambda line: print(line, flush=True)))
        return 0
    try:
        settings = load_settings()
        setup_logging(settings.log_level, settings.log_format)
        return asyncio.run(COMMANDS[args.command](settings, args))
    except Problem as problem:
        for line in problem.lines:
            print(line, file=sys.stderr)
        return 2


async def _run(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.run import serve

    me = await preflight(settings)
    logging.getLogger(__name__).info("starting as @%s (id %s)", me.username, me.id)
    await serve(settings)
    return 0


async def _check(settings: Settings, args: argparse.Namespace) -> int:
    fine = await run_checks(settings, offline=args.offline, out=print)
    return 0 if fine else 1


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "backup":
        return _backup(settings, args.file)
    return await _upgrade(settings, args)


BACKUP_USAGE = "lotse db backup needs a file, e.g. `lotse db backup /data/backup.db`\n"


def _backup(settings: Settings, target: Path) -> int:
    from db.backup import BackupRefused, backup

    try:
        source = backup(settings.database_url, target)
    except BackupRefused as refused:
        print(f"lotse db backup: {refused}", file=sys.stderr)
        return 1
    print(f"backed up {source} to {target}")
    return 0


async def _upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from db.engine import create_engine
    from db.migrate import upgrade

    engine = create_engine(settings.database_url)
    await upgrade(engine)
    await engine.dispose()
    print("database is up to date")
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "run": _run,
    "check": _check,
    "db": _db,
}


def _version() -> str:
    try:
        return version("lotse")
    except PackageNotFoundError:
        return "unknown"


def catalogs(action: str, lang: str | None = None, root: Path = ROOT) -> int:
    """One pybabel step on the catalogs under `root`: extract the template from the code,
    update every catalog from it, compile them all, or init a new language's catalog."""
    from babel.messages.frontend import CommandLineInterface

    locales = root / "locales"
    pot = str(locales / "messages.pot")
    domain = ["-d", str(locales), "-D", "messages"]
    steps = {
        "extract": [
            *("-F", str(root / "babel.cfg")),
            *(arg for keyword in KEYWORDS for arg in ("-k", keyword)),
            *("--no-location", "--sort-output", "--project=lotse", "--copyright-holder=Lotse"),
            *("-o", pot),
            *(str(root / package) for package in CODE),
        ],
        "update": ["-i", pot, *domain, "--no-fuzzy-matching", "--ignore-obsolete"],
        "compile": [*domain, "--statistics"],
        "init": ["-i", pot, *domain, "-l", lang or ""],
    }
    cli = CommandLineInterface()
    argv = ["pybabel", action, *steps[action]]
    return int(cli.run(argv) or 0)  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    sys.exit(main())
