"""``make faults``: every fault script in turn on one private PostgreSQL cluster; exit 1
when any expectation failed."""

from __future__ import annotations

import sys

from bench.faults import disk_full, pg_restart, redis_down, worker_kill
from bench.faults._topology import log, private_postgres


def main() -> int:
    results = {}
    with private_postgres():
        for script in (redis_down, pg_restart, worker_kill, disk_full):
            name = script.__name__.rsplit(".", 1)[-1]
            try:
                results[name] = script.main()
            except SystemExit as error:  # a setup step failed
                log(f"{name}: could not run: {error}")
                results[name] = 1
            log("")
    for name, code in results.items():
        log(f"{name:<12} {'ok' if code == 0 else 'FAILED'}")
    return 1 if any(results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
