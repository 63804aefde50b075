"""Bad input must never take Egide down (issue 10, "Fuzzing and bad input").

What is covered, and how to run it: ``.venv/bin/pytest -n 0 tests/hostile``.

- Property-based tests (hypothesis, profile ``hostile`` in conftest.py: few examples,
  derandomized so a failure reproduces; ``HOSTILE_PROFILE=hostile-deep`` runs many more)
  on every parser of user input:

  - catalogue import (controls.services.interop / catalogues): any text, any JSON-like
    tree, OSCAL and CISO Assistant conversions end in ``CatalogueError`` or a document;
    Egide -> OSCAL -> Egide gives the same catalogue back;
  - processing-register import (privacy.interop): any bytes end in ``ImportRejected``
    or an import; export then import gives the same register (CSV and XLSX, French and
    English), formula cells included;
  - anonymity extracts (anonymity.engine.reader, roles): any bytes end in
    ``ExtractError`` or a table; a CSV in UTF-8, UTF-8 with BOM or Latin-1 reads back
    what was written; the free-text scanner never fails on any unicode, is deterministic
    and its spans stay inside the note;
  - the evidence type sniffer (evidence.sniffing) on any bytes and any name.

- Pathological inputs with a time bound (generous, a few seconds on a loaded CI
  machine; each names the input that once took minutes): a 1 MB single line, deeply
  nested JSON and YAML, YAML alias "billion laughs", quote-heavy CSV that made the
  delimiter sniffer quadratic, the scanner's regular expressions on long runs.

- Hostile files, each built inside its test (test_files.py): a zip bomb disguised as
  XLSX, XLSX with XXE and billion-laughs XML parts, an OSCAL/XML file with an external
  entity, an SVG with a script uploaded as evidence, filenames with path traversal,
  absolute paths, NUL bytes, 300 characters and right-to-left override in every
  upload, CSV in UTF-8 with BOM / UTF-16 / Latin-1, formula-injection cells imported
  then exported, an empty file, a file whose extension lies. Each ends in a message
  naming the problem (a 400 or a form error), leaves no row and no file behind, and
  never a 500.
"""
