# Lotse in a container: `docker build -t lotse .`, then see README.md (or docker-compose.yml).
# Works with the classic builder and with BuildKit.

# 1. The wheel: setup.py compiles the translations (locales/*.po) into it.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md LICENSE babel.cfg ./
COPY bot bot
COPY handlers handlers
COPY matching matching
COPY services services
COPY db db
COPY locales locales
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# 2. The image: the wheel installed (not editable), run as an unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LOTSE_DATABASE_URL=sqlite+aiosqlite:////data/lotse.db
# /data is made and handed to the user BEFORE `VOLUME`: the classic builder throws away
# changes to a volume's folder made after it is declared, and a new volume copies this owner.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/lotse lotse \
    && mkdir -p /data \
    && chown lotse:lotse /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /data
VOLUME /data
USER 10001:10001
# Webhook mode listens here (LOTSE_WEBHOOK_PORT); polling mode needs no port.
EXPOSE 8080
# Settings readable and the database reachable with its migrations current (no Telegram call).
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 \
    CMD ["lotse", "check", "--offline"]
CMD ["lotse", "run"]
