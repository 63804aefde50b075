"""A FileSystemStorage whose disk is full: it accepts ``EGIDE_FAULT_SPACE_BYTES`` bytes
(1 KiB by default) of each file, writes them at the file's final path, as a real full
disk leaves them, then raises ENOSPC. Select it with
``STORAGES["default"]["BACKEND"] = "bench.faults.enospc.FullDiskStorage"`` (the pytest
test of tests/faults/ does; ``disk_full.py`` uses a real tmpfs when it may mount one)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        space = int(os.environ.get("EGIDE_FAULT_SPACE_BYTES", "1024"))
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        written = 0
        with target.open("xb") as handle:
            for chunk in content.chunks():
                room = space - written
                handle.write(chunk[:room])
                written += min(len(chunk), room)
                if len(chunk) > room:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return name
