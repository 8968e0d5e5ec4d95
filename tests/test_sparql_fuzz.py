"""Generated malformed and hostile SPARQL against a real ``/sparql``: never a server error.

Thousands of requests, sequentially, to one server (hypothesis, derandomised, no example
database, so every run sends the same requests):

* mutations of valid queries (the named queries in ``queries/*.rq`` and hand-written
  SELECT / ASK / CONSTRUCT / DESCRIBE): truncation, deleted / inserted / duplicated
  characters and tokens, unbalanced brackets and quotes, swapped keywords, and injected
  fragments (IRIs with spaces, bad escapes, NUL and control characters, lone surrogates,
  very long literals, thousands of ``{``, huge numbers, unknown prefixes and functions,
  VALUES of the wrong arity, misused aggregates);
* hostile queries that parse: deep nesting of every construct up to the size limit, long
  chains, unknown functions, RDF 1.2 terms asked for in every format;
* random unicode text and token soup;
* protocol garbage: wrong or missing Content-Type, bodies that are not UTF-8, repeated
  ``query=``, query and update together, unknown ``Accept`` types, ``default-graph-uri``
  / ``named-graph-uri`` that are not IRIs, queries beyond ``max_query_bytes``, odd methods
  and ``Host`` headers.

Each query goes by GET, POST form or POST ``application/sparql-query`` (drawn). The raw
requests are sent with ``http.client``, so a lone surrogate reaches the server as the
invalid UTF-8 it encodes to, and a GET may carry a query longer than httpx allows.

What counts as an answer (``check``):

* every status is < 500, except the time limit: the service answers a query stopped at
  ``query_timeout_s`` (2 s here) with 503 and the problem ``Query time limit``
  (``query-timeout``, ``limit_s``). That 503 is accepted, and only that one: a 503 busy
  cannot happen with one request at a time and more workers than that, so it fails, as
  does every 500. The time-limit problem carries no ``Retry-After`` (the service sends
  it with "Too many queries" only: a retry of a query that ran out of time would run out
  again), so it is not required. pyoxigraph parses and plans a query in one call (the
  planner of a 1000-pattern group outlasts the limit on an empty store), so a timeout
  cannot be told to come from a query that parses; it is accepted for any query, counted,
  and bounded (at most a tenth of a family's requests) so the fuzzing cannot turn into
  waiting;
* every 4xx is ``application/problem+json`` with type, title, status, detail; a
  "Malformed query" names where the parser stopped (``error at line:column``) or what
  the engine does not support;
* every 200 is one of the media types the endpoint serves;
* no request hangs (30 s socket timeout) and the endpoint answers a plain ASK after each
  family.
"""

from __future__ import annotations

import http.client
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ingest import build
from ontology import DEFAULT_BASE
from service import catalogue
from tests.conftest import ROOT, running_server

MAX_QUERY_BYTES = 100_000
TIMEOUT_S = 2.0
GRAPH = "https://w3id.org/datawork-kg/id/graph/work/004"

# the named queries as the service runs them: with their example parameters bound
NAMED = [
    q.bind(q.examples[0] if q.examples else {}, DEFAULT_BASE)
    for _, q in sorted(catalogue.load(ROOT / "queries").items())
]
HAND = [
    "SELECT ?w ?id WHERE { ?w dw:workId ?id } ORDER BY ?id",
    "SELECT ?v WHERE { ?p dw:pageLabel ?v ; c4o:hasContent ?t "
    "FILTER(CONTAINS(?t, 'Pivotal to the future')) } LIMIT 5",
    "SELECT ?s ?label WHERE { ?s skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), 'en')) }"
    " ORDER BY DESC(?label) LIMIT 10 OFFSET 2",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a dw:Work } } GROUP BY ?g HAVING (?n > 0)",
    'SELECT * WHERE { VALUES (?a ?b) { (1 2) (3 UNDEF) } BIND(?a + ?b AS ?c) FILTER(?a != "x") }',
    "SELECT ?x WHERE { ?x a dw:Work OPTIONAL { ?x dw:workId ?id } MINUS { ?x dw:workId '000' } }",
    "SELECT (GROUP_CONCAT(?id; SEPARATOR=', ') AS ?ids) (SAMPLE(?w) AS ?one) "
    "WHERE { ?w dw:workId ?id }",
    "SELECT ?s WHERE { ?s skos:prefLabel|skos:altLabel ?l . FILTER(REGEX(STR(?l), '^D', 'i')) }"
    " LIMIT 5",
    "ASK { ?w dw:workId '003' }",
    "ASK { FILTER(STRLEN(CONCAT('a', STR(1))) = 2 && IF(true, 1, 0) = 1) }",
    "CONSTRUCT { ?w dw:workId ?id } WHERE { ?w dw:workId ?id }",
    "CONSTRUCT WHERE { ?w a dw:Work }",
    "DESCRIBE <https://w3id.org/datawork-kg/id/entity/didi>",
    "DESCRIBE ?w WHERE { ?w dw:workId '001' }",
]
SEEDS = NAMED + HAND

KEYWORDS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "GRAPH", "SERVICE", "BIND", "VALUES", "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "OFFSET",
    "DISTINCT", "REDUCED", "FROM", "NAMED", "PREFIX", "BASE", "AS", "UNDEF", "a", "COUNT", "SUM",
    "AVG", "MIN", "MAX", "SAMPLE", "GROUP_CONCAT", "EXISTS", "NOT", "IN", "IF", "COALESCE",
    "REGEX", "STR", "LANG", "DATATYPE", "IRI", "BNODE", "CONCAT", "SUBSTR", "STRLEN", "NOW",
    "RAND", "TRIPLE", "LOAD", "CLEAR", "DROP", "INSERT", "DELETE", "DATA",
]  # fmt: skip
KEYWORD = re.compile(r"\b(" + "|".join(KEYWORDS) + r")\b", re.IGNORECASE)
TOKENS = re.compile(r"\s+|<[^<>\s]*>|\"[^\"]*\"|'[^']*'|[?$]\w+|\w+:\w*|\w+|.", re.DOTALL)

# what may be inserted one character at a time
NASTY = "{}()[]<>\"'\\?$.;,^|/*+-!#@:=&_%`~\x00\x01\x08\x0b\x1b\x7f\x85\u2028\ufeff\ud800\udfff"
CHARS = st.one_of(
    st.sampled_from(NASTY),
    st.characters(categories=["Cs", "Cc", "Cf", "Co", "Lu", "Ll", "Lo", "Nd", "P", "S", "Z"]),
)
FRAGMENTS = st.one_of(
    st.sampled_from(
        [
            " <a b> ",
            " <http://ex/ x> ",
            " <> ",
            " <:> ",
            " <http://[::1> ",
            " <\x00> ",
            ' "\\q" ',
            ' "\\u12" ',
            ' "\\uD800" ',
            ' "\\U0011FFFF" ',
            " '\\' ",
            ' """open ',
            ' "a\nb" ',
            " \x00 ",
            " \x01\x02 ",
            " \ud800 ",
            " \udfff\ud800 ",
            " \ufeff ",
            " zz:unknown ",
            " ?x zz:p ?y . ",
            " <http://example.org/fn>(?x) ",
            " zz:fn(1) ",
            " FILTER(<urn:f>(1, 2)) ",
            " BIND(xsd:nope('1') AS ?q) ",
            " ORDER BY <urn:f>(?x) ",
            " VALUES (?a ?b) { (1) (1 2 3) } ",
            " VALUES ?a { (1 2) } ",
            " VALUES () { () } ",
            " (COUNT(COUNT(?x)) AS ?n) ",
            " (SUM(?x) AS ?x) ",
            " GROUP BY (AVG(?y)) ",
            " HAVING (COUNT(*) > 'x') ",
            " (GROUP_CONCAT(?x; SEPARATOR=1) AS ?g) ",
            " (SAMPLE(*) AS ?s) ",
            " (MAX(DISTINCT) AS ?m) ",
            " SELECT ?x (COUNT(?y) AS ?c) ",
            " <<( ?s ?p ?o )>> ",
            " << ?s ?p ?o >> ",
            " ~ ?r ",
            " ? ",
            " $ ",
            " ?1x ",
            " # ",
            " # }\n",
            ' "x"@ ',
            ' "x"@en--rtl ',
            ' "x"^^<a b> ',
            ' "abc"^^xsd:integer ',
            ' "9999999999-99-99"^^xsd:date ',
            " 1e99999 ",
            " -0.0e-99999 ",
            " 0x1F ",
            " .5. ",
            " SERVICE <http://example.org/s> { } ",
            " FROM <not an iri> ",
            " FROM NAMED <x> ",
        ]
    ),
    st.integers(1, 500).map(lambda n: " " + "9" * n + " "),
    st.integers(1, 60_000).map(lambda n: ' "' + "a" * n + '" '),
    st.integers(1, 1_000).map(lambda n: " ?" + "v" * n + " "),
    st.tuples(st.integers(1, 5_000), st.integers(0, 5_000)).map(lambda t: "{" * t[0] + "}" * t[1]),
    st.tuples(st.integers(1, 5_000), st.integers(0, 5_000)).map(lambda t: "(" * t[0] + ")" * t[1]),
    st.sampled_from(KEYWORDS).map(lambda k: f" {k} "),
)


# ------------------------------------------------------------------------- mutations


def _at(draw: st.DrawFn, q: str) -> int:
    return draw(st.integers(0, len(q)))


def _truncate(draw: st.DrawFn, q: str) -> str:
    return q[: _at(draw, q)]


def _delete(draw: st.DrawFn, q: str) -> str:
    i = _at(draw, q)
    return q[:i] + q[i + draw(st.integers(1, 12)) :]


def _insert(draw: st.DrawFn, q: str) -> str:
    i = _at(draw, q)
    return q[:i] + draw(st.text(CHARS, min_size=1, max_size=8)) + q[i:]


def _duplicate(draw: st.DrawFn, q: str) -> str:
    i = _at(draw, q)
    j = min(len(q), i + draw(st.integers(1, 40)))
    return q[:j] + q[i:j] * draw(st.integers(1, 3)) + q[j:]


def _tokens(draw: st.DrawFn, q: str) -> str:
    toks = TOKENS.findall(q) or [q]
    i = draw(st.integers(0, len(toks) - 1))
    op = draw(st.sampled_from(["delete", "duplicate", "swap", "keyword"]))
    if op == "delete":
        del toks[i]
    elif op == "duplicate":
        toks.insert(i, toks[i])
    elif op == "swap":
        j = draw(st.integers(0, len(toks) - 1))
        toks[i], toks[j] = toks[j], toks[i]
    else:
        toks.insert(i, f" {draw(st.sampled_from(KEYWORDS))} ")
    return "".join(toks)


def _swap_keyword(draw: st.DrawFn, q: str) -> str:
    found = list(KEYWORD.finditer(q))
    if not found:
        return q
    m = found[draw(st.integers(0, len(found) - 1))]
    return q[: m.start()] + draw(st.sampled_from(KEYWORDS)) + q[m.end() :]


def _unbalance(draw: st.DrawFn, q: str) -> str:
    c = draw(st.sampled_from("{}()[]<>\"'"))
    places = [m.start() for m in re.finditer(re.escape(c), q)]
    if places and draw(st.booleans()):
        i = draw(st.sampled_from(places))
        return q[:i] + q[i + 1 :]
    i = _at(draw, q)
    return q[:i] + c * draw(st.integers(1, 3)) + q[i:]


def _inject(draw: st.DrawFn, q: str) -> str:
    i = _at(draw, q)
    return q[:i] + draw(FRAGMENTS) + q[i:]


MUTATIONS: list[Callable[[st.DrawFn, str], str]] = [
    _truncate, _delete, _insert, _duplicate, _tokens, _swap_keyword, _unbalance, _inject,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> str:
    q = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        q = draw(st.sampled_from(MUTATIONS))(draw, q)
    return q


# --------------------------------------------------- hostile queries that parse (mostly)

NESTINGS: dict[str, tuple[str, str, str, str, str]] = {
    # name: (before, open, middle, close, after): before + open*n + middle + close*n + after
    "group": ("SELECT * WHERE ", "{", "", "}", ""),
    "paren": ("ASK { FILTER(", "(", "1", ")", ") }"),
    "not": ("ASK { FILTER(", "!(", "true", ")", ") }"),
    "minus": ("ASK { FILTER(", "-(", "1", ")", " < 2) }"),
    "coalesce": ("ASK { FILTER(", "COALESCE(", "1", ")", ") }"),
    "optional": ("ASK { ", "?s ?p ?o OPTIONAL { ", "", "}", " }"),
    "subselect": ("SELECT * { ", "{ SELECT * { ", "", "}}", " }"),
    "exists": ("ASK { ", "FILTER EXISTS { ", "", "}", " }"),
    "graph": ("ASK { ", "GRAPH ?g { ", "", "}", " }"),
    "list": ("ASK { ?s ?p ", "(", "", ")", " }"),
    "blank": ("ASK { ?s ?p ", "[ ?q ", "?o", " ]", " }"),
    "path": ("ASK { ?s ", "(", "dw:workId", ")", " ?o }"),
    "triple-term": ("ASK { ?a ?b ", "<<( ?s ?p ", "?o", " )>>", " }"),
}


def nesting(name: str, n: int, closes: int | None = None) -> str:
    before, open_, middle, close, after = NESTINGS[name]
    return before + open_ * n + middle + close * (n if closes is None else closes) + after


def room(name: str) -> int:
    """The deepest nesting of ``name`` that fits in max_query_bytes."""
    before, open_, middle, close, after = NESTINGS[name]
    return (MAX_QUERY_BYTES - len(before + middle + after)) // len(open_ + close)


@st.composite
def nested(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(NESTINGS)))
    n = draw(st.one_of(st.integers(1, 5_000), st.just(room(name)), st.integers(1, 2 * room(name))))
    balanced = draw(st.integers(0, 3)) > 0  # mostly
    return nesting(name, n, None if balanced else draw(st.integers(0, n)))


CHAINS: dict[str, tuple[str, str, str]] = {
    "and": ("ASK { FILTER(1", " && 1", ") }"),
    "plus": ("ASK { FILTER(1", " + 1", ") }"),
    "union": ("ASK { {}", " UNION {}", " }"),
    "filters": ("ASK { ?s a dw:Work", " FILTER(1)", " }"),
    "binds": ("SELECT * { ", "BIND(1 AS ?v) ", "}"),  # ?v0 ?v1 ...
    "values": ("SELECT * { VALUES ?x {", " 1", " } }"),
    "in": ("ASK { FILTER(1 IN (1", ", 2", ")) }"),
    "concat": ("SELECT (CONCAT('a'", ", 'a'", ") AS ?c) {}"),
    "alternatives": ("ASK { ?s dw:workId", "|dw:workId", " ?o }"),
    "sequence": ("ASK { ?s dw:workId", "/dw:workId", " ?o }"),
}


@st.composite
def chained(draw: st.DrawFn) -> str:
    head, link, tail = CHAINS[draw(st.sampled_from(sorted(CHAINS)))]
    most = (MAX_QUERY_BYTES - len(head) - len(tail)) // len(link)
    # the longest chains mostly run out of time (the planner is quadratic): a few of them
    n = draw(st.one_of(*[st.integers(1, 3_000)] * 3, st.just(most)))
    if link.startswith("BIND"):
        return head + "".join(f"BIND({i} AS ?v{i}) " for i in range(n // 2)) + tail
    return head + link * n + tail


TERMS = [
    "<<( <http://e/s> <http://e/p> 1 )>>", '"x"@en--rtl', '"x"@en', "_:b", "<http://e/o>",
    '"\\u0000\\n\\"<&>"', '"1"^^<http://e/weird type>', '"1"^^xsd:integer', "'NaN'^^xsd:double",
]  # fmt: skip
OTHERS = [
    "SELECT (<http://example.org/fn>(1) AS ?x) {}",
    "SELECT * { ?w dw:workId ?id FILTER(zz:fn(?id)) }",
    "SELECT * { ?w dw:workId ?id FILTER(<urn:x:f>(?id)) }",
    "SELECT ?w { ?w dw:workId ?id } ORDER BY <http://example.org/rank>(?w)",
    "SELECT * { VALUES (?a ?b) { (1) } }",
    "SELECT * { VALUES (?a ?b) { (1 2 3) } }",
    "SELECT ?w (COUNT(?id) AS ?n) { ?w dw:workId ?id }",
    "SELECT (COUNT(COUNT(?id)) AS ?n) { ?w dw:workId ?id }",
    "SELECT (SUM(?id) AS ?id) { ?w dw:workId ?id }",
    "SELECT ?id { ?w dw:workId ?id } GROUP BY (AVG(?w))",
    "SELECT * { ?w dw:workId ?id } LIMIT 99999999999999999999999999999",
    "SELECT * { ?w dw:workId ?id } OFFSET 18446744073709551616 LIMIT 1",
    "SELECT (99999999999999999999999999999 * 99999999999999999999999999 AS ?x) {}",
    "SELECT (1e308 * 1e308 AS ?x) (-1 / 0 AS ?y) (1 / 0.0 AS ?z) {}",
    "SELECT (SUBSTR('abc', -9223372036854775808, 9223372036854775807) AS ?x) {}",
    "SELECT ('99999999999-01-01T00:00:00Z'^^xsd:dateTime + 'P999999999Y'^^xsd:duration AS ?x) {}",
    "SELECT (STRDT('x', <a b>) AS ?x) {}",
    "SELECT (IRI('a b') AS ?x) (URI('') AS ?y) (BNODE('') AS ?z) {}",
    "SELECT (REPLACE('abc', '(', 'x') AS ?x) {}",
    "SELECT (REGEX('abc', 'a', 'zz') AS ?x) {}",
    "SELECT (LANGMATCHES('en', '') AS ?x) (STRLANG('x', '') AS ?y) {}",
    "ASK { ?s ?p ?o FILTER(?o = 'x'@en--ltr) }",
    "SELECT * FROM <http://example.org/no-such-graph> { ?s ?p ?o }",
    "SELECT * FROM NAMED <urn:x> { GRAPH ?g { ?s ?p ?o } }",
    "DESCRIBE <urn:nothing> <http://e/x> ?x",
    "DESCRIBE *",
    "CONSTRUCT { ?s ?p ?o } WHERE { } LIMIT 0",
]


@st.composite
def graph_terms(draw: st.DrawFn) -> str:
    o = draw(st.sampled_from(TERMS))
    p = draw(st.sampled_from(["<http://e/p>", "<http://e/1>", "<http://e/>", "<urn:x>", "dw:x"]))
    return f"CONSTRUCT {{ <http://e/s> {p} {o} }} WHERE {{}}"


@st.composite
def solution_terms(draw: st.DrawFn) -> str:
    terms = draw(st.lists(st.sampled_from(TERMS), min_size=1, max_size=4))
    binds = " ".join(f"BIND({t} AS ?v{i})" for i, t in enumerate(terms))
    return f"SELECT * {{ {binds} }}"


HOSTILE = st.one_of(
    nested(), chained(), st.sampled_from(OTHERS), graph_terms(), solution_terms(),
    st.integers(MAX_QUERY_BYTES - 40, MAX_QUERY_BYTES + 3).map(
        lambda n: "ASK { FILTER(STRLEN('" + "a" * (n - 32) + "') > 0) }"
    ),
)  # fmt: skip

RANDOM_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(
        st.characters(categories=["Cs", "Cc", "Cf", "Co", "Cn", "L", "N", "P", "S", "Z"]),
        max_size=300,
    ),
    st.lists(
        st.one_of(
            st.sampled_from(KEYWORDS),
            st.sampled_from([*"{}()[].;,*", "?x", "$y", "<urn:x>", "'s'", "dw:p", "1.5e3"]),
        ),
        max_size=60,
    ).map(" ".join),
)

# ------------------------------------------------------------------------- transport

ACCEPTS = [
    None, "", "*/*", "application/sparql-results+json", "application/sparql-results+xml",
    "text/csv", "text/tab-separated-values", "application/json", "application/xml",
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
    "application/n-quads", "text/*", "application/*", "image/png", "text/html",
    "application/ld+json;q=0, text/turtle;q=0.5", "text/csv;q=abc", "*/*;q=0", "a/b/c",
    ";;;,,", "application/sparql-results+json;q=nan", "text/turtle;q=inf", "\xe9/\xe8",
]  # fmt: skip
FORMATS = ["json", "xml", "csv", "tsv", "turtle", "nt", "jsonld", "rdfxml", "JSON", "bogus", ""]
NOT_IRIS = [
    "",
    " ",
    "a b",
    "<x>",
    "http://ex/ x",
    "urn:",
    "not an iri",
    "http://[::1",
    "\x00",
    GRAPH,
]
SERVED = (
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json",
    "application/rdf+xml", "application/n-quads",
)  # fmt: skip


def enc(text: str) -> str:
    """Percent-encoded UTF-8; a lone surrogate becomes the invalid bytes it stands for."""
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


def form(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs).encode("ascii")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def ctype(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Wire:
    """One keep-alive connection to the server; counts every request sent and answered."""

    url: str
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    timeouts: int = 0
    _conn: http.client.HTTPConnection | None = None

    def send(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        self.sent += 1
        headers = dict(headers or {})
        for attempt in (1, 2):
            if self._conn is None:
                u = urlsplit(self.url)
                self._conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=30)
            try:
                self._conn.putrequest(
                    method, target, skip_host="Host" in headers, skip_accept_encoding=True
                )
                for k, v in headers.items():
                    self._conn.putheader(k, v.encode("latin-1"))
                if body is not None:
                    self._conn.putheader("Content-Length", str(len(body)))
                self._conn.endheaders(body)
                r = self._conn.getresponse()
                reply = Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed a kept-alive connection: once more on a fresh one
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
                continue
            if reply.headers.get("connection", "").lower() == "close":
                self._conn.close()
                self._conn = None
            self.statuses[reply.status] += 1
            return reply
        raise AssertionError("unreachable")

    def query(
        self,
        how: str,
        query: str,
        accept: str | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> Reply:
        """``query`` by GET, POST form or POST body (``how``), with more parameters."""
        headers = {} if accept is None else {"Accept": accept}
        extra = extra or []
        if how == "get":
            return self.send(
                "GET", "/sparql?" + form([("query", query), *extra]).decode(), None, headers
            )
        if how == "form":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.send("POST", "/sparql", form([("query", query), *extra]), headers)
        headers["Content-Type"] = "application/sparql-query"
        target = "/sparql" + ("?" + form(extra).decode() if extra else "")
        return self.send("POST", target, query.encode("utf-8", "surrogatepass"), headers)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


PARSER_MESSAGE = re.compile(r"error at \d+:\d+: |is not supported|not an IRI")


def check(wire: Wire, r: Reply, what: object) -> None:
    """The rules in the module docstring, for one answer."""
    about = f"{what!r:.300} -> {r.status} {r.body[:300]!r}"
    if r.status == 503 and r.ctype.startswith("application/problem+json"):
        body = r.json()
        if body.get("title") == "Query time limit":
            assert body["type"].endswith("/query-timeout") and body["limit_s"] == TIMEOUT_S, about
            wire.timeouts += 1
            return
    assert r.status < 500, about
    if r.status >= 400:
        assert r.ctype.startswith("application/problem+json"), about
        body = r.json()
        assert {"type", "title", "status", "detail"} <= set(body), about
        assert body["status"] == r.status and body["detail"], about
        if body["title"] == "Malformed query":
            assert PARSER_MESSAGE.search(body["detail"]), about
    elif r.status == 200:
        assert r.ctype.split(";")[0] in SERVED, about
    else:
        assert r.status == 204, about  # nothing else is answered here


FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure names its input
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)
HOW = st.sampled_from(["get", "form", "body"])


@pytest.fixture(scope="module")
def wire(built_store: tuple[Path, build.Report]) -> Iterator[Wire]:
    with running_server(
        built_store[0],
        query_timeout_s=str(TIMEOUT_S),
        sparql_concurrency="4",
        max_query_bytes=str(MAX_QUERY_BYTES),
        max_result_rows="500",
    ) as url:
        w = Wire(url)
        yield w
        w.close()


def still_answers(wire: Wire) -> None:
    r = wire.query("get", "ASK { ?w dw:workId '001' }")
    assert r.status == 200 and r.json()["boolean"] is True, r.body[:300]


def run_family(wire: Wire, n: int, test: Callable[[], None]) -> None:
    """Run a hypothesis test of ``n`` examples; each sends one request (or more)."""
    before, timeouts = wire.sent, wire.timeouts
    test()
    sent = wire.sent - before
    print(f"{sent} requests, {wire.timeouts - timeouts} timeouts; so far {dict(wire.statuses)}")
    assert sent >= n, f"only {sent} of {n} requests were sent"
    assert wire.timeouts - timeouts <= max(3, sent // 10), "mostly timeouts: fuzzing nothing"
    still_answers(wire)


# ------------------------------------------------------------------------- the families


def test_mutated_queries_never_make_a_server_error(wire: Wire) -> None:
    n = 1_200

    @given(query=mutated(), how=HOW, accept=st.sampled_from(ACCEPTS))
    @settings(FUZZ, max_examples=n)
    def run(query: str, how: str, accept: str | None) -> None:
        check(wire, wire.query(how, query, accept), (how, accept, query))

    run_family(wire, n, run)


def test_hostile_queries_never_make_a_server_error(wire: Wire) -> None:
    n = 400

    @given(query=HOSTILE, how=HOW, accept=st.sampled_from(ACCEPTS))
    @settings(FUZZ, max_examples=n)
    def run(query: str, how: str, accept: str | None) -> None:
        if how == "get" and len(query) > 20_000:
            how = "form"  # keep the request line reasonable; long GETs are in the protocol family
        check(wire, wire.query(how, query, accept), (how, accept, query))

    run_family(wire, n, run)


def test_random_text_never_makes_a_server_error(wire: Wire) -> None:
    n = 300

    @given(query=RANDOM_TEXT, how=HOW)
    @settings(FUZZ, max_examples=n)
    def run(query: str, how: str) -> None:
        check(wire, wire.query(how, query), (how, query))

    run_family(wire, n, run)


CTYPES = [
    None, "", "text/plain", "application/json", "application/sparql-query",
    "application/sparql-query; charset=utf-16", "APPLICATION/SPARQL-QUERY ; charset=latin-1",
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data; boundary=xyz", "application/sparql-update",
    "application/sparql-results+json", ";;;", "application/sparql-query, text/plain", "*/*",
    "application/x-www-form-urlencoded\t",
]  # fmt: skip
GOOD = "ASK { ?w dw:workId 'é€𝄞' }"


FORM_KEYS = ["query", "update", "default-graph-uri", "named-graph-uri", "format", "QUERY", "query ",
             "", "x"]  # fmt: skip
PARAM_KEYS = ["update", "format", "default-graph-uri", "named-graph-uri", "unknown"]
HOSTS = ["exa mple", "[", "[::1", "a:b:c", "", "é", "x" * 300, "127.0.0.1:99999", "user@host",
         "h/o?s#t"]  # fmt: skip
ENCODINGS = ["utf-8", "latin-1", "utf-16", "cp1252", "utf-8-sig", "utf-32"]
RAW_FORMS = [b"query=%FF%FE%00&query", b"&&&==&query=%zz%E2%82&update=",
             b"query=" + enc(GOOD).encode() + b"&" + b"x=1&" * 2_000]  # fmt: skip


@st.composite
def garbage(draw: st.DrawFn) -> tuple[str, str, bytes | None, dict[str, str]]:
    """One request: (method, target, body, headers)."""
    kind = draw(st.sampled_from(["ctype", "form", "params", "graphs", "oversize", "host", "other"]))
    headers: dict[str, str] = {}
    accept = draw(st.sampled_from(ACCEPTS))
    if accept is not None:
        headers["Accept"] = accept
    query = draw(st.one_of(st.sampled_from(SEEDS), mutated()))
    values = st.one_of(
        st.just(query), st.just(GOOD), st.just("CLEAR ALL"), st.sampled_from(NOT_IRIS),
        st.sampled_from(FORMATS), st.text(CHARS, max_size=20),
    )  # fmt: skip
    if kind == "ctype":
        ctype = draw(st.sampled_from(CTYPES))
        if ctype is not None:
            headers["Content-Type"] = ctype
        body = draw(
            st.one_of(
                st.sampled_from(ENCODINGS).map(lambda e: GOOD.encode(e, "replace")),
                st.binary(max_size=400),
                st.just(form([("query", GOOD)])),
                st.just(query.encode("utf-8", "surrogatepass")),
                st.just(b""),
            )
        )
        return "POST", "/sparql", body, headers
    if kind == "form":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        pairs = draw(
            st.lists(st.tuples(st.sampled_from(FORM_KEYS), values), min_size=1, max_size=6)
        )
        return "POST", "/sparql", draw(st.sampled_from([form(pairs), *RAW_FORMS])), headers
    if kind in ("params", "graphs"):
        if kind == "params":
            pairs = [("query", query)] * draw(st.integers(0, 3))
            pairs += draw(st.lists(st.tuples(st.sampled_from(PARAM_KEYS), values), max_size=4))
        else:
            graph_keys = st.sampled_from(["default-graph-uri", "named-graph-uri"])
            graphs = st.tuples(graph_keys, st.sampled_from(NOT_IRIS))
            pairs = [("query", GOOD), *draw(st.lists(graphs, min_size=1, max_size=3))]
        if draw(st.booleans()):
            return "GET", "/sparql?" + form(pairs).decode(), None, headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return "POST", "/sparql", form(pairs), headers
    if kind == "oversize":
        big = "ASK {} #" + "a" * draw(st.integers(MAX_QUERY_BYTES + 1, 3 * MAX_QUERY_BYTES))
        param = draw(st.sampled_from(["query", "update"]))
        how = draw(st.sampled_from(["get", "form", "body"]))
        if how == "get":
            # uvicorn's h11 drops a request head that comes in more than one read once it is
            # past 16 KB (on loopback: past the 256 KB of one read); below that the app answers
            big = big[: MAX_QUERY_BYTES * 3 // 2]
            return "GET", f"/sparql?{param}=" + enc(big), None, headers
        if how == "form":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return "POST", "/sparql", form([(param, big)]), headers
        headers["Content-Type"] = f"application/sparql-{param}"
        return "POST", "/sparql", big.encode(), headers
    if kind == "host":
        headers["Host"] = draw(st.sampled_from(HOSTS))
        return "GET", "/sparql", None, headers
    method = draw(st.sampled_from(["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"]))
    return method, "/sparql?query=" + enc(query), None, headers


def test_protocol_garbage_never_makes_a_server_error(wire: Wire) -> None:
    n = 400

    @given(request=garbage())
    @settings(FUZZ, max_examples=n)
    def run(request: tuple[str, str, bytes | None, dict[str, str]]) -> None:
        method, target, body, headers = request
        r = wire.send(method, target, body, headers)
        check(wire, r, (method, target[:200], body[:200] if body else body, headers))

    run_family(wire, n, run)


def test_a_get_beyond_max_query_bytes_is_refused_with_413(wire: Wire) -> None:
    r = wire.send("GET", "/sparql?query=" + enc("ASK {} #" + "a" * MAX_QUERY_BYTES))
    check(wire, r, "oversize GET")
    assert r.status == 413 and "at most 100000" in r.json()["detail"]


# ------------------------------------------------------ regressions: what the fuzzing broke


def test_deep_nesting_does_not_kill_the_query_worker(wire: Wire) -> None:
    # pyoxigraph recursed past the worker's 8 MB stack: a segfault, answered 500 "the
    # query worker stopped while running the query" (3000 "{" were enough)
    small = wire.query("get", nesting("group", 3_000))
    assert small.status == 200, small.body[:300]
    assert wire.query("body", "SELECT * WHERE " + "{" * 3_000).status == 400
    for name in ("group", "paren", "not", "coalesce", "exists", "graph"):
        for how in ("body", "form"):
            deepest = nesting(name, room(name))
            r = wire.query(how, deepest)
            check(wire, r, (name, how))
            unbalanced = nesting(name, room(name) + 10, 0)[:MAX_QUERY_BYTES]
            check(wire, wire.query(how, unbalanced), (name, how, "unbalanced"))
    still_answers(wire)


def test_an_unknown_custom_function_is_a_malformed_query_not_a_500(wire: Wire) -> None:
    # pyoxigraph raises RuntimeError("The custom function <...> is not supported") when it
    # plans the query; the worker reported it as a failure (500)
    for q in (
        "SELECT (<http://example.org/fn>(1) AS ?x) {}",
        "SELECT ?w { ?w dw:workId ?id } ORDER BY <http://example.org/rank>(?w)",
    ):
        r = wire.query("get", q)
        check(wire, r, q)
        body = r.json()
        assert r.status == 400 and body["title"] == "Malformed query", body
        assert "custom function <http://example.org/" in body["detail"]


def test_a_graph_that_json_ld_cannot_write_is_406_not_500(wire: Wire) -> None:
    # serialize() raised OSError("JSON-LD does not support RDF 1.2 yet") for a triple term
    q = "CONSTRUCT { <http://e/s> <http://e/p> <<( <http://e/s> <http://e/p> 1 )>> } WHERE {}"
    r = wire.query("get", q, "application/ld+json")
    check(wire, r, q)
    body = r.json()
    assert r.status == 406 and "JSON-LD does not support RDF 1.2" in body["detail"], body
    assert "text/turtle" in body["hint"]
    turtle = wire.query("get", q, "text/turtle")
    assert turtle.status == 200 and b"<<(" in turtle.body


def test_a_graph_uri_that_is_not_an_iri_is_400_not_500(wire: Wire) -> None:
    # NamedNode("a b") raised ValueError in the worker: a 500
    for name, value in (("default-graph-uri", "a b"), ("named-graph-uri", ""),
                        ("default-graph-uri", "http://[::1")):  # fmt: skip
        for how in ("get", "form", "body"):
            r = wire.query(how, "ASK { ?s ?p ?o }", extra=[(name, value)])
            check(wire, r, (name, value, how))
            body = r.json()
            assert r.status == 400 and body["title"] == "Malformed request", body
            assert body["detail"].startswith(f"{name} {value!r} is not an IRI"), body
    ok = wire.query("get", "ASK { ?s ?p ?o }", extra=[("default-graph-uri", GRAPH)])
    assert ok.status == 200 and ok.json()["boolean"] is True
