"""Packaging beyond pyproject.toml: the wheel carries the compiled translation catalogs.

The sources (locales/*/LC_MESSAGES/messages.po) stay at the top of the repository; building
compiles each into bot/locales/<lang>/LC_MESSAGES/messages.mo inside the wheel, where
bot/config.py finds them with importlib.resources. An editable install reads locales/ itself."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

SOURCES = Path(__file__).resolve().parent / "locales"


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for po in sorted(SOURCES.glob("*/LC_MESSAGES/messages.po")):
            mo = Path(self.build_lib, "bot", "locales", po.relative_to(SOURCES)).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[-3])
            with mo.open("wb") as target:
                write_mo(target, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
