"""Language detection benchmark: matching.language.detect_language on labelled help requests.

Run: .venv/bin/python -m bench.langid [--compare]   (a few seconds)
The samples are bench/langid_samples.txt (365 requests, at least 50 a language, each with its
category and the writer's own language). Prints one JSON line:

- accuracy: share detected right, with the writer's own language as the hint. Target >= 0.95.
- min_language_accuracy: the worst language's accuracy (same run). Target >= 0.90.
- accuracy_hint_de: share right when every writer's hint is "de" (a bot that does not know
  the writer's language). Target >= 0.85.
- by_category: accuracy per category (short, lookalike, latin_typed, transliterated,
  code_mixed, normal), own hint.
- median_ms: median time of one detection (own hint, models loaded).
- rss_mb: the process's max resident memory after loading the detector and running it on
  every sample. Target < 150.

--compare also writes to stderr one JSON line per library, run raw (no script rule, no hint)
and restricted to the seven languages, each in a process of its own so that rss_mb is its own:
lingua in low and high accuracy mode, py3langid (if installed: `pip install py3langid==0.4.0`).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

SAMPLES = Path(__file__).with_name("langid_samples.txt")
SEVEN = ("de", "en", "ar", "uk", "ru", "fa", "tr")
RAW = ("lingua-low", "lingua-high", "py3langid")


class Sample(NamedTuple):
    label: str
    hint: str
    category: str
    text: str


def samples() -> list[Sample]:
    lines = SAMPLES.read_text(encoding="utf-8").splitlines()
    return [Sample(*line.split(None, 3)) for line in lines if line and not line.startswith("#")]


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def score(rows: list[Sample], detect: Callable[[Sample], str]) -> dict[str, object]:
    """Accuracy overall, per language and per category, and the median time of one call."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    times = []
    for row in rows:
        start = time.perf_counter()
        found = detect(row)
        times.append(time.perf_counter() - start)
        for key in (row.label, row.category):
            total[key] += 1
            right[key] += found == row.label
    return {
        "accuracy": round(sum(right[lang] for lang in SEVEN) / len(rows), 3),
        "by_language": {lang: round(right[lang] / total[lang], 3) for lang in SEVEN},
        "by_category": {
            key: round(right[key] / total[key], 3) for key in total if key not in SEVEN
        },
        "median_ms": round(statistics.median(times) * 1000, 4),
    }


def main() -> None:
    if "--compare" in sys.argv:  # first: a child starts with its parent's peak memory
        for library in RAW:
            print(_compare(library), file=sys.stderr)
    from matching.language import detect_language

    rows = samples()
    for row in rows:  # load the models this set needs (the detector loads them lazily)
        detect_language(row.text, row.hint)
    own = score(rows, lambda row: detect_language(row.text, row.hint))
    hint_de = score(rows, lambda row: detect_language(row.text, "de"))
    by_language = own.pop("by_language")
    assert isinstance(by_language, dict)
    result = {
        "accuracy": own["accuracy"],
        "min_language_accuracy": min(by_language.values()),
        "accuracy_hint_de": hint_de["accuracy"],
        "by_category": own["by_category"],
        "median_ms": own["median_ms"],
        "rss_mb": _rss_mb(),
    }
    if "--compare" in sys.argv:
        print(
            json.dumps({"library": "matching.language", "by_language": by_language}),
            file=sys.stderr,
        )
    print(json.dumps(result))


def _compare(library: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bench.langid", "--raw", library],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode:
        error = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return json.dumps({"library": library, "error": error})
    return done.stdout.strip()


def raw(library: str) -> None:
    """One library alone, restricted to the seven, no script rule and no hint."""
    start = time.perf_counter()
    detect = _lingua(library) if library.startswith("lingua") else _py3langid()
    detect("Hallo")
    loaded = time.perf_counter() - start
    result = score(samples(), lambda row: detect(row.text))
    result.pop("by_language")
    result = {"library": library, **result, "load_s": round(loaded, 2), "rss_mb": _rss_mb()}
    print(json.dumps(result))


def _lingua(mode: str) -> Callable[[str], str]:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in SEVEN]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    if mode == "lingua-low":
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else "none"

    return detect


def _py3langid() -> Callable[[str], str]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-not-found]

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    identifier.set_languages(list(SEVEN))
    return lambda text: str(identifier.classify(text)[0])


if __name__ == "__main__":
    if "--raw" in sys.argv:
        raw(sys.argv[sys.argv.index("--raw") + 1])
    else:
        main()
