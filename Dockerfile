# Egide production image: gunicorn web, Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    EGIDE_VAR_DIR=/var/lib/egide

RUN useradd --system --create-home --home-dir /home/egide egide \
 && mkdir -p /var/lib/egide && chown egide /var/lib/egide

# WeasyPrint (PDF documents) lays text out with Pango; the slim image does not have it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock ./
COPY compliance/__init__.py compliance/__init__.py
RUN pip install -c requirements.lock . && pip uninstall -y egide
COPY . .

# collectstatic needs settings, not secrets: a throwaway key for this build step only.
RUN SECRET_KEY=collectstatic-only-$(python -c "import secrets;print(secrets.token_hex(32))") \
    ALLOWED_HOSTS=build EGIDE_ENV=production python manage.py collectstatic --noinput -v 0

USER egide
EXPOSE 8000
CMD ["gunicorn", "compliance.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
