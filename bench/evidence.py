"""Evidence benchmarks (called by `make bench`):

- the SoA page once 5,000 evidence links exist (500 items on 10 controls each, one in
  ten expired): median time and query count, against the same page without links;
- a 50 MB upload through the real view, in child processes: peak RSS (``ru_maxrss``)
  and Python's own peak allocation (tracemalloc) while the body streams, next to a 1 MB
  upload: memory must not grow with the size of the file.

Run alone: ``.venv/bin/python -m bench.evidence`` (throwaway databases only).
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_LINKS = int(os.environ.get("BENCH_EVIDENCE_LINKS", "5000"))
UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "50"))
ROOT = Path(__file__).resolve().parent.parent


def bench_evidence(organisation: Any, actor: Any) -> None:
    """SoA page with evidence links, then the upload memory measure."""
    bench_soa_with_links(organisation, actor)
    bench_upload_memory()


def bench_soa_with_links(organisation: Any, actor: Any) -> None:
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from compliance.choices import Role
    from compliance.models import User
    from compliance.services.organisations import membership_create
    from controls.models import Requirement
    from controls.selectors import soa_framework
    from evidence.models import Evidence
    from evidence.services import evidence_create

    framework = soa_framework()
    if framework is None:
        from controls.services.catalogues import load_builtin_catalogues

        load_builtin_catalogues(actor=actor)
        framework = soa_framework()
    controls = list(Requirement.objects.soa_controls().filter(framework=framework))
    user = User.objects.create_user(email="evidence-bench@bench.example")
    membership_create(actor=actor, organisation=organisation, user=user, role=Role.MANAGER)
    browser = Client()
    browser.force_login(user)
    url = f"/o/{organisation.slug}/soa/"

    def measure() -> tuple[float, int]:
        browser.get(url)
        connection.queries_log.clear()  # a full log (9,000 entries) would capture nothing
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url).status_code == 200
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            assert browser.get(url).status_code == 200
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings), len(queries)

    before_ms, before_queries = measure()
    per_item = 10
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    started = time.perf_counter()
    for index in range(BENCH_LINKS // per_item):
        first = (index * per_item) % len(controls)
        chosen = [controls[(first + k) % len(controls)] for k in range(per_item)]
        evidence_create(
            actor=actor,
            organisation=organisation,
            title=f"Preuve {index}",
            url=f"https://intranet.bench.example/preuves/{index}",
            requirements=chosen,
            expires_on=yesterday if index % 10 == 0 else None,
        )
    created_s = time.perf_counter() - started
    links = Evidence.requirements.through.objects.filter(
        evidence__organisation=organisation
    ).count()
    after_ms, after_queries = measure()
    print(f"evidence: {links:,} links created in {created_s:.1f} s (audited, one item each)")
    print(
        f"SoA page without evidence: median {before_ms:.1f} ms, {before_queries} queries; "
        f"with {links:,} evidence links: median {after_ms:.1f} ms, {after_queries} queries"
    )


# --- Upload memory, measured in child processes ----------------------------------------


def _child_env(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="compliance.settings",
        EGIDE_VAR_DIR=str(directory),
        MEDIA_ROOT=str(directory / "media"),
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    return env


def _run_child(*args: str, env: dict[str, str]) -> str:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.evidence", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def bench_upload_memory() -> None:
    """A fresh SQLite database in a temporary directory (migrated by one child), then one
    child per upload so each ``ru_maxrss`` is the peak of that upload alone."""
    with tempfile.TemporaryDirectory(prefix="egide-bench-") as tmp:
        directory = Path(tmp)
        env = _child_env(directory)
        _run_child("prepare", env=env)
        results = []
        for size_mb in (1, UPLOAD_MB):
            results.append(json.loads(_run_child("upload", str(size_mb), env=env)))
    for result in results:
        print(
            f"upload {result['mb']} MB through /evidence/new/: HTTP {result['status']}, "
            f"{result['seconds']:.2f} s; peak RSS {result['peak_rss_mb']:.1f} MB "
            f"(process before the request {result['before_rss_mb']:.1f} MB, "
            f"+{result['peak_rss_mb'] - result['before_rss_mb']:.1f} MB); "
            f"Python allocations peak {result['tracemalloc_peak_mb']:.2f} MB"
        )
    small, large = results
    growth = large["peak_rss_mb"] - small["peak_rss_mb"]
    print(
        f"upload memory: {large['mb']} MB costs {growth:+.1f} MB of peak RSS more than "
        f"{small['mb']} MB (flat when close to 0)"
    )


def _proc_status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM, so the peak measured is this
    request's, not the process's since it started."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_mb() -> float:
    return _proc_status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_prepare() -> None:
    _setup()
    from django.core.management import call_command

    from compliance.choices import Role
    from compliance.models import User
    from compliance.services.audit_trail import SystemActor
    from compliance.services.organisations import membership_create, organisation_create

    call_command("migrate", verbosity=0)
    actor = SystemActor("bench")
    organisation = organisation_create(
        actor=actor, name="Bench upload", slug="bench-upload", kind="health_establishment"
    )
    user = User.objects.create_user(email="upload@bench.example")
    membership_create(actor=actor, organisation=organisation, user=user, role=Role.MANAGER)


def _write_body(path: Path, size: int, boundary: str) -> int:
    """A multipart body with one PDF of ``size`` bytes, written to disk in 1 MB chunks."""
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\n'
        "Bench upload\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = bytes(range(256)) * 4096  # 1 MB
    with path.open("wb") as body:
        body.write(head)
        body.write(b"%PDF-1.7\n")
        remaining = size - 9
        while remaining > 0:
            part = chunk[: min(len(chunk), remaining)]
            body.write(part)
            remaining -= len(part)
        body.write(tail)
    return path.stat().st_size


def child_upload(size_mb: int) -> None:
    _setup()
    import gc
    import tracemalloc

    from django.test import Client
    from django.test.client import ClientHandler

    from compliance.models import User

    directory = Path(os.environ["EGIDE_VAR_DIR"])
    boundary = "egide-bench-boundary"
    body_path = directory / f"body-{size_mb}.bin"
    length = _write_body(body_path, size_mb * 1024 * 1024, boundary)
    client = Client()
    client.force_login(User.objects.get(email="upload@bench.example"))
    session = client.cookies["sessionid"].value
    handler = ClientHandler(enforce_csrf_checks=False)
    handler.load_middleware()
    # Warm up: the first request imports every app's views and templates.
    warm = client.get("/o/bench-upload/evidence/new/")
    assert warm.status_code == 200, warm.status_code
    gc.collect()
    _reset_peak_rss()
    before = _proc_status_mb("VmRSS") or _peak_rss_mb()
    with body_path.open("rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/o/bench-upload/evidence/new/",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            "CONTENT_LENGTH": str(length),
            "HTTP_COOKIE": f"sessionid={session}",
            "HTTP_HOST": "testserver",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": stream,
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        tracemalloc.start()
        started = time.perf_counter()
        response = handler(environ)
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    after = _peak_rss_mb()
    body_path.unlink()
    print(
        json.dumps(
            {
                "mb": size_mb,
                "status": response.status_code,
                "seconds": seconds,
                "before_rss_mb": before,
                "peak_rss_mb": after,
                "tracemalloc_peak_mb": peak / (1024 * 1024),
            }
        )
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    if sys.argv[1:2] == ["prepare"]:
        child_prepare()
    elif sys.argv[1:2] == ["upload"]:
        child_upload(int(sys.argv[2]))
    else:
        bench_upload_memory()


if __name__ == "__main__":
    main()
