"""The real topology of the fault scripts, on private instances only.

A private PostgreSQL cluster (``pg_createcluster 15 egidefaults -p 5433``, trust auth on
loopback) and a private ``redis-server --port 6390``: the scripts stop and restart them,
never the shared ones on 5432/6379. On them: gunicorn and Celery workers, as
bench/load/run.py starts them, on a database seeded once with the demo data (kept as a
template database, copied for each script) and an API key.

Everything started here is stopped and removed by ``Topology.close`` (the cluster is
dropped by whoever created it).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_VERSION = os.environ.get("FAULTS_PG_VERSION", "15")
PG_CLUSTER = "egidefaults"
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5433"))
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6390"))
HTTP_PORT = int(os.environ.get("FAULTS_HTTP_PORT", "8790"))
HOST = f"http://127.0.0.1:{HTTP_PORT}"
TEMPLATE = "egide_faults_template"
ORG = "clinique-des-lilas"
USER = "direction@lilas.example"
STATE = Path(tempfile.gettempdir()) / "egide-faults-template"
_cluster_depth = 0
# The demo issues no Statement of Applicability: issue one (every Annex A control
# decided) so that the scripts can request its PDF.
ISSUE_SOA = f"""
from compliance.models import Membership
from controls.models import SoaVersion
from controls.selectors import ScopedRows
from controls.services.soa import soa_current_lines, soa_issue
membership = Membership.objects.select_related("organisation", "user").get(
    organisation__slug="{ORG}", user__email="{USER}")
org = membership.organisation
if not SoaVersion.objects.filter(organisation=org).exists():
    from controls.models import Framework
    framework = Framework.objects.filter(has_statement_of_applicability=True).first()
    lines = soa_current_lines(framework, ScopedRows.for_membership(membership))
    for line in lines:
        if line["applicable"] is None:
            line["applicable"] = True
        if line["applicable"] and not line["inclusion_justification"].strip():
            line["inclusion_justification"] = "Risk treatment plan (fault-injection bench)"
        if not line["applicable"] and not line["exclusion_justification"].strip():
            line["exclusion_justification"] = "Out of scope (fault-injection bench)"
    soa_issue(actor=membership.user, organisation=org, framework=framework, lines=lines)
print(SoaVersion.objects.filter(organisation=org).count())
"""


def log(message: str) -> None:
    print(message, flush=True)


def sh(*args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        list(args), cwd=ROOT, env=env, check=False, text=True, capture_output=True
    )
    if check and result.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def psql(sql: str, database: str = "postgres") -> str:
    return sh(
        "psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", database,
        "-tAqc", sql,
    ).strip()  # fmt: skip


def cluster_exists() -> bool:
    return PG_CLUSTER in sh("pg_lsclusters", "-h")


@contextlib.contextmanager
def private_postgres() -> Iterator[None]:
    """The private cluster, created (and at the end dropped) by the outermost caller."""
    global _cluster_depth
    created = False
    if _cluster_depth == 0 and not cluster_exists():
        log(f"private PostgreSQL: pg_createcluster {PG_VERSION} {PG_CLUSTER} -p {PG_PORT}")
        sh("pg_createcluster", PG_VERSION, PG_CLUSTER, "-p", str(PG_PORT), "--", "--auth=trust")
        created = True
    if f"{PG_PORT} online" not in sh("pg_lsclusters", "-h"):
        sh("pg_ctlcluster", PG_VERSION, PG_CLUSTER, "start")
    _cluster_depth += 1
    try:
        yield
    finally:
        _cluster_depth -= 1
        if created:
            sh("pg_ctlcluster", PG_VERSION, PG_CLUSTER, "stop", check=False)
            sh("pg_dropcluster", PG_VERSION, PG_CLUSTER, check=False)
            shutil.rmtree(STATE, ignore_errors=True)
            log("private PostgreSQL cluster dropped")


def pg_ctl(action: str) -> float:
    started = time.monotonic()
    sh("pg_ctlcluster", PG_VERSION, PG_CLUSTER, action)
    return time.monotonic() - started


class Topology:
    """One script's processes: a database copied from the template, its media
    directory, Redis, gunicorn and Celery workers."""

    def __init__(self, name: str, **extra_env: str) -> None:
        self.name = name
        self.work = Path(tempfile.mkdtemp(prefix=f"egide-faults-{name}-"))
        self.database = f"egide_faults_{name}_{uuid.uuid4().hex[:6]}"
        self.media = self.work / "media"
        self.redis: subprocess.Popen[bytes] | None = None
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.api_key = ""
        self.session = ""
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "EGIDE_VAR_DIR": str(self.work),
            "MEDIA_ROOT": str(self.media),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONN_MAX_AGE": "60",
            "EGIDE_API_RATE": "100000/min",
            **extra_env,
        }

    # -- Redis ---------------------------------------------------------------------------

    def start_redis(self) -> None:
        command = ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.work)]
        self.redis = subprocess.Popen(  # noqa: S603 - the redis-server of the system
            command,
            stdout=(self.work / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "PONG" in sh("redis-cli", "-p", str(REDIS_PORT), "ping", check=False):
                return
            time.sleep(0.1)
        raise SystemExit("private Redis did not start")

    def stop_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        self.redis = None

    # -- database ------------------------------------------------------------------------

    def prepare(self) -> None:
        """Copy the seeded template (seeding it the first time) into this database."""
        if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{TEMPLATE}'"):  # noqa: S608
            self._seed_template()
        psql(f'CREATE DATABASE "{self.database}" TEMPLATE "{TEMPLATE}"')
        shutil.copytree(STATE / "media", self.media, dirs_exist_ok=True)
        saved = json.loads((STATE / "credentials.json").read_text())
        self.api_key = saved["api_key"]
        self.session = self.manage_shell(
            "from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, "
            "HASH_SESSION_KEY\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            "from compliance.models import User\n"
            f"u = User.objects.get(email='{USER}')\n"
            "s = SessionStore()\n"
            "s[SESSION_KEY] = str(u.pk)\n"
            "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
            "s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
            "s.create()\n"
            "print(s.session_key)"
        )

    def _seed_template(self) -> None:
        log("seeding the template database (migrate, catalogues, demo data): about a minute")
        shutil.rmtree(STATE, ignore_errors=True)
        STATE.mkdir(parents=True)
        psql(f'CREATE DATABASE "{TEMPLATE}"')
        env = {
            **self.env,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{TEMPLATE}",
            "MEDIA_ROOT": str(STATE / "media"),
            "CELERY_TASK_ALWAYS_EAGER": "1",
        }
        manage = [str(BIN / "python"), "manage.py"]
        sh(*manage, "migrate", "--no-input", "-v0", env=env)
        sh(*manage, "load_catalogues", env=env)
        sh(*manage, "seed_demo", env=env)
        sh(str(BIN / "python"), "manage.py", "shell", "-c", ISSUE_SOA, env=env)
        key = (
            sh(
                *manage,
                "create_api_key",
                "--organisation",
                ORG,
                "--scopes",
                "read,write",
                "--name",
                "faults",
                env=env,
            )
            .strip()
            .splitlines()[-1]
        )
        (STATE / "media").mkdir(exist_ok=True)
        (STATE / "credentials.json").write_text(json.dumps({"api_key": key}))

    def manage_shell(self, code: str) -> str:
        out = sh(str(BIN / "python"), "manage.py", "shell", "-c", code, env=self.env)
        return out.strip().splitlines()[-1] if out.strip() else ""

    def sql(self, query: str) -> str:
        return psql(query, self.database)

    # -- processes -----------------------------------------------------------------------

    def start_gunicorn(self, workers: int = 3, timeout: int = 30) -> None:
        process = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "compliance.wsgi",
                "-b",
                f"127.0.0.1:{HTTP_PORT}",
                "-w",
                str(workers),
                "--timeout",
                str(timeout),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=(self.work / "gunicorn.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.get("/healthz", timeout=2)[0] == 200:
                return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer; see {self.work / 'gunicorn.log'}")

    def start_worker(self, name: str, *extra: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "celery"),
                "-A",
                "compliance",
                "worker",
                "--pool",
                "solo",
                "-n",
                f"{name}@faults",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
                *extra,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=(self.work / f"worker-{name}.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        self.workers.append(process)
        return process

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.stop_redis()
        if f"{PG_PORT} online" in sh("pg_lsclusters", "-h"):
            psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        log(f"logs: {self.work}")

    # -- HTTP ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        api: bool = True,
        timeout: float = 10,
    ) -> tuple[int, dict[str, str], bytes]:
        """``(status, headers, body)``; status 0 when no answer came (refused, timeout)."""
        all_headers = dict(headers or {})
        if api:
            all_headers["Authorization"] = f"Bearer {self.api_key}"
        else:
            all_headers["Cookie"] = f"sessionid={self.session}"
        request = urllib.request.Request(  # noqa: S310 - loopback only
            HOST + path, data=body, method=method, headers=all_headers
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except (OSError, TimeoutError):
            return 0, {}, b""

    def get(self, path: str, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, **kwargs)

    def post_json(self, path: str, data: Any, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
        return self.request(
            "POST",
            path,
            body=json.dumps(data).encode(),
            headers={"Content-Type": "application/json"},
            **kwargs,
        )


class Checks:
    """Expectations of one script: each printed as it is met or not."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, ok: bool, what: str, got: str = "") -> bool:
        if ok:
            log(f"  OK   {what}{f' ({got})' if got else ''}")
        else:
            log(f"  FAIL {what}: got {got}")
            self.failed.append(what)
        return ok

    def exit_code(self, name: str) -> int:
        if self.failed:
            log(f"{name}: {len(self.failed)} expectation(s) failed: {'; '.join(self.failed)}")
            return 1
        log(f"{name}: every expectation met")
        return 0
