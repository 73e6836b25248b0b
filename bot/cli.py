"""The command line: `lotse run`, `lotse db upgrade`, `lotse demo`, `lotse i18n ...`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import DEFAULT_LOCALES_DIR, Settings
from matching.locales import CODES

ROOT = DEFAULT_LOCALES_DIR.parent
# The same as the Makefile's `extract` (tests/unit/test_catalogs.py reads the Makefile's).
CODE = ("bot", "handlers", "matching", "services", "db")
KEYWORDS = ("_", "__", "N_", "ngettext:1,2", "lazy_gettext")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lotse", description="Lotse: help requests meet volunteers"
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (polling or webhook, from the settings)")
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
    args = parser.parse_args(argv)
    if args.command == "i18n":
        if args.action == "init" and not args.lang:
            parser.error("lotse i18n init needs a language, e.g. `lotse i18n init tr`")
        return catalogs(args.action, args.lang)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "demo":
        from bot.demo import play

        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(play(args.scene, out=lambda line: print(line, flush=True)))
        return 0
    settings = Settings()
    if args.command == "db" and args.action == "backup":
        return _backup(settings, args.file) if args.file else parser.exit(2, BACKUP_USAGE)
    if args.command == "db":
        asyncio.run(_upgrade(settings))
        return 0
    from bot.run import serve

    asyncio.run(serve(settings))
    return 0


async def _upgrade(settings: Settings) -> None:
    from db.engine import create_engine
    from db.migrate import upgrade

    engine = create_engine(settings.database_url)
    await upgrade(engine)
    await engine.dispose()
    print("database is up to date")


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
