"""Anonymity benchmarks (called by `make bench`, or alone: ``python -m bench.anonymity``).

- ``assess_anonymity`` on 1,000,000 generated rows (3 quasi-identifiers, 1 sensitive
  attribute, a persistent pseudonym): reading time, then the assessment itself (metrics,
  verdict, generalisations and the re-run), median of runs, and the peak RSS of a child
  process doing the whole command;
- pycanon's k-anonymity and l-diversity on the same file, when a separate environment
  with pycanon exists (``PYCANON_PYTHON``, default /tmp/pycanon-venv/bin/python);
- the free-text scanner: notes of about 300 characters per second, on one core, with
  the French model loaded once.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ANONYMITY_ROWS", "1000000"))
RUNS = int(os.environ.get("BENCH_ANONYMITY_RUNS", "3"))
NOTES = int(os.environ.get("BENCH_ANONYMITY_NOTES", "3000"))
PYCANON_PYTHON = os.environ.get("PYCANON_PYTHON", "/tmp/pycanon-venv/bin/python")  # noqa: S108
ROOT = Path(__file__).resolve().parent.parent
QI = ["annee_naissance", "sexe", "code_postal"]


def write_extract(path: Path, rows: int = ROWS) -> None:
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]

    rng = np.random.default_rng(2026)
    postcodes = np.array([f"{d:02d}{c:03d}" for d in range(1, 96) for c in (0, 100, 200, 300)])
    frame = pd.DataFrame(
        {
            "patient_id": np.char.add("P", rng.integers(0, rows // 3, rows).astype(str)),
            "annee_naissance": rng.integers(1930, 2006, rows).astype(str),
            "sexe": rng.choice(np.array(["F", "M"]), rows),
            "code_postal": rng.choice(postcodes, rows),
            "diagnostic": rng.choice(np.array([f"D{i:03d}" for i in range(200)]), rows),
        }
    )
    frame.to_csv(path, sep=";", index=False)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def bench_assessment(path: Path) -> None:
    from anonymity.engine.assess import assess_frame
    from anonymity.engine.reader import read_extract

    roles = {c: "quasi_identifier" for c in QI}
    roles["diagnostic"] = "sensitive"
    roles["patient_id"] = "persistent_pseudonym"
    reads, measures, measures_rerun = [], [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        frame = read_extract(path, list(roles))
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = assess_frame(frame, roles, rerun=False)
        measures.append(time.perf_counter() - started)
        started = time.perf_counter()
        assess_frame(frame, roles, rerun=True)
        measures_rerun.append(time.perf_counter() - started)
    print(
        f"assess_anonymity, {len(frame):,} rows x 3 QI + 1 sensitive + 1 pseudonym: "
        f"read {_median(reads):.2f} s; assessment {_median(measures):.2f} s "
        f"({_median(measures_rerun):.2f} s with the generalised re-run) - medians of {RUNS}; "
        f"k={result['k_anonymity']}, classes={result['equivalence_classes']:,}"
    )
    code = (
        "import os, resource, sys, io; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
        "'compliance.settings'); import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('assess_anonymity', sys.argv[1], '--quasi-identifiers',"
        f"'{','.join(QI)}', '--sensitive', 'diagnostic', '--pseudonym-column', 'patient_id',"
        "stdout=io.StringIO());"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    started = time.perf_counter()
    out = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    peak_mb = int(out.stdout.strip().splitlines()[-1]) / 1024
    print(f"  whole command in a child process: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB")


def bench_pycanon(path: Path) -> None:
    if not Path(PYCANON_PYTHON).exists():
        print("  pycanon: no separate environment found, skipped")
        return
    script = (
        "import sys, time, pandas as pd; from pycanon import anonymity as a;"
        "d = pd.read_csv(sys.argv[1], sep=';', dtype=str); q = sys.argv[2].split(',');"
        "t = time.perf_counter(); k = a.k_anonymity(d, q); tk = time.perf_counter() - t;"
        "t = time.perf_counter(); l = a.l_diversity(d, q, ['diagnostic']);"
        "tl = time.perf_counter() - t; print(k, l, round(tk, 2), round(tl, 2))"
    )
    out = subprocess.run(  # noqa: S603
        [PYCANON_PYTHON, "-c", script, str(path), ",".join(QI)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(f"  pycanon (reference): k={out[0]} in {out[2]} s, l={out[1]} in {out[3]} s")


NOTE_PARTS = [
    "Patiente de {age} ans vue ce jour pour douleurs abdominales évoluant depuis {d} jours.",
    "Pas de fièvre, transit conservé, examen clinique rassurant, abdomen souple.",
    "Antécédents : hypertension artérielle traitée, cholécystectomie en 2015.",
    "Traitement habituel poursuivi, Doliprane si douleur, revoir dans {d} jours.",
    "Adressée par le Dr Martin pour avis, bilan biologique prescrit (NFS, CRP).",
    "Joignable au 06 12 34 56 78, vit seule à domicile, autonome.",
    "Patient séropositif VIH sous trithérapie, bonne observance.",
    "Accompagnée de sa fille Claire Dubois, qui souhaite être informée.",
    "Suivi au CHU de Lyon en cardiologie, échographie prévue.",
    # A name that no rule explains: only the French model finds it.
    "Vu avec son voisin, Gaspard Ollivier, présent pendant la consultation.",
]


def make_notes(count: int) -> list[str]:
    rng = random.Random(7)
    notes = []
    for _ in range(count):
        parts = rng.sample(NOTE_PARTS, 4)
        text = " ".join(parts).format(age=rng.randint(18, 95), d=rng.randint(2, 30))
        notes.append(text)
    return notes


def bench_scanner() -> None:
    code = (
        "import os, sys, time, json, statistics;"
        "os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]});"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'compliance.settings');"
        "import django; django.setup();"
        "from anonymity.scanner.names import load_model;"
        "from anonymity.scanner.scan import scan_notes;"
        "from bench.anonymity import make_notes; load_model();"
        f"notes = make_notes({NOTES}); runs = [];"
        "exec('for _ in range(3):\\n t = time.perf_counter(); scan_notes(notes); "
        "runs.append(time.perf_counter() - t)');"
        "mean = sum(map(len, notes)) / len(notes);"
        "print(json.dumps([len(notes), mean, statistics.median(runs)]))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    count, mean_chars, seconds = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"scan_free_text on one core: {count / seconds:,.0f} notes/s "
        f"({count} notes of ~{mean_chars:.0f} characters, model loaded once, median of 3)"
    )


def bench_anonymity() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "extract.csv"
        started = time.perf_counter()
        write_extract(path)
        print(f"anonymity: generated {ROWS:,} rows in {time.perf_counter() - started:.1f} s")
        bench_assessment(path)
        bench_pycanon(path)
    bench_scanner()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    import django

    django.setup()
    bench_anonymity()
