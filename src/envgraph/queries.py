"""The library of named SPARQL queries (data/queries/*.rq) and how to run them safely.

Each ``.rq`` file starts with comment lines that document it::

    # title: Funders
    # description: Who funds what …
    #   (continuation lines are indented)
    # param funder: only this funder (type: iri, optional)

Parameter types say how a ``--param key=value`` string becomes an RDF term:

* ``iri`` — an entity: a full IRI, ``<IRI>``, a prefixed name (``ent:organisation/gef``) or a
  *label*, resolved by exact, case-insensitive match on ``skos:prefLabel``, ``skos:altLabel`` or
  ``rdfs:label``. A label that matches several entities runs the query once for each and merges
  the rows; a label that matches none is bound as a literal, which matches nothing (no rows).
* ``class`` / ``property`` — an ontology term: ``Organisation`` or ``funds`` (local names in
  env:), a prefixed name or a full IRI.
* ``string`` — a plain literal.
* ``date`` — ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, bound as a string: the queries compare
  dates as text at the precision both sides have (see events.rq).

Every value is bound by the store (a VALUES block of escaped terms), never pasted into the
query text, so no value can change the query. ``?lang`` (``--lang``, default ``en``) is bound in
every query that mentions it; the queries pick labels in that language, falling back to English,
then to ``rdfs:label``.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as TypingLiteral

from rdflib import Literal, URIRef
from rdflib.term import Node

from envgraph import resources
from envgraph.errors import QueryError
from envgraph.ordering import sort_rows, split_order_by
from envgraph.settings import ONTOLOGY_NS
from envgraph.sparqlutil import expand_curie
from envgraph.store import QueryResult, Store

log = logging.getLogger(__name__)

ParamType = TypingLiteral["iri", "class", "property", "string", "date"]
PARAM_TYPES: tuple[str, ...] = ("iri", "class", "property", "string", "date")

_HEADER_RE = re.compile(r"^#\s*(title|description):\s*(.*)$")
_PARAM_RE = re.compile(
    r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*"
    r"\(type:\s*([a-z]+)\s*(,\s*optional)?\)\s*$"
)
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LOCAL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_MAX_COMBINATIONS = 50  # label lookups that match many entities: run at most this many queries

# the summary index holds each entity's labels once (the union repeats them per document)
_RESOLVE_LABEL = """
SELECT DISTINCT ?entity WHERE {
  GRAPH g:index { ?entity idx:skos-prefLabel|idx:skos-altLabel|idx:rdfs-label ?name }
  FILTER(isIRI(?entity) && LCASE(STR(?name)) = LCASE(STR(?label)))
}
ORDER BY ?entity"""


@dataclass(frozen=True, slots=True)
class QueryParam:
    """One documented parameter of a named query."""

    name: str
    description: str
    type: ParamType
    optional: bool


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query of the library: its name (file stem), documentation and SPARQL text."""

    name: str
    title: str
    description: str
    params: tuple[QueryParam, ...]
    text: str
    path: Path | None = None

    def param(self, name: str) -> QueryParam | None:
        return next((p for p in self.params if p.name == name), None)


def parse_query_file(path: Path) -> NamedQuery:
    """Read a ``.rq`` file and its header comments. Raises QueryError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise QueryError(f"cannot read query file {path}: {err}") from err
    return parse_query_text(text, name=path.stem, path=path)


def parse_query_text(text: str, *, name: str, path: Path | None = None) -> NamedQuery:
    """Parse the header comments of a query (title, description, params)."""
    title = ""
    description: list[str] = []
    params: list[QueryParam] = []
    current: str | None = None
    where = str(path) if path else name
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if match := _PARAM_RE.match(stripped):
            pname, pdesc, ptype, optional = match.groups()
            if ptype not in PARAM_TYPES:
                raise QueryError(
                    f"{where}:{number}: parameter {pname!r} has unknown type {ptype!r}; "
                    f"use one of {', '.join(PARAM_TYPES)}"
                )
            params.append(QueryParam(pname, pdesc, ptype, bool(optional)))  # type: ignore[arg-type]
            current = None
        elif stripped.startswith("# param"):
            raise QueryError(
                f"{where}:{number}: malformed parameter line; write "
                "'# param NAME: meaning (type: iri|class|property|string|date[, optional])'"
            )
        elif match := _HEADER_RE.match(stripped):
            key, value = match.groups()
            if key == "title":
                title = value.strip()
                current = None
            else:
                description = [value.strip()]
                current = "description"
        elif current == "description" and re.match(r"^#\s{2,}\S", stripped):
            description.append(stripped.lstrip("#").strip())
        else:
            current = None
    return NamedQuery(
        name=name,
        title=title or name,
        description=" ".join(d for d in description if d),
        params=tuple(params),
        text=text,
        path=path,
    )


def queries_dir() -> Path:
    """The folder of the packaged named queries."""
    return resources.data_dir("queries")


def list_queries(folder: Path | None = None) -> list[NamedQuery]:
    """All named queries, sorted by name."""
    where = folder or queries_dir()
    return [parse_query_file(p) for p in sorted(where.glob("*.rq"))]


def load_query(name: str, folder: Path | None = None) -> NamedQuery:
    """The named query ``name`` (file stem). Raises QueryError listing the known names."""
    where = folder or queries_dir()
    path = where / f"{name}.rq"
    if not re.match(r"^[A-Za-z0-9_\-]+$", name) or not path.is_file():
        known = ", ".join(q.name for q in list_queries(where))
        raise QueryError(f"no named query {name!r}; known queries: {known}")
    return parse_query_file(path)


def resolve_query(spec: str, folder: Path | None = None) -> NamedQuery:
    """A query given as a name of the library, a path to a ``.rq`` file, or SPARQL text."""
    text = spec.strip()
    if re.match(r"^[A-Za-z0-9_\-]+$", text):
        return load_query(text, folder)
    if "\n" not in text and text.endswith((".rq", ".sparql")):
        path = Path(text)
        if not path.is_file():
            raise QueryError(f"no such query file: {path}")
        return parse_query_file(path)
    return parse_query_text(spec, name="inline")


# --- parameter values ------------------------------------------------------------------------


def resolve_label(store: Store, label: str) -> list[URIRef]:
    """Entities with ``label`` as a prefLabel, altLabel or rdfs:label (exact, case-insensitive),
    read from the summary index. The label is bound as a literal; it never becomes query text."""
    check_index(store)
    rows = store.query(_RESOLVE_LABEL, {"label": Literal(label)}).rows
    return [r[0] for r in rows if isinstance(r[0], URIRef)]


def param_values(store: Store, param: QueryParam | None, value: str) -> list[Node]:
    """The candidate RDF terms for one ``--param`` value (several when a label is ambiguous)."""
    kind = param.type if param else "auto"
    if kind == "string":
        return [Literal(value)]
    if kind == "date":
        if not _DATE_RE.match(value.strip()):
            log.warning(
                "parameter %s=%r is not a date (YYYY, YYYY-MM or YYYY-MM-DD); it is compared as text",
                param.name if param else "?",
                value,
            )
        return [Literal(value.strip())]
    iri = expand_curie(value)
    if kind in ("class", "property"):
        if iri is not None:
            return [URIRef(iri)]
        if _LOCAL_RE.match(value.strip()):
            return [URIRef(ONTOLOGY_NS + value.strip())]
        return [Literal(value)]
    if iri is not None:
        return [URIRef(iri)]
    if kind == "auto":
        return [Literal(value)]
    found: list[Node] = list(resolve_label(store, value.strip()))
    return found or [Literal(value)]  # an unknown label matches nothing


def query_body(text: str) -> str:
    """The query text without its full-line comments."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _mentions_index(text: str) -> bool:
    """True when a query reads the summary index (``g:index`` or the ``idx:`` vocabulary)."""
    return re.search(r"\bg:index\b|\bidx:|envgraph/graph/index>", query_body(text)) is not None


def check_index(store: Store) -> None:
    """The summary index must be fresh before a query reads it (see envgraph.index); stores
    without the envgraph store API (e.g. a plain rdflib wrapper) are taken as they are."""
    if not hasattr(store, "location") or not hasattr(store, "read_only"):
        return
    from envgraph.index import check_index as check

    check(store)


def _mentions_variable(text: str, name: str) -> bool:
    return re.search(rf"[?$]{re.escape(name)}\b", query_body(text)) is not None


def run_query(
    store: Store,
    query: NamedQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    lang: str = "en",
) -> QueryResult:
    """Run a named query (or a query object from :func:`resolve_query`) with string parameters.

    Unknown parameter names and missing required parameters raise QueryError; parameter
    *values* are never rejected: a value that matches nothing gives no rows.
    """
    named = resolve_query(query) if isinstance(query, str) else query
    if _mentions_index(named.text):
        check_index(store)
    given = dict(params or {})
    if named.params:
        known = {p.name for p in named.params}
        unknown = sorted(set(given) - known - {"lang"})
        if unknown:
            raise QueryError(
                f"query {named.name!r} has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(sorted(known)) or 'none'}"
            )
        missing = [p.name for p in named.params if not p.optional and p.name not in given]
        if missing:
            raise QueryError(
                f"query {named.name!r} needs --param {missing[0]}=…: "
                f"{named.param(missing[0]).description}"  # type: ignore[union-attr]
            )
    lang_value = given.pop("lang", lang).strip() or "en"
    if not _LANG_RE.match(lang_value):
        log.warning("--lang %r is not a language tag; labels fall back to English", lang_value)

    choices: list[tuple[str, list[Node]]] = [
        (key, param_values(store, named.param(key), value)) for key, value in given.items()
    ]
    fixed: dict[str, Node] = {}
    if _mentions_variable(named.text, "lang"):
        fixed["lang"] = Literal(lang_value)
    combos = list(itertools.islice(itertools.product(*(c for _, c in choices)), _MAX_COMBINATIONS))
    result: QueryResult | None = None
    seen: set[tuple[Node | None, ...]] = set()
    for combo in combos:
        bindings = {**fixed, **{key: node for (key, _), node in zip(choices, combo)}}
        answer = _ordered_query(store, named.text, bindings)
        if result is None:
            result = answer
            if len(combos) > 1:  # hashing every row costs: only when answers are merged
                seen.update(answer.rows)
            continue
        for row in answer.rows:
            if row not in seen:
                seen.add(row)
                result.rows.append(row)
    assert result is not None  # product of non-empty lists is never empty
    return result


def _ordered_query(store: Store, text: str, bindings: Mapping[str, Node]) -> QueryResult:
    """Run a query; a trailing ORDER BY on plain variables is applied in Python (see
    envgraph.ordering: the engine's string comparisons are the slow part of such a sort)."""
    split = split_order_by(query_body(text))
    if split is None:
        return store.query(text, bindings)
    unordered, keys = split
    answer = store.query(unordered, bindings)
    if answer.kind != "select" or any(k.var not in answer.vars for k in keys):
        return store.query(text, bindings)  # sorts on something not projected: the engine's
    answer.rows[:] = sort_rows(answer.vars, answer.rows, keys)
    return answer


def describe(query: NamedQuery) -> str:
    """A short help text for one query: title, description and parameters."""
    lines = [f"{query.name}: {query.title}", f"  {query.description}"]
    for p in query.params:
        flag = "optional" if p.optional else "required"
        lines.append(f"  --param {p.name}=…  {p.description} ({p.type}, {flag})")
    return "\n".join(lines)


def check_library(queries: Sequence[NamedQuery]) -> list[str]:
    """Problems in the library: missing titles or descriptions, parameters never used."""
    problems = []
    for q in queries:
        if not q.description or q.title == q.name:
            problems.append(f"{q.name}: missing title or description")
        for p in q.params:
            if not _mentions_variable(q.text, p.name):
                problems.append(f"{q.name}: parameter {p.name} is not used in the query")
    return problems
