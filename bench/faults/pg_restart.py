"""PostgreSQL restarted under a light load: requests during the restart fail cleanly
(an error status or a refused connection, never a hang past the client timeout), and
afterwards every request succeeds again, gunicorn never restarted (CONN_MAX_AGE with
conn_health_checks drop the dead connections).

``python -m bench.faults.pg_restart``.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass

from bench.faults._topology import ORG, Checks, Topology, log, pg_ctl, private_postgres

CLIENTS = 4
TIMEOUT = 10.0
BEFORE, AFTER = 5.0, 15.0
PATHS = [("/api/v1/soa/?page_size=20", True), ("/api/v1/evidence/", True), (f"/o/{ORG}/", False)]


@dataclass
class Sample:
    at: float
    status: int
    seconds: float


def main() -> int:
    checks = Checks()
    log(f"== pg_restart: PostgreSQL restarted under {CLIENTS} looping clients")
    with private_postgres():
        topology = Topology("pg")
        try:
            topology.start_redis()
            topology.prepare()
            topology.start_gunicorn()
            samples: list[Sample] = []
            stop = threading.Event()

            def client(slot: int) -> None:
                index = slot
                while not stop.is_set():
                    path, api = PATHS[index % len(PATHS)]
                    index += 1
                    started = time.monotonic()
                    status, _h, _b = topology.get(path, api=api, timeout=TIMEOUT)
                    samples.append(Sample(started, status, time.monotonic() - started))

            threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
            for thread in threads:
                thread.start()
            time.sleep(BEFORE)
            restart_at = time.monotonic()
            restart_seconds = pg_ctl("restart")
            log(f"PostgreSQL restarted (pg_ctlcluster restart took {restart_seconds:.1f} s)")
            time.sleep(AFTER)
            stop.set()
            for thread in threads:
                thread.join(timeout=TIMEOUT + 5)

            # In flight when the restart began counts as during it.
            before = [s for s in samples if s.at + s.seconds < restart_at]
            after = [s for s in samples if s.at + s.seconds >= restart_at]
            failures = [s for s in after if s.status != 200]
            last_failure = max((s.at + s.seconds for s in failures), default=restart_at)
            recovered = [s for s in after if s.at > last_failure]
            kinds = Counter("no answer" if s.status == 0 else str(s.status) for s in failures)
            log(
                f"  requests: {len(before)} before the restart, {len(after)} from it on; "
                f"failed: {len(failures)} ({dict(kinds) or 'none'})"
            )
            log(f"  recovery: last failure {last_failure - restart_at:.2f} s after the restart")
            log(
                f"  slowest request: {max(s.seconds for s in samples):.2f} s "
                f"(client timeout {TIMEOUT:.0f} s)"
            )
            checks.expect(
                all(s.status == 200 for s in before), "before: every request 200", str(len(before))
            )
            checks.expect(
                all(s.status in (0, 500, 502, 503) for s in failures),
                "during: failures are clean (5xx or refused)",
                str(dict(kinds)),
            )
            checks.expect(
                all(s.seconds < TIMEOUT for s in samples),
                "no request hangs past the client timeout",
            )
            checks.expect(
                last_failure - restart_at < AFTER - 5 and len(recovered) > 20,
                "after: every request succeeds again, gunicorn not restarted",
                f"{len(recovered)} successes in a row after {last_failure - restart_at:.2f} s",
            )
            checks.expect(
                all(p.poll() is None for p in topology.processes), "gunicorn still running"
            )
        finally:
            topology.close()
    return checks.exit_code("pg_restart")


if __name__ == "__main__":
    sys.exit(main())
