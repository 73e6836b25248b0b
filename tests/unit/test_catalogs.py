"""Every gettext catalog is complete and safe to format: each msgid of the template is translated
(not fuzzy), keeps the msgid's {placeholders}, HTML tags and /commands, and has as many plural
forms as Babel defines for the language. The template itself must match the source code, and the
compiled catalogs must load through aiogram's I18n and say what the .po files say.

Run via `make test` (it compiles the .mo files first); when running pytest directly, compile
first: `.venv/bin/pybabel compile -d locales -D messages`.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from gettext import c2py
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n, gettext
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from matching.locales import CODES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"
# The seven, named: a missing catalog fails here, not by being quietly skipped.
LANGS = ["de", "en", "uk", "ru", "ar", "fa", "tr"]
CATALOGS = [LOCALES / lang / "LC_MESSAGES" / "messages.po" for lang in LANGS]

TAG = re.compile(r"</?[a-z-]+")
COMMAND = re.compile(r"(?<![\w</:.])/[a-z_]+")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, abort_invalid=True)


def key(message: Message) -> tuple[str, str | None]:
    return forms(message.id)[0], message.context


def entries(catalog: Catalog) -> dict[tuple[str, str | None], Message]:
    return {key(m): m for m in catalog if m.id}


def forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    """A message's id or string as a list: one item, or one per plural form."""
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


def placeholders(text: str) -> set[tuple[str, str | None, str | None]]:
    return {
        (name, conversion, spec)
        for _, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    }


def tags(text: str) -> Counter[str]:
    return Counter(TAG.findall(text))


def commands(text: str) -> Counter[str]:
    return Counter(COMMAND.findall(text))


def counterparts(message: Message) -> list[tuple[str, str]]:
    """Pairs (source, translation) to compare. A plural translation with English's two forms
    maps form to form; with any other number of forms each one follows msgid_plural."""
    sources, translations = forms(message.id), forms(message.string)
    if len(translations) != len(sources) and len(sources) > 1:
        sources = [sources[-1]] * len(translations)
    return list(zip(sources, translations, strict=True))


@pytest.fixture(scope="module")
def template() -> dict[tuple[str, str | None], Message]:
    return entries(read(TEMPLATE))


def test_the_seven_catalogs_exist_and_no_other() -> None:
    present = sorted(po.parents[1].name for po in LOCALES.glob("*/LC_MESSAGES/messages.po"))
    assert present == sorted(LANGS)
    assert tuple(LANGS) == CODES, "the catalogs are the languages the bot offers, in its order"


def test_template_matches_the_source_code() -> None:
    """`make extract` has been run since the last change to a translatable string."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    code = re.search(r"^CODE\s*:=\s*(.+)$", makefile, re.MULTILINE)
    keyword_specs = re.findall(r"-k\s+(\S+)", makefile)
    assert code and keyword_specs, "Makefile no longer names CODE and -k keywords"
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(keyword_specs)}
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    in_code: set[tuple[str, str | None]] = set()
    for directory in code.group(1).split():
        for _, _, message, _, context in extract_from_dir(
            ROOT / directory, method_map, options_map, keywords=keywords
        ):
            msgid = message if isinstance(message, str) else message[0]
            in_code.add((msgid, context))
    in_template = set(entries(read(TEMPLATE)))
    assert in_code - in_template == set(), "not in messages.pot: run `make extract`"
    assert in_template - in_code == set(), "no longer in the code: run `make extract`"


@pytest.mark.parametrize("lang", LANGS)
def test_header_has_babels_plural_forms(lang: str) -> None:
    po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    catalog = read(po)
    assert str(catalog.locale) == str(Locale.parse(lang)), "Language header != directory"
    # Read from the header itself (however a tool wrapped it), not from Babel's defaults.
    assert catalog.plural_forms == get_plural(lang).plural_forms


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete_and_safe(
    lang: str, template: dict[tuple[str, str | None], Message]
) -> None:
    catalog = entries(read(LOCALES / lang / "LC_MESSAGES" / "messages.po", locale=lang))
    num_plurals = get_plural(lang).num_plurals
    problems: list[str] = []
    for k, source in template.items():
        message = catalog.get(k)
        if message is None:
            problems.append(f"missing: {k[0]!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {k[0]!r}")
        if source.pluralizable != message.pluralizable or forms(source.id) != forms(message.id):
            problems.append(f"plural msgid differs from the template: {k[0]!r}")
            continue
        translations = forms(message.string)
        if not all(translations):
            problems.append(f"untranslated: {k[0]!r}")
            continue
        if message.pluralizable and len(translations) != num_plurals:
            problems.append(f"{len(translations)} plural forms, want {num_plurals}: {k[0]!r}")
            continue
        for msgid, msgstr in counterparts(message):
            try:
                if placeholders(msgstr) != placeholders(msgid):
                    problems.append(f"placeholders differ: {msgid!r} -> {msgstr!r}")
            except ValueError as e:
                problems.append(f"bad braces ({e}): {msgid!r} -> {msgstr!r}")
            if tags(msgstr) != tags(msgid):
                problems.append(f"HTML tags differ: {msgid!r} -> {msgstr!r}")
            if commands(msgstr) != commands(msgid):
                problems.append(f"/commands differ: {msgid!r} -> {msgstr!r}")
    assert not problems, f"{lang}: {len(problems)} problem(s):\n" + "\n".join(problems)


def test_compiled_german_catalog_renders_through_aiogram() -> None:
    i18n = I18n(path=LOCALES, default_locale="de")
    with i18n.context(), i18n.use_locale("de"):
        assert gettext("Cancel") == "Abbrechen"
        assert gettext("Request {ref} is no longer needed.").format(ref="A-7") == (
            "Anfrage A-7 wird nicht mehr gebraucht."
        )
    with i18n.context(), i18n.use_locale("en"):
        assert gettext("Cancel") == "Cancel"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalog_is_up_to_date(lang: str) -> None:
    """The .mo says what the .po says (else: `make locales`)."""
    i18n = I18n(path=LOCALES, default_locale="de")
    catalog = read(LOCALES / lang / "LC_MESSAGES" / "messages.po", locale=lang)
    plural_index = c2py(catalog.plural_expr)
    stale = []
    for message in catalog:
        if not message.id or message.context:
            continue
        ids, strings = forms(message.id), forms(message.string)
        if message.pluralizable:
            for n in (0, 1, 2, 5, 21):
                rendered = i18n.gettext(ids[0], ids[1], n, locale=lang)
                if rendered != strings[plural_index(n)]:
                    stale.append(ids[0])
        elif i18n.gettext(ids[0], locale=lang) != strings[0]:
            stale.append(ids[0])
    assert not stale, f"{lang}: .mo is stale, run `make locales`: {stale[:5]}"
