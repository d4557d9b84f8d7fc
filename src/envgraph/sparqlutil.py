"""SPARQL text helpers shared by the store backends: safe term serialisation, VALUES injection,
default prefixes and the conversion between rdflib and pyoxigraph terms.

Why a module of its own: both backends build SPARQL text (``INSERT DATA`` for atomic document
replacement, ``VALUES`` for bound parameters on remote servers), and the only safe way to put a
user value into query text is to serialise it as an RDF term with every special character
escaped. Everything that writes terms into SPARQL goes through :func:`sparql_term`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from envgraph.errors import QueryError
from envgraph.vocab import PREFIXES

#: Prefixes every query may use without declaring them (the contract's table, from vocab).
DEFAULT_PREFIXES: dict[str, str] = dict(PREFIXES)

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# IRIREF of the SPARQL/Turtle grammars: no controls, space, <>"{}|^`\ inside.
_IRI_RE = re.compile(r'^[^\x00-\x20<>"{}|^`\\]+$')
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_BNODE_SAFE_RE = re.compile(r"[^A-Za-z0-9_]")
_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')  # backslash, quote, every C0 control, DEL
_OTHER_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def is_valid_iri(value: str) -> bool:
    """True if ``value`` is an absolute IRI that can be written as ``<value>`` in SPARQL."""
    return bool(_IRI_RE.match(value)) and bool(_SCHEME_RE.match(value))


def escape_string(value: str) -> str:
    """Escape a string for a double-quoted SPARQL/N-Triples literal.

    Backslashes are escaped first, so a value containing the six characters ``\\u0022`` stays
    those six characters and cannot turn into a quote.
    """
    if not _NEEDS_ESCAPE.search(value):  # most strings: nothing to escape
        return value
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    out = out.replace("\b", "\\b").replace("\f", "\\f")
    # Remaining C0 controls are legal in SPARQL strings but unreadable; write them as UCHARs.
    return _OTHER_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04X}", out)


def sparql_term(node: Node) -> str:
    """Serialise an rdflib term as SPARQL/N-Triples text, escaping everything.

    Raises :class:`QueryError` for an IRI that is not a valid absolute IRI or an invalid
    language tag: such a value cannot be a term, and pasting it would change the query.
    """
    if isinstance(node, URIRef):
        iri = str(node)
        if not is_valid_iri(iri):
            raise QueryError(f"not a valid absolute IRI: {iri!r}")
        return f"<{iri}>"
    if isinstance(node, Literal):
        text = f'"{escape_string(str(node))}"'
        if node.language:
            if not _LANG_RE.match(node.language):
                raise QueryError(f"not a valid language tag: {node.language!r}")
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{text}^^{sparql_term(URIRef(node.datatype))}"
        return text
    if isinstance(node, BNode):
        return "_:" + ("b" + _BNODE_SAFE_RE.sub("_", str(node)))
    raise QueryError(f"cannot write {node!r} as a SPARQL term")


def to_node(value: Node | str) -> Node:
    """A binding value as an rdflib term: terms stay, plain strings become ``xsd:string`` literals."""
    if isinstance(value, (URIRef, Literal, BNode)):
        return value
    if isinstance(value, str):
        return Literal(value)
    raise QueryError(f"cannot bind {value!r}: give an rdflib term or a string")


def check_variable(name: str) -> str:
    """Return the variable name without ``?``/``$``; reject names that are not SPARQL VARNAMEs."""
    bare = name.lstrip("?$")
    if not _VAR_RE.match(bare):
        raise QueryError(f"not a valid SPARQL variable name: {name!r}")
    return bare


# --- rdflib <-> pyoxigraph ---------------------------------------------------------------


def to_ox(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to a pyoxigraph term (raises QueryError on invalid IRIs)."""
    try:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return ox.BlankNode(_BNODE_SAFE_RE.sub("_", str(node)))
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is not None:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
    except ValueError as err:
        raise QueryError(f"cannot use {node!r} as an RDF term: {err}") from err
    raise QueryError(f"cannot convert {node!r} to an RDF term")


def from_ox(term: object) -> Node:
    """Convert a pyoxigraph term to rdflib. ``xsd:string`` literals become plain literals,
    as rdflib parsers produce them, so graphs compare equal whichever way they were read."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANGSTRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        raise QueryError("the default graph is not a term")
    raise QueryError(f"unsupported RDF term {term!r} (RDF-star triples are not used by envgraph)")


# --- query text ------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^\x00-\x20<>"{}|^`\\]*>)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> Iterable[tuple[str, str, int]]:
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "other"
        yield kind, match.group(), match.start()


def where_brace(text: str) -> int | None:
    """Offset of the ``{`` that opens the WHERE pattern of a query, or ``None`` when the query
    has no separate WHERE group (``CONSTRUCT WHERE { … }``), ignoring braces in strings, IRIs
    and comments."""
    form: str | None = None
    depth = 0
    template_done = False
    previous_word = ""
    for kind, value, offset in _tokens(text):
        if kind == "word" and depth == 0:
            upper = value.upper()
            if form is None and upper in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                form = upper
            previous_word = upper
            continue
        if kind == "open":
            if depth == 0:
                if form == "CONSTRUCT" and not template_done:
                    if previous_word == "WHERE":
                        return None  # short form: the template is the pattern
                    depth += 1
                    continue
                return offset
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0 and form == "CONSTRUCT":
                template_done = True
    return None


def values_clause(rows: Sequence[Mapping[str, Node]]) -> str:
    """A ``VALUES (?a ?b) { (… …) }`` block for binding rows; every value goes through
    :func:`sparql_term`. Blank nodes cannot be bound (they would act as fresh variables)."""
    names: list[str] = []
    for row in rows:
        for name in row:
            bare = check_variable(name)
            if bare not in names:
                names.append(bare)
    cells: list[str] = []
    for row in rows:
        bare_row = {check_variable(k): v for k, v in row.items()}
        values = []
        for name in names:
            node = bare_row.get(name)
            if node is None:
                values.append("UNDEF")
            elif isinstance(node, BNode):
                raise QueryError(f"cannot bind ?{name} to a blank node")
            else:
                values.append(sparql_term(node))
        cells.append("(" + " ".join(values) + ")")
    head = " ".join("?" + n for n in names)
    return f"VALUES ({head}) {{ {' '.join(cells)} }}"


def bind_with_values(text: str, bindings: Mapping[str, Node]) -> str:
    """Bind variables by a VALUES block placed first inside the WHERE group.

    At the start of the group the VALUES block is joined with the rest of the pattern, so the
    variables are bound while OPTIONAL, FILTER and aggregates are evaluated (a trailing VALUES
    clause would only filter the final rows). Bound values do not reach into sub-SELECTs; the
    named queries do not use parameters inside sub-queries.
    """
    if not bindings:
        return text
    block = values_clause([bindings])
    brace = where_brace(text)
    if brace is None:
        return f"{text}\n{block}"
    return f"{text[: brace + 1]} {block} {text[brace + 1 :]}"


def prefix_block(prefixes: Mapping[str, str] = DEFAULT_PREFIXES) -> str:
    """PREFIX declarations for ``prefixes``, to prepend to query text sent to a remote server."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())


def expand_curie(value: str, prefixes: Mapping[str, str] = DEFAULT_PREFIXES) -> str | None:
    """``ent:organisation/gef`` → full IRI; ``<…>`` → its content; an absolute IRI stays.
    Returns ``None`` when ``value`` is none of these (a label, for instance)."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
        return text if is_valid_iri(text) else None
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        candidate = prefixes[prefix] + local
        return candidate if is_valid_iri(candidate) else None
    if text.startswith(("http://", "https://", "urn:")) and is_valid_iri(text):
        return text
    return None


def compact_iri(iri: str, prefixes: Mapping[str, str] = DEFAULT_PREFIXES) -> str:
    """The shortest ``prefix:local`` form of ``iri``, for display only."""
    best = iri
    for name, base in prefixes.items():
        if iri.startswith(base) and len(name) + 1 + len(iri) - len(base) < len(best):
            best = f"{name}:{iri[len(base):]}"
    return best


def json_term(node: Node) -> dict[str, str]:
    """An RDF term as a SPARQL 1.1 Query Results JSON binding."""
    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    assert isinstance(node, Literal)
    out = {"type": "literal", "value": str(node)}
    if node.language:
        out["xml:lang"] = node.language
    elif node.datatype is not None:
        out["datatype"] = str(node.datatype)
    return out
