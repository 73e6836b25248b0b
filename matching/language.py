"""Which language a help request is written in: the script first, then a language model (lingua)
restricted to that script's languages, then the writer's own language where the model is unsure.

The models are loaded once per process: by `warm_up`, which the bot calls at start, or else on
the first text that needs them (see `_detector`). bench/langid.py measures this module on a
labelled set and compares the libraries.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from matching.locales import CODES

LANGUAGES = CODES  # the seven, as matching/locales.py declares them
RTL = frozenset({"ar", "fa"})
DEFAULT = "de"
# The languages each script can be, among the seven.
ARABIC_SCRIPT = ("ar", "fa")
CYRILLIC = ("uk", "ru")
LATIN = ("de", "en", "tr")
# Writers whose own language has another script: their Latin text may be transliterated.
_TRANSLITERATING = frozenset(ARABIC_SCRIPT + CYRILLIC)
# Letters only one language of a script's pair uses: strong evidence whatever the model says.
_TELLTALE = {
    "uk": frozenset("іїєґІЇЄҐ"),
    "ru": frozenset("ыэъёЫЭЪЁ"),
    "fa": frozenset("پچژگکی"),  # Persian letters (and the Persian forms of kaf and yeh)
    "ar": frozenset("ةى"),  # teh marbuta and alef maksura, which Persian does not write
}
# Below this confidence the model does not overrule the writer's own language within a pair.
SURE = 0.95
# Non-Latin letters make at least this share: the text is in that script, and Latin words in
# it are names (Jobcenter, Ausländerbehörde) -- Latin texts do not quote Cyrillic or Arabic.
_NON_LATIN_SHARE = 0.25
# A capitalized word inside a sentence: in English or Turkish text, a German office or place
# name (German capitalizes every noun, so in German text the small words around it stay).
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-ZÄÖÜ][\w-]{3,}(?:'\w+)?")
_MIN_LETTERS_WITHOUT_NAMES = 10


def detect_language(text: str, hint: str | None) -> str:
    """The language of `text`, one of LANGUAGES. `hint` is the writer's own language (or None):
    it keeps transliterated Latin text and decides look-alikes the model is unsure about."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return hint if hint in LANGUAGES else DEFAULT
    script = script_of(letters)
    if script == "latin":
        return _latin(text, hint)
    pair = ARABIC_SCRIPT if script == "arabic" else CYRILLIC
    return _within_pair("".join(c if _in_script(c, script) else " " for c in text), pair, hint)


def script_of(letters: list[str]) -> str:
    """ "arabic", "cyrillic" or "latin": the script the letters are written in."""
    arabic = sum(_in_script(c, "arabic") for c in letters)
    cyrillic = sum(_in_script(c, "cyrillic") for c in letters)
    if max(arabic, cyrillic) < _NON_LATIN_SHARE * len(letters):
        return "latin"
    return "arabic" if arabic >= cyrillic else "cyrillic"


def _in_script(c: str, script: str) -> bool:
    if script == "arabic":
        return "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff"
    return "\u0400" <= c <= "\u04ff"


def _within_pair(text: str, pair: tuple[str, str], hint: str | None) -> str:
    """ar or fa, uk or ru: telltale letters decide; else the model, unless it is unsure and
    the writer's own language is the other one of the pair."""
    marked = [lang for lang in pair if _TELLTALE[lang] & set(text)]
    if len(marked) == 1:
        return marked[0]
    best, confidence = _best(text, pair)
    if hint in pair and best != hint and confidence < SURE:
        return hint
    return best


def _latin(text: str, hint: str | None) -> str:
    """de, en or tr; the writer's own language if it has another script and the text is not
    clearly one of the three (arabizi, Finglish, transliterated Russian or Ukrainian)."""
    if hint in _TRANSLITERATING and not _clearly_latin_language(text):
        return hint
    return _best(_without_names(text), LATIN)[0]


def _clearly_latin_language(text: str) -> bool:
    """Among all Latin-script languages lingua knows, one of de, en, tr fits best. A model
    restricted to three always picks one of them; the open set shows whether it fits at all."""
    found = _detector(None).detect_language_of(text)
    return found is not None and _code(found) in LATIN


def _without_names(text: str) -> str:
    stripped = _NAME.sub(" ", text)
    if sum(c.isalpha() for c in stripped) < _MIN_LETTERS_WITHOUT_NAMES:
        return text
    return stripped


def _best(text: str, candidates: tuple[str, ...]) -> tuple[str, float]:
    """The candidate the model finds most likely, and its confidence among the candidates."""
    values = _detector(candidates).compute_language_confidence_values(text)
    if not values or values[0].value == 0:
        return candidates[0], 0.0
    return _code(values[0].language), values[0].value


def warm_up() -> None:
    """Load every model now. Loading happens in the caller's thread and holds it: on first use
    in the bot it would stop the event loop, about 40 ms for a script's languages and 0.3 s for
    all Latin-script ones (a transliterated text), while all of them take about 60 MB."""
    for candidates in (LATIN, CYRILLIC, ARABIC_SCRIPT):
        _detector(candidates).compute_language_confidence_values("warm up")
    _detector(None).detect_language_of("warm up")


@cache
def _detector(candidates: tuple[str, ...] | None) -> LanguageDetector:
    """A lingua detector for `candidates`, or for every Latin-script language (None), with
    its models loaded. Low accuracy mode: trigram models only, a few MB a language, where high
    accuracy needs about 200 MB for the seven."""
    if candidates is None:
        builder = LanguageDetectorBuilder.from_all_languages_with_latin_script()
    else:
        builder = LanguageDetectorBuilder.from_languages(*map(_language, candidates))
    return builder.with_low_accuracy_mode().with_preloaded_language_models().build()


def _language(code: str) -> Language:
    return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()
