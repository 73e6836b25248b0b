"""`lotse i18n`: the pybabel steps a translator runs, on a copy of the catalogs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.pofile import read_po

from bot.cli import CODE, ROOT, catalogs, main


def copy_of_the_project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    for package in CODE:
        (tmp_path / package).symlink_to(ROOT / package)
    return tmp_path


def test_a_new_language_is_offered_when_its_catalog_is_initialised_and_compiled(
    tmp_path: Path,
) -> None:
    root = copy_of_the_project(tmp_path)
    assert catalogs("extract", root=root) == 0
    assert catalogs("update", root=root) == 0
    assert catalogs("init", "tr", root=root) == 0
    assert catalogs("compile", root=root) == 0
    with (root / "locales/tr/LC_MESSAGES/messages.po").open("rb") as f:
        new = read_po(f)
    assert any(m.id == "Choose your language:" for m in new)
    i18n = I18n(path=root / "locales", default_locale="de")
    assert {"de", "en", "tr"} <= set(i18n.available_locales)


def test_init_is_refused_when_no_language_is_given() -> None:
    with pytest.raises(SystemExit) as refused:
        main(["i18n", "init"])
    assert refused.value.code == 2
