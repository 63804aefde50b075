"""Celery application. Broker and results on Redis (REDIS_URL); eager when unset."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

app = Celery("egide")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
