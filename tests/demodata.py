"""The demo data of ``seed_demo`` as a module-scoped fixture, for tests that need every
feature app's rows at once (the isolation walk, the dashboard, the fuzzer).

Loaded once per module inside an outer transaction that is rolled back at the end; each
test runs in a savepoint inside it (mark the module ``pytest.mark.django_db``). Do not
combine with ``transactional_db``.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.helpers import tasks_run_in_process

CLINIC, HOST = "clinique-des-lilas", "hds-exemple"


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(MEDIA_ROOT=str(media)),
        tasks_run_in_process(),
    ):
        call_command("load_catalogues", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)
