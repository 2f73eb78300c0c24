# Production image: migrations run once, then uvicorn serves the API (see README, "Production").
FROM python:3.11-slim AS build
WORKDIR /build
RUN python -m venv /opt/venv
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN /opt/venv/bin/pip install --no-cache-dir '.[postgres]'

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app referral
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY data ./data
COPY migrations ./migrations
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    REFERRAL_PROJECT_DIR=/app \
    REFERRAL_DATABASE_URL=sqlite:////app/var/referral.sqlite3 \
    REFERRAL_MIGRATE_ON_START=false
RUN mkdir -p /app/var && chown referral /app/var
USER referral
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]
CMD ["sh", "-c", "referral-api db upgrade && exec referral-api serve --host 0.0.0.0 --port 8000 --workers ${REFERRAL_WORKERS:-2}"]
