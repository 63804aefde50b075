"""Production settings, checked in a fresh process as the server would load them."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        # Start from a clean slate: nothing from the developer's shell or pytest leaks in
        # (the browser tests allow the ORM beside Playwright's event loop in this process).
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "EGIDE_ENV",
            "EGIDE_TWO_FACTOR_ROLES",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(
        {"EGIDE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "compliance.settings"}
    )
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(64))


PRODUCTION = {"EGIDE_ENV": "production", "ALLOWED_HOSTS": "egide.example"}


def test_production_passes_the_deploy_check(tmp_path: Path) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        SECRET_KEY=random_secret_key(),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, SECRET_KEY="too-short", **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    result = manage(
        "check", tmp_path=tmp_path, EGIDE_ENV="production", SECRET_KEY=random_secret_key()
    )

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_requires_two_factor_for_managers_and_lead_auditors(tmp_path: Path) -> None:
    result = manage(
        "shell",
        "--no-imports",
        "--no-imports",
        "-c",
        "from django.conf import settings; "
        "print(sorted(settings.EGIDE_TWO_FACTOR_ROLES), settings.DEBUG)",
        tmp_path=tmp_path,
        SECRET_KEY=random_secret_key(),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['lead_auditor', 'manager'] False"


def test_the_cache_never_shares_the_brokers_redis_database(tmp_path: Path) -> None:
    """Clearing the cache is FLUSHDB; on the broker's database it dropped queued jobs."""
    code = (
        "from django.conf import settings as s;"
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'])"
    )
    derived = manage(
        "shell", "--no-imports", "-c", code, tmp_path=tmp_path, REDIS_URL="redis://cache:6379/4"
    )
    assert derived.stdout.split() == ["redis://cache:6379/4", "redis://cache:6379/5"], (
        derived.stderr
    )
    bare = manage(
        "shell", "--no-imports", "-c", code, tmp_path=tmp_path, REDIS_URL="redis://cache:6379"
    )
    assert bare.stdout.split() == ["redis://cache:6379", "redis://cache:6379/1"], bare.stderr
    chosen = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        tmp_path=tmp_path,
        REDIS_URL="redis://queue:6379/0",
        REDIS_CACHE_URL="redis://cache:6379/0",
    )
    assert chosen.stdout.split() == ["redis://queue:6379/0", "redis://cache:6379/0"], chosen.stderr
