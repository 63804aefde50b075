"""Egide project package and regulatory core."""

from compliance.celery import app as celery_app

__all__ = ["celery_app"]
