"""Curation: a researcher's corrections (``curation.yaml``), applied on every build between resolve
and graph, recorded as provenance, with IRIs that stay stable.

The file (UTF-8 YAML; every list optional; names are any label or alias the graph has, with
``class`` / ``subject_class`` / ``object_class`` to pick one of two namesakes)::

    curator: 张三 (Liaoyuan project)      # who answers for these edits: prov:wasAttributedTo
    merge:                                # two nodes are one thing; the `into` node keeps its IRI
      - {from: 一汽解放, into: 中国一汽, note: 解放 is FAW's truck brand here}
    alias:                                # one more name for a node
      - {entity: 中国一汽, alias: 一汽股份}
    rename:                               # a better canonical label; the IRI and old name stay
      - {entity: 天楹, to: 中国天楹股份有限公司}
    drop:                                 # not an entity at all: the node and its facts go
      - {entity: 新春, note: a season, not a firm}
    drop_fact:                            # one wrong fact (relation: locatedIn, undertakes,
      - {subject: 东阿阿胶, relation: locatedIn, object: 东丰县}   # subOrganizationOf, cooperatesWith,
      - {subject: 程宇, relation: signatory, object: 绿色零碳汽车零部件产业园区供应链试点合作框架协议}
    add_fact:                             # recognizedAs, holdsPost (+ role); an agreement's roles:
      - {subject: 中国一汽, relation: cooperatesWith, object: 吉林大学,     # party, signatory, witness
         source: 吉林日报 2025-03-02 第3版, note: optional}                  # (object: the agreement)
      - {subject: 程宇, relation: witness, object: 绿色零碳汽车零部件产业园区供应链试点合作框架协议,
         source: 辽源日报 2025-02-12 第1版}

What the graph records: the curated nodes get ``prov:wasAttributedTo`` the curator (a ``prov:Agent``)
and a ``kgo:curationNote`` per edit (``merge 一汽解放 → 中国一汽 (curation.yaml:4)``); a merged-away
node's IRI is kept as ``dcterms:replaces`` on the survivor, so links to it can be followed. Added
facts cite an evidence sentence in a ``kgo:Document`` made of the file's source notes (one line
per added fact), attributed to the curator. Names the file gives that the graph does not know are
reported as :class:`CurationProblem` (file, line, reason), never silently ignored.

A curation file is read from any input folder, so it is read as hostile text: at most 5 MB, no YAML
anchors or aliases, nesting at most :data:`MAX_DEPTH` deep, every value text without control
characters, lone surrogates or bidi overrides; anything else is a :class:`CurationError` naming the
file and line (``kg build`` exits 2 before extracting anything).

>>> c = parse_curation("curator: 张三\\nalias:\\n  - {entity: 中国一汽, alias: 一汽股份}\\n", "c.yaml")
>>> c.curator, [(a.kind, a.line) for a in c.actions]
('张三', [('alias', 3)])
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from kg.extract import AgreementFact, DocumentFacts, EntityRef, Evidence, PairFact, PostFact, RecognitionFact
from kg.ingest import Document
from kg.resolve import Node, Resolver

__all__ = ["Curation", "CurationAction", "CurationError", "CurationProblem", "load_curation", "parse_curation",
           "apply_curation", "CURATION_FILE"]

CURATION_FILE = "curation.yaml"
KINDS = {"merge": ("from", "into"), "alias": ("entity", "alias"), "rename": ("entity", "to"),
         "drop": ("entity",), "drop_fact": ("subject", "relation", "object"),
         "add_fact": ("subject", "relation", "object", "source")}
PAIR_RELATIONS = ("locatedIn", "undertakes", "subOrganizationOf", "cooperatesWith")
#: An agreement's roles, as the graph and edges.csv name them: subject a party (body, firm) or person, object the agreement.
AGREEMENT_ROLES = ("party", "signatory", "witness")
RELATIONS = PAIR_RELATIONS + ("recognizedAs", "holdsPost") + AGREEMENT_ROLES


#: A curation file is a researcher's list of edits: a bigger file is refused before it is read.
MAX_BYTES = 5_000_000
#: Deepest nesting of YAML collections and scalars a curation file needs is 3 (the file's mapping, a
#: section's list, an entry's mapping) and its values; deeper is refused before it is built.
MAX_DEPTH = 8
#: Fields that may hold line breaks and tabs (folded to spaces where used); all the others are names.
FREE_TEXT = ("note", "source")
#: Characters that reorder or hide text on a terminal or page (bidi overrides and isolates).
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class CurationError(Exception):
    """The file cannot be used at all (unreadable, not YAML, wrong shape): one line, with file:line."""


@dataclass(frozen=True)
class CurationAction:
    kind: str
    line: int
    fields: dict

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self.fields.get(key, default)
        return None if value is None else str(value).strip()


@dataclass(frozen=True)
class CurationProblem:
    source: str
    line: int
    reason: str
    action: int = -1  # the index of the edit in Curation.actions (one edit can have two problems)

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass
class Curation:
    source: str
    curator: str
    actions: list[CurationAction]
    problems: list[CurationProblem] = field(default_factory=list)
    digest: str = ""

    @property
    def applied(self) -> int:
        """How many edits were applied: those without a problem (an edit naming two unknown
        entities has two problems but is one edit)."""
        return len(self.actions) - len({p.action for p in self.problems})


class _Refused(yaml.YAMLError):
    def __init__(self, mark, problem: str) -> None:
        super().__init__(problem)
        self.problem_mark, self.problem = mark, problem


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping (as ``__line__``) and of each of its values
    (``__lines__``), and refuses what a list of edits never needs and a hostile file uses to exhaust
    memory or the stack: anchors and aliases (``&a`` / ``*a``: a few hundred bytes of aliases
    expand to billions of nodes) and nesting deeper than :data:`MAX_DEPTH`, both refused as they are
    met, before anything is built."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, "aliases (*name) are not allowed in a curation file")
        if getattr(event, "anchor", None) is not None:
            raise _Refused(event.start_mark, "anchors (&name) are not allowed in a curation file")
        if self._depth >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _mapping_with_line(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return mapping


def _check_text(value, where: str, what: str, free: bool = False) -> str:
    """``value`` as text, or a :class:`CurationError` naming ``where`` (file:line) when it is a list or
    mapping, or holds a control character, a lone surrogate or a bidi override (they would reach the
    graph and the terminal)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CurationError(f"{where}: {what} must be text, not {type(value).__name__}")
    text = str(value)
    for c in text:
        if free and c in "\t\n\r":
            continue
        category = unicodedata.category(c)
        if category == "Cs":
            raise CurationError(f"{where}: {what} holds a lone surrogate (U+{ord(c):04X}), not text")
        if category == "Cc" or c in _BIDI:
            raise CurationError(f"{where}: {what} holds a control character (U+{ord(c):04X})")
    return text


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def parse_curation(text: str, source: str = CURATION_FILE) -> Curation:
    """Read the YAML text of a curation file; raise :class:`CurationError` on a malformed one (also: over
    :data:`MAX_BYTES`, anchors or aliases, nesting deeper than :data:`MAX_DEPTH`, a name that is not
    plain text)."""
    if len(text) > MAX_BYTES:
        raise CurationError(f"{source}: over {MAX_BYTES // 1_000_000} MB: not a curation file")
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        if isinstance(exc, _Refused):
            raise CurationError(f"{where}: {exc.problem}") from None
        if isinstance(exc, yaml.reader.ReaderError):  # a control character in the file itself
            line = text[:exc.position].count("\n") + 1
            what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
            raise CurationError(f"{source}:{line}: not valid YAML (character {what} is not allowed)") from None
        raise CurationError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting first
        raise CurationError(f"{source}: nested too deeply") from None
    if not isinstance(data, dict):
        raise CurationError(f"{source}: expected a mapping with 'curator' and lists such as 'merge', 'add_fact'")
    lines = data.pop("__lines__", {})
    unknown = sorted(str(k) for k in data if k not in KINDS and k not in ("curator", "__line__"))
    if unknown:
        raise CurationError(f"{source}: unknown section(s) {', '.join(unknown)} (use: curator, {', '.join(KINDS)})")
    curator = data.get("curator") or ""
    curator = _check_text(curator, f"{source}:{lines.get('curator', 1)}", "curator").strip()
    if not curator:
        raise CurationError(f"{source}: 'curator' is missing: say who answers for these edits")
    actions = []
    for kind, needed in KINDS.items():
        items = data.get(kind) or []
        if not isinstance(items, list):
            raise CurationError(f"{source}: '{kind}' must be a list of entries")
        for item in items:
            if not isinstance(item, dict):
                raise CurationError(f"{source}: each '{kind}' entry must be a mapping like {{{needed[0]}: …}}")
            line = item.pop("__line__", 0)
            field_lines = item.pop("__lines__", {})
            for key, value in item.items():
                if value is not None:
                    item[key] = _check_text(value, f"{source}:{field_lines.get(key, line)}", f"{kind} {key}",
                                            free=key in FREE_TEXT)
            missing = [k for k in needed if not str(item.get(k) or "").strip()]
            if missing:
                raise CurationError(f"{source}:{line}: {kind} needs {', '.join(missing)}")
            actions.append(CurationAction(kind, line, item))
    actions.sort(key=lambda a: a.line)
    return Curation(source, curator, actions, digest=hashlib.sha1(text.encode("utf-8")).hexdigest()[:12])


def load_curation(path: Path) -> Curation:
    """Read a curation file (at most :data:`MAX_BYTES`, UTF-8); its name as the graph records it is
    :func:`kg.ingest.shown_name`'s (a name that is not UTF-8 escaped)."""
    from kg.ingest import shown_name

    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise CurationError(f"{shown_name(path)}: over {MAX_BYTES // 1_000_000} MB: not a curation file")
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CurationError(f"{shown_name(path)}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    return parse_curation(text, shown_name(path.name))


# ------------------------------------------------------------------ applying

@dataclass
class CurationResult:
    """What :func:`apply_curation` gives the graph stage."""

    facts: list[DocumentFacts]
    notes: dict[tuple[str, str], list[str]]  # node root key → notes
    replaces: dict[tuple[str, str], list[str]]  # survivor root key → iri keys merged into it
    attributed_statements: set[tuple]  # (subject ref key, relation, object) of added facts
    document: Document | None


class _Names:
    """Name → node roots, over every label and alias of the resolved nodes."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.rebuild()

    def rebuild(self) -> None:
        self.index: dict[str, list[tuple[str, str]]] = {}
        for root, node in sorted(self.resolver.nodes.items()):
            for name in sorted(node.names() | ({node.english} if node.english else set())):
                self.index.setdefault(name, []).append(root)

    def find(self, name: str, cls: str | None) -> tuple[tuple[str, str] | None, str]:
        roots = [r for r in self.index.get(name, []) if cls is None or r[0] == cls]
        roots = sorted(set(roots))
        if len(roots) == 1:
            return roots[0], ""
        if not roots:
            return None, f"no entity named {name!r}" + (f" of class {cls}" if cls else "") + " in the graph"
        return None, f"{name!r} names {len(roots)} entities ({', '.join(r[0] for r in roots)}): add class: to pick one"


def apply_curation(curation: Curation, resolver: Resolver, all_facts: list[DocumentFacts]) -> CurationResult:
    """Apply the edits to the resolved nodes and the facts; problems go to ``curation.problems``."""
    names = _Names(resolver)
    notes: dict[tuple[str, str], list[str]] = {}
    replaces: dict[tuple[str, str], list[str]] = {}
    dropped: set[tuple[str, str]] = set()
    drop_facts: list[tuple[str, tuple, tuple | str, str | None]] = []
    added: list[tuple[CurationAction, tuple, tuple | str]] = []

    index = {id(action): i for i, action in enumerate(curation.actions)}

    def problem(action: CurationAction, reason: str) -> None:
        curation.problems.append(CurationProblem(curation.source, action.line, reason, index[id(action)]))

    def lookup(action: CurationAction, key: str, cls_key: str = "class"):
        root, why = names.find(action.get(key), action.get(cls_key))
        if root is None:
            problem(action, why)
        return root

    def note(root, text: str, action: CurationAction) -> None:
        notes.setdefault(root, []).append(f"{text} ({curation.source}:{action.line})")

    for action in curation.actions:
        if action.kind == "merge":
            src, dst = lookup(action, "from"), lookup(action, "into")
            if src is None or dst is None:
                continue
            if src == dst:
                problem(action, f"{action.get('from')!r} and {action.get('into')!r} are already one node")
                continue
            if src[0] != dst[0]:
                problem(action, f"cannot merge {action.get('from')} ({src[0]}) into {action.get('into')} ({dst[0]}): classes differ")
                continue
            keep, gone = resolver.nodes[dst], resolver.nodes.pop(src)
            keep.aliases |= gone.names() - {keep.name}
            keep.docs |= gone.docs
            keep.english = keep.english or gone.english
            resolver.parent[src] = dst
            replaces.setdefault(dst, []).append(gone.iri_key)
            replaces[dst] += replaces.pop(src, [])
            notes.setdefault(dst, []).extend(notes.pop(src, []))
            note(dst, f"merge {gone.name} → {keep.name}", action)
        elif action.kind == "alias":
            if (root := lookup(action, "entity")) is not None:
                alias = action.get("alias")
                if alias != resolver.nodes[root].name:
                    resolver.nodes[root].aliases.add(alias)
                note(root, f"alias {alias}", action)
        elif action.kind == "rename":
            if (root := lookup(action, "entity")) is not None:
                node, new = resolver.nodes[root], action.get("to")
                node.aliases.add(node.name)
                node.aliases.discard(new)
                note(root, f"rename {node.name} → {new}", action)
                node.name = new
        elif action.kind == "drop":
            if (root := lookup(action, "entity")) is not None:
                dropped.add(root)
                resolver.nodes.pop(root)
                notes.pop(root, None)
        elif action.kind in ("drop_fact", "add_fact"):
            relation = action.get("relation")
            if relation not in RELATIONS:
                problem(action, f"unknown relation {relation!r} (use one of {', '.join(RELATIONS)})")
                continue
            subject = lookup(action, "subject", "subject_class")
            if relation == "recognizedAs":
                obj = action.get("object")
            elif relation in AGREEMENT_ROLES:  # the object is an agreement, by its title
                root, why = names.find(action.get("object"), "Agreement")
                obj = root if root is not None else problem(action, why)
            else:
                obj = lookup(action, "object", "object_class")
            if subject is None or obj is None:
                continue
            if relation in AGREEMENT_ROLES and (subject[0] == "Person") != (relation != "party"):
                problem(action, f"a {relation} is {'a body or firm' if relation == 'party' else 'a person'}, "
                                f"not {action.get('subject')} ({subject[0]})")
                continue
            if action.kind == "drop_fact":
                drop_facts.append((relation, subject, obj, action.get("role")))
                note(subject, f"drop {relation} {action.get('object')}", action)
            else:
                if relation == "holdsPost" and not action.get("role"):
                    problem(action, "holdsPost needs role (the bare title, e.g. 市长)")
                    continue
                added.append((action, subject, obj))
                note(subject, f"add {relation} {action.get('object')} (source: {action.get('source')})", action)
        names.rebuild()

    root_of = resolver.root
    alive = lambda ref: ref is not None and root_of(ref) not in dropped  # noqa: E731

    def kept_pair(p: PairFact) -> bool:
        return not any(rel == p.relation and root_of(p.subject) == s and root_of(p.object) == o
                       for rel, s, o, _ in drop_facts)

    def kept_post(p: PostFact) -> bool:
        return not any(rel == "holdsPost" and root_of(p.person) == s and p.body is not None
                       and root_of(p.body) == o and (role is None or role == p.role) for rel, s, o, role in drop_facts)

    def kept_recognition(r: RecognitionFact) -> bool:
        return not any(rel == "recognizedAs" and root_of(r.subject) == s and r.designation == o
                       for rel, s, o, _ in drop_facts)

    def kept_role(role: str, agreement: tuple, ref: EntityRef) -> bool:
        return alive(ref) and not any(rel == role and root_of(ref) == s and o == agreement for rel, s, o, _ in drop_facts)

    curated = []
    for facts in all_facts:
        agreements = []
        for a in facts.agreements:
            agreement = EntityRef("Agreement", a.title, a.title)
            if not alive(agreement):
                continue
            root = root_of(agreement)
            agreements.append(replace(a, parties=tuple(r for r in a.parties if kept_role("party", root, r)),
                                      signatories=tuple(r for r in a.signatories if kept_role("signatory", root, r)),
                                      witnesses=tuple(r for r in a.witnesses if kept_role("witness", root, r))))
        curated.append(replace(
            facts,
            entities=[r for r in facts.entities if alive(r)],
            posts=[p if p.body is None or alive(p.body) else replace(p, body=None)
                   for p in facts.posts if alive(p.person) and kept_post(p)],
            pairs=[p for p in facts.pairs if alive(p.subject) and alive(p.object) and kept_pair(p)],
            recognitions=[r for r in facts.recognitions if alive(r.subject) and kept_recognition(r)],
            agreements=agreements,
        ))

    document, attributed = None, set()
    if added:
        document, extra = _added_facts(curation, resolver, added)
        curated.append(extra)
        attributed = {(a.get("relation"), s, o) for a, s, o in added}
    return CurationResult(curated, notes, replaces, attributed, document)


def _ref(resolver: Resolver, root: tuple[str, str]) -> EntityRef:
    return EntityRef(root[0], root[1], root[1])


def _added_facts(curation: Curation, resolver: Resolver, added) -> tuple[Document, DocumentFacts]:
    """The curation's own document (one line per added fact: its source note) and the facts."""
    lines = []
    for action, _, _ in added:
        text = f"{action.get('subject')} {action.get('relation')} {action.get('object')}：{action.get('source')}"
        if action.get("note"):
            text += f"（{action.get('note')}）"
        lines.append(" ".join(text.split()))
    body = "\n".join(lines)
    doc = Document(doc_id=f"curation-{curation.digest}", source=curation.source, text=body,
                   title=f"人工校订 Curation by {curation.curator}")
    facts = DocumentFacts(document=doc)
    offset = 0
    for (action, subject, obj), line in zip(added, lines):
        ev = Evidence(doc.doc_id, offset, offset + len(line), line)
        offset += len(line) + 1
        relation = action.get("relation")
        if relation in PAIR_RELATIONS:
            facts.pairs.append(PairFact(relation, _ref(resolver, subject), _ref(resolver, obj), ev))
        elif relation == "recognizedAs":
            facts.recognitions.append(RecognitionFact(_ref(resolver, subject), obj, ev))
        elif relation in AGREEMENT_ROLES:
            who = (_ref(resolver, subject),)
            facts.agreements.append(AgreementFact(resolver.nodes[obj].name, *(
                who if relation == role else () for role in AGREEMENT_ROLES), date=None, evidence=ev))
        else:
            facts.posts.append(PostFact(_ref(resolver, subject), action.get("role"), _ref(resolver, obj), ev))
    return doc, facts


# ------------------------------------------------------------------ provenance in the graph

def record_curation(builder, curation: Curation, result: CurationResult) -> None:
    """Provenance of the edits: the curator as a ``prov:Agent``; each curated node
    ``prov:wasAttributedTo`` them with a ``kgo:curationNote`` per edit and ``dcterms:replaces`` the
    IRIs merged into it; added facts (their statement or membership) and their evidence attributed too."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

    from kg.resolve import CLASS_SLUG, stable_id
    from kg.vocab import KGO

    g = builder.g
    agent = builder.iri("agent", stable_id("agent", curation.curator))
    g.add((agent, RDF.type, PROV.Agent))
    g.add((agent, RDFS.label, Literal(curation.curator)))
    for root, texts in sorted(result.notes.items()):
        node = builder.resolver.nodes.get(root)
        if node is None:
            continue
        s = builder.node_iri(node)
        g.add((s, PROV.wasAttributedTo, agent))
        for text in texts:
            g.add((s, KGO.curationNote, Literal(text, lang="zh")))
    for root, iri_keys in sorted(result.replaces.items()):
        node = builder.resolver.nodes[root]
        for key in iri_keys:
            g.add((builder.node_iri(node), DCTERMS.replaces, builder.iri(CLASS_SLUG[root[0]], key)))
    if result.document is not None:
        doc = builder.iri("doc", result.document.doc_id)
        g.add((doc, PROV.wasAttributedTo, agent))
        for ev in g.subjects(PROV.wasDerivedFrom, doc):
            g.add((ev, PROV.wasAttributedTo, agent))
        for fact in set(g.subjects(PROV.wasDerivedFrom, None)):
            if any((ev, PROV.wasDerivedFrom, doc) in g for ev in g.objects(fact, PROV.wasDerivedFrom)):
                g.add((fact, PROV.wasAttributedTo, agent))
