# Production image: slim Python, non-root user, static files collected at build, gunicorn.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system portal && useradd --system --gid portal --home /app --shell /usr/sbin/nologin portal

WORKDIR /app
# Dependencies first, so code changes do not reinstall them (see .dockerignore for what is left out).
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .

# collectstatic needs settings to load; the build-time key is thrown away with this layer.
RUN SECRET_KEY=build-only-not-secret DEBUG=false python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R portal:portal /app/media

USER portal
ENV LOG_FORMAT=json \
    MEDIA_ROOT=/app/media
EXPOSE 8000

# Migrations run once per deploy before the web process starts (see docker-compose.yml).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
