# The app image: gunicorn serving smsn, as an unprivileged user. Migrations are not run here: the
# one-off `migrate` service of docker-compose.yml runs them before any instance starts.
FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 WEB_CONCURRENCY=4
WORKDIR /app
# DejaVu Serif for the preview images of shared links (smsn/cards.py; Pillow's own font otherwise).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/prod.lock requirements/prod.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/prod.lock
COPY . .
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput
RUN groupadd --system --gid 10001 smsn \
    && useradd --system --uid 10001 --gid smsn --no-create-home --shell /usr/sbin/nologin smsn
USER 10001:10001
EXPOSE 8000
# Liveness over plain http, which the app exempts from its https redirect.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# gunicorn reads WEB_CONCURRENCY as its number of workers.
CMD ["gunicorn", "smsn.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
