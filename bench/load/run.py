"""`make load`: Egide under load on this machine, loopback only, bounded in time.

Starts the production topology with real processes (what docker-compose.yml describes):
gunicorn + PostgreSQL + Redis + one Celery worker, on a throwaway database
(``egide_load``) seeded with the demo data. Then:

1. the realistic mix of bench/load/locustfile.py: LOAD_USERS (50) users for
   LOAD_DURATION (5m); prints requests, failures and p50/p95/p99 per endpoint;
2. the ceiling comparison: each paginated API list (100 items) and the constant endpoint
   are driven alone at the same concurrency for LOAD_SATURATE_SECONDS (15 s) each; prints
   requests/s and the ratio list / ceiling (target: at least 0.5).

Exit status 1 when any request of the mix failed. Needs PostgreSQL on 127.0.0.1:5432 and
Redis on 127.0.0.1:6379 (`.ci/run` starts both when they are down).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("LOAD_PORT", "8765"))
HOST = f"http://127.0.0.1:{PORT}"
USERS = int(os.environ.get("LOAD_USERS", "50"))
DURATION = os.environ.get("LOAD_DURATION", "5m")
SATURATE_SECONDS = float(os.environ.get("LOAD_SATURATE_SECONDS", "15"))
SATURATE_CONCURRENCY = int(os.environ.get("LOAD_SATURATE_CONCURRENCY", "16"))
DATABASE = "egide_load"
ORG = "clinique-des-lilas"
LISTS = {
    "ceiling (constant)": "/api/v1/bench/ceiling/",
    "soa (100)": "/api/v1/soa/?page_size=100",
    "evidence (100)": "/api/v1/evidence/?page_size=100",
    "findings (100)": "/api/v1/findings/?page_size=100",
    "remediation actions (100)": "/api/v1/remediation-actions/?page_size=100",
    "processing activities (100)": "/api/v1/processing-activities/?page_size=100",
}


def run(*args: str, env: dict[str, str], capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        list(args),
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    return result.stdout or ""


def psql(sql: str) -> None:
    subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def saturate(path: str, api_key: str) -> float:
    """Closed loop: SATURATE_CONCURRENCY clients ask as fast as answers come; returns
    successful requests per second (wrk when installed, Python threads otherwise)."""
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run(  # noqa: S603
            [
                wrk,
                "-t2",
                f"-c{SATURATE_CONCURRENCY}",
                f"-d{int(SATURATE_SECONDS)}s",
                "-H",
                f"Authorization: Bearer {api_key}",
                HOST + path,
            ],
            check=True,
            text=True,
            capture_output=True,
        ).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if non_2xx:
            raise SystemExit(f"{path}: {non_2xx[1]} error answers under saturation")
        return float(match[1]) if match else 0.0
    counts = [0] * SATURATE_CONCURRENCY
    stop = time.monotonic() + SATURATE_SECONDS

    def client(slot: int) -> None:
        request = urllib.request.Request(  # noqa: S310 - loopback http only
            HOST + path, headers={"Authorization": f"Bearer {api_key}"}
        )
        while time.monotonic() < stop:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                answer.read()
                counts[slot] += answer.status == 200

    threads = [threading.Thread(target=client, args=(i,)) for i in range(SATURATE_CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / SATURATE_SECONDS


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="egide-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "EGIDE_VAR_DIR": str(work),
        "MEDIA_ROOT": str(work / "media"),
        "EGIDE_BENCH_ENDPOINTS": "1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "60",
        # One key stands for the 25 simulated integrations: its per-key limit (1200/min)
        # would answer 429 to the run's own traffic. The limit itself is tested elsewhere.
        "EGIDE_API_RATE": "1000000/min",
    }
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    manage = [str(BIN / "python"), "manage.py"]
    print("preparing: migrate, catalogues, demo data, API key ...", flush=True)
    run(*manage, "migrate", "--no-input", env=env)
    run(*manage, "collectstatic", "--no-input", env=env)
    run(*manage, "load_catalogues", env=env)
    run(*manage, "seed_demo", env=env)
    api_key = (
        run(
            *manage,
            "create_api_key",
            "--organisation",
            ORG,
            "--scopes",
            "read,write",
            "--name",
            "load",
            env=env,
            capture=True,
        )
        .strip()
        .splitlines()[-1]
    )

    cores = os.cpu_count() or 2
    server = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "compliance.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(2 * cores + 1),
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=(work / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(  # noqa: S603
        [str(BIN / "celery"), "-A", "compliance", "worker", "-c", "1", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=(work / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{HOST}/healthz")
        print(
            f"mix: {USERS} users for {DURATION} against {HOST} (gunicorn {2 * cores + 1} "
            "workers, 1 Celery worker, PostgreSQL, Redis)",
            flush=True,
        )
        prefix = work / "mix"
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "-u",
                str(USERS),
                "-r",
                "10",
                "-t",
                DURATION,
                "--host",
                HOST,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "LOAD_API_KEY": api_key, "LOAD_ORG": ORG},
            check=False,
            stdout=subprocess.DEVNULL,
        )
        failures = report_mix(prefix.with_name("mix_stats.csv"))
        print(
            f"\nceiling comparison: each endpoint alone, {SATURATE_CONCURRENCY} concurrent "
            f"clients, {SATURATE_SECONDS:.0f} s",
            flush=True,
        )
        ceiling = 0.0
        for label, path in LISTS.items():
            rate = saturate(path, api_key)
            ceiling = ceiling or rate
            print(f"  {label:<30} {rate:8.1f} req/s   ratio to ceiling {rate / ceiling:5.2f}")
        return 1 if failures else 0
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        print(f"\nlogs and CSV files in {work}")


def report_mix(stats_file: Path) -> int:
    rows = list(csv.DictReader(stats_file.open()))
    print(
        f"\n{'endpoint':<28}{'requests':>9}{'failures':>9}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'req/s':>8}"
    )
    failures = 0
    for row in rows:
        name = "TOTAL" if row["Name"] == "Aggregated" else row["Name"]
        failures += int(row["Failure Count"]) if name != "TOTAL" else 0
        print(
            f"{name[:27]:<28}{row['Request Count']:>9}{row['Failure Count']:>9}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}{float(row['Requests/s']):>8.1f}"
        )
    failed_file = stats_file.with_name("mix_failures.csv")
    if failures and failed_file.exists():
        print("\nfailures:")
        for row in csv.DictReader(failed_file.open()):
            print(f"  {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
