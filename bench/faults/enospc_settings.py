"""Egide's settings with a full disk (``bench.faults.enospc.FullDiskStorage``) as the
default storage: disk_full.py's fallback where a tmpfs cannot be mounted."""

from compliance.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "bench.faults.enospc.FullDiskStorage"},
}
