"""The command line: `lotse run`, `lotse db upgrade`, `lotse demo`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lotse", description="Lotse: help requests meet volunteers"
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (polling or webhook, from the settings)")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    demo = commands.add_parser("demo", help="play a scene offline against a local emulator")
    demo.add_argument("--scene", choices=["basic", "escalation"], default="basic")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "demo":
        from bot.demo import play

        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(play(args.scene, out=lambda line: print(line, flush=True)))
        return 0
    settings = Settings()
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


if __name__ == "__main__":
    sys.exit(main())
