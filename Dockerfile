# Production image: slim Python, non-root user, static files collected at build, gunicorn.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed numeric id, so Kubernetes can check runAsNonRoot (deploy/kubernetes runs it as 10001).
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home /app --shell /usr/sbin/nologin portal

WORKDIR /app
# Dependencies first, so code changes do not reinstall them (see .dockerignore for what is left out).
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .

# collectstatic needs settings to load; the build-time key is thrown away with this layer.
RUN SECRET_KEY=build-only-not-secret DEBUG=false python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R portal:portal /app/media

USER 10001
ENV LOG_FORMAT=json \
    MEDIA_ROOT=/app/media
# 8000: the portal; 9100: /metrics for Prometheus when METRICS_PORT=9100 (never publish it).
EXPOSE 8000 9100

# `migrate` runs once per deploy before the web process starts (docker-compose.yml, deploy/kubernetes); it is
# the whole set-up of the database, the cache table included (config/migrations), besides collectstatic above.
# Port, workers, timeout and the metrics port come from the environment (config/gunicorn.py).
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
