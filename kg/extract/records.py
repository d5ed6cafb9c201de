"""The records extraction passes on: facts (frozen), each with its :class:`Evidence`, a document's
:class:`DocumentFacts`, and the :class:`Sentence` s a text is split into."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ingest import Document
from kg.recognize import Home, Mention

ENTITY_LABELS = ("Person", "Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project",
                 "Place", "Agreement")

__all__ = ["ENTITY_LABELS", "AgreementFact", "RoleFact", "DocumentFacts", "EntityRef", "Evidence", "Fact", "PairFact",
           "PostFact", "RecognitionFact", "Sentence", "relation_of", "sentences"]


@dataclass(frozen=True)
class Evidence:
    """The sentence that states a fact: ``document.text[start:end] == text``."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class EntityRef:
    label: str  # one of ENTITY_LABELS
    name: str  # canonical name (context resolved: 市委 → 中共辽源市委)
    surface: str = ""  # the form the text used

    @property
    def key(self) -> tuple[str, str]:
        return (self.label, self.name)


@dataclass(frozen=True)
class PostFact:
    person: EntityRef
    role: str
    body: EntityRef | None
    evidence: Evidence


@dataclass(frozen=True)
class PairFact:
    relation: str  # locatedIn, undertakes, subOrganizationOf, cooperatesWith
    subject: EntityRef
    object: EntityRef
    evidence: Evidence
    context: tuple[Evidence, ...] = ()  # sentences that set the scene (an interview's byline)


@dataclass(frozen=True)
class RoleFact:
    """A person's part in a signing (``signatory`` or ``witness``) and the sentence that names them in it."""

    role: str
    person: EntityRef
    evidence: Evidence


@dataclass(frozen=True)
class AgreementFact:
    title: str
    parties: tuple[EntityRef, ...]
    signatories: tuple[EntityRef, ...]
    witnesses: tuple[EntityRef, ...]
    date: str | None
    evidence: Evidence
    context: tuple[Evidence, ...] = ()  # the sentences naming signatories and witnesses
    roles: tuple[RoleFact, ...] = ()  # each signatory and witness with the sentence naming them


@dataclass(frozen=True)
class RecognitionFact:
    subject: EntityRef
    designation: str
    evidence: Evidence


Fact = PostFact | PairFact | AgreementFact | RecognitionFact


@dataclass
class DocumentFacts:
    document: Document
    entities: list[EntityRef] = field(default_factory=list)
    posts: list[PostFact] = field(default_factory=list)
    pairs: list[PairFact] = field(default_factory=list)
    agreements: list[AgreementFact] = field(default_factory=list)
    recognitions: list[RecognitionFact] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    home: Home | None = None

    def add(self, facts: list[Fact]) -> None:
        """Append each fact to the list of its kind (posts, pairs, agreements or recognitions)."""
        for fact in facts:
            if isinstance(fact, PairFact):
                self.pairs.append(fact)
            elif isinstance(fact, PostFact):
                self.posts.append(fact)
            elif isinstance(fact, RecognitionFact):
                self.recognitions.append(fact)
            elif isinstance(fact, AgreementFact):
                self.agreements.append(fact)
            else:
                raise TypeError(f"not a fact: {fact!r}")


def relation_of(fact: Fact) -> str:
    """The relation a fact states, named as in the graph (and in the rules' registry).

    >>> relation_of(RecognitionFact(EntityRef("Enterprise", "甲公司"), "专精特新企业", Evidence("d", 0, 1, "。")))
    'recognizedAs'
    """
    if isinstance(fact, PairFact):
        return fact.relation
    if isinstance(fact, PostFact):
        return "holdsPost"
    if isinstance(fact, RecognitionFact):
        return "recognizedAs"
    if isinstance(fact, AgreementFact):
        return "agreement"
    raise TypeError(f"not a fact: {fact!r}")


# ------------------------------------------------------------------ sentences

@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Sentences with offsets (split after 。！？； and at line ends), whitespace trimmed.

    >>> [s.text for s in sentences("甲说。 乙来了！\\n\\n丙")]
    ['甲说。', '乙来了！', '丙']
    """
    out = []
    for m in re.finditer(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』]?", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
    return out
