FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY matching matching
COPY services services
COPY db db
COPY locales locales
COPY babel.cfg ./
RUN pip install --no-cache-dir -e . \
    && pybabel compile -d locales -D messages
# SQLite lives on a volume; for PostgreSQL set LOTSE_DATABASE_URL=postgresql+asyncpg://...
VOLUME /data
ENV LOTSE_DATABASE_URL=sqlite+aiosqlite:////data/lotse.db
RUN useradd --create-home lotse && mkdir -p /data && chown lotse /data
USER lotse
CMD ["lotse", "run"]
