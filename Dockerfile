# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HARBOR_VAR_DIR=/app/var
WORKDIR /app
COPY requirements.txt .
# Runtime packages only (no honcho, no test tools), each checked against its hash.
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 harbor && mkdir -p /app/var && chown -R harbor /app/var
USER harbor
EXPOSE 8000
CMD ["gunicorn", "harbor.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--config", "gunicorn.conf.py"]
