"""The files an admin deploys with, read as text (Docker itself is not needed): the image runs
unprivileged with a /data volume it can write on any builder, installs the wheel (not editable)
and checks its health; the example settings and the README stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the final stage, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    lines = [line.strip() for line in joined.splitlines()]
    steps = [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]
    last_from = max(i for i, step in enumerate(steps) if step[0].upper() == "FROM")
    return [(step[0].upper(), step[1] if len(step) > 1 else "") for step in steps[last_from:]]


def final_stage() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def position(steps: list[tuple[str, str]], instruction: str, pattern: str = "") -> int:
    found = [
        i
        for i, (name, args) in enumerate(steps)
        if name == instruction and re.search(pattern, args)
    ]
    assert found, f"no {instruction} matching {pattern!r}"
    return found[0]


def test_data_folder_is_made_and_owned_before_the_volume_when_the_image_is_built() -> None:
    steps = final_stage()
    volume = position(steps, "VOLUME", r"/data")
    assert position(steps, "RUN", r"mkdir -p /data") < volume
    assert position(steps, "RUN", r"chown \S+ /data") < volume
    assert not any(name == "RUN" and "/data" in args for name, args in steps[volume:])


def test_image_runs_unprivileged_with_a_health_check_when_started() -> None:
    steps = final_stage()
    users = [args.split(":")[0] for name, args in steps if name == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert "lotse check --offline" in steps[position(steps, "HEALTHCHECK")][1].replace('", "', " ")


def test_image_installs_the_wheel_not_the_source_when_built() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    installs = re.findall(r"pip install[^\n]*", text)
    assert installs and all(".whl" in line for line in installs)
    assert not re.search(r"pip install[^\n]*(\s-e\s|--editable)", text)


def test_build_context_leaves_out_the_venv_and_the_databases_when_sent() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".venv", ".git", ".env", "*.db", "**/__pycache__", ".mypy_cache"):
        assert entry in ignored


def test_compose_keeps_postgres_behind_a_profile_with_its_own_health_check_when_read() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "profiles: [postgres]" in compose
    assert "pg_isready" in compose
    assert "lotse-data:/data" in compose and "lotse-postgres:/var/lib/postgresql/data" in compose


def test_every_example_setting_is_a_real_setting_when_read() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^#?(LOTSE_[A-Z_]+)=", example, flags=re.MULTILINE))
    known = {"LOTSE_" + name.upper() for name in Settings.model_fields}
    assert names <= known, names - known
    needed = {"BOT_TOKEN", "COORDINATORS", "COORDINATOR_CHAT_ID", "DATABASE_URL", "TIMEZONE"}
    needed |= {"MODE", "WEBHOOK_BASE_URL", "WEBHOOK_SECRET", "LOG_LEVEL", "LOG_FORMAT"}
    assert {"LOTSE_" + name for name in needed} <= names


def test_readme_links_stay_inside_the_repository_when_followed() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert targets
    for target in targets:
        assert "://" not in target and not target.startswith("/"), target
        path = target.split("#")[0]
        # docs/OPERATIONS.md comes with the operations work (backups, health, metrics).
        assert not path or path == "docs/OPERATIONS.md" or (ROOT / path).exists(), target
