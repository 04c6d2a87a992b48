"""The documentation site: a static site a 1C team browses instead of the configurator.

``build_site(snapshot, analyses, out)`` writes, from a snapshot and the analyses' output folders:

* ``index.html`` — overview (counts, objects per type, top-level subsystems, architecture charts);
* ``subsystems.html`` — the subsystem tree; each subsystem has its object page with its content;
* ``types.html``, ``types/<Type>.html`` — objects by type;
* ``objects/<Type>/<slug>.html`` — one page per metadata object: attributes with their types
  (linking to the referenced objects), modules, methods (signature, directives, export, doc comment
  with Параметры / Возвращаемое значение / Пример, lines, complexity), incoming and outgoing
  metadata references, calls and query reads, and the object's best-practice findings; a common
  module's page opens with its API reference (exported methods only);
* ``architecture.html``, ``dependencies.html``, ``best-practices.html``, ``dataset.html`` — what the
  analyses wrote (charts embedded, tables previewed); a page says so when an analysis was not given;
* ``problems.html`` — what the reader could not read (protected modules, broken files);
* ``search-index.js`` + ``assets/search.js`` — client-side search, no network.

URLs are ASCII, transliterated from the 1C names (see :mod:`.urls` for why and the exact scheme);
titles, headings and link texts show the real Cyrillic names and synonyms. Search design: see
:mod:`.search_index`. Everything is rendered by Jinja2 templates with autoescaping on: 1C names,
synonyms and doc comments are user content.
"""

from __future__ import annotations

from .build import build_site
from .command import add_parser

__all__ = ["add_parser", "build_site"]
