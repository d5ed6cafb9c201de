"""SHACL validation of the graph contract (ontology/shapes.ttl via kg.validate)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS

from kg.validate import ValidationResult, validate_file, validate_graph

KGO = rdflib.Namespace("https://w3id.org/zhengqi/ontology#")
KGR = rdflib.Namespace("https://w3id.org/zhengqi/id/")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "contract_sample.ttl"
ONTOLOGY = ROOT / "ontology" / "zhengqi.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"

ENTITY_CLASSES = ("Person", "Enterprise", "GovernmentBody", "Institution",
                  "IndustrialPark", "Project", "Place", "Agreement")

CHENGYU = KGR["person/chengyu-1"]
MEMBERSHIP = KGR["membership/chengyu-1-shizhang-liaoyuan-government"]
EVIDENCE = KGR["evidence/sample-1"]
LIAOYUAN = KGR["place/liaoyuan"]
JILIN = KGR["place/jilin"]


@pytest.fixture()
def sample() -> rdflib.Graph:
    return rdflib.Graph().parse(SAMPLE, format="turtle")


XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")  # not rdflib's closed XSD: pytest probes module attributes


def assert_fails(result: ValidationResult, *messages: str) -> None:
    """Non-conforming, with >= 1 violation, and the report names the expected reason(s)."""
    assert not result.conforms, result.report
    assert result.violations >= 1, result.report
    for message in messages:
        assert message in result.report, result.report


# --- the sample ---------------------------------------------------------------

def test_sample_conforms():
    result = validate_file(SAMPLE)
    assert result.conforms, result.report
    assert result.violations == 0
    assert result.warnings == 0, result.report


def test_explicit_shapes_path(sample):
    assert validate_graph(sample, shapes_path=SHAPES).conforms


def test_validation_does_not_modify_input(sample):
    before = len(sample)
    validate_graph(sample)
    assert len(sample) == before


def test_sample_evidence_offsets_slice_document_text(sample):
    evidences = list(sample.subjects(RDF.type, KGO.Evidence))
    assert evidences
    for ev in evidences:
        doc = sample.value(ev, PROV.wasDerivedFrom)
        doc_text = str(sample.value(doc, KGO.text))
        start = sample.value(ev, KGO.start).toPython()
        end = sample.value(ev, KGO.end).toPython()
        assert doc_text[start:end] == str(sample.value(ev, KGO.text))


# --- variants that must not conform -------------------------------------------

def test_entity_without_zh_label(sample):
    sample.remove((CHENGYU, RDFS.label, None))
    assert_fails(validate_graph(sample), "exactly one rdfs:label in @zh")


def test_entity_with_only_en_label(sample):
    sample.remove((CHENGYU, RDFS.label, None))
    sample.add((CHENGYU, RDFS.label, Literal("Cheng Yu", lang="en")))
    assert_fails(validate_graph(sample))


def test_entity_with_two_zh_labels(sample):
    sample.add((CHENGYU, RDFS.label, Literal("程宇市长", lang="zh")))
    assert_fails(validate_graph(sample))


def test_entity_without_mention(sample):
    sample.remove((CHENGYU, KGO.mentionedIn, None))
    assert_fails(validate_graph(sample))


def test_entity_with_two_entity_types(sample):
    sample.add((CHENGYU, RDF.type, KGO.Enterprise))
    assert_fails(validate_graph(sample), "more than one entity class")


def test_evidence_start_after_end(sample):
    sample.set((EVIDENCE, KGO.start, Literal(80)))
    sample.set((EVIDENCE, KGO.end, Literal(50)))
    assert_fails(validate_graph(sample), "0 <= start < kgo:end")


def test_evidence_negative_start(sample):
    sample.set((EVIDENCE, KGO.start, Literal(-1)))
    assert_fails(validate_graph(sample))


def test_evidence_offsets_not_matching_text(sample):
    sample.set((EVIDENCE, KGO.start, Literal(42)))
    sample.set((EVIDENCE, KGO.end, Literal(71)))
    assert_fails(validate_graph(sample), "not the document's kgo:text")


def test_membership_without_evidence(sample):
    sample.remove((MEMBERSHIP, PROV.wasDerivedFrom, None))
    assert_fails(validate_graph(sample), "A Membership needs at least one prov:wasDerivedFrom")


def test_membership_member_not_a_person(sample):
    sample.set((MEMBERSHIP, ORG.member, KGR["enterprise/faw"]))
    assert_fails(validate_graph(sample), "org:member, a kgo:Person")


def test_membership_role_without_label(sample):
    sample.set((MEMBERSHIP, ORG.role, KGR["role/unlabelled"]))
    assert_fails(validate_graph(sample))


def test_membership_organization_is_a_place(sample):
    sample.set((MEMBERSHIP, ORG.organization, LIAOYUAN))
    assert_fails(validate_graph(sample))


def test_membership_as_of_untyped(sample):
    sample.set((MEMBERSHIP, KGO.asOf, Literal("2025-02-12")))
    assert_fails(validate_graph(sample))


def test_membership_as_of_year_month_is_fine(sample):
    sample.set((MEMBERSHIP, KGO.asOf, Literal("2025-02", datatype=XSD.gYearMonth)))
    assert validate_graph(sample).conforms


def test_agreement_signatory_not_a_person(sample):
    agreement = KGR["agreement/sample-1"]
    sample.add((agreement, KGO.signatory, KGR["enterprise/faw"]))
    assert_fails(validate_graph(sample))


def test_agreement_without_evidence(sample):
    sample.remove((KGR["agreement/sample-1"], PROV.wasDerivedFrom, None))
    assert_fails(validate_graph(sample))


def test_document_without_source(sample):
    sample.remove((KGR["doc/sample"], DCTERMS.source, None))
    assert_fails(validate_graph(sample))


def test_statement_without_evidence(sample):
    sample.remove((KGR["statement/sample-1"], PROV.wasDerivedFrom, None))
    assert_fails(validate_graph(sample))


def test_statement_of_unasserted_triple(sample):
    sample.remove((LIAOYUAN, KGO.locatedIn, JILIN))
    assert_fails(validate_graph(sample), "not asserted")


def test_designation_without_label(sample):
    sample.remove((KGR["designation/provincial-single-champion-first-batch"], RDFS.label, None))
    assert_fails(validate_graph(sample))


def test_relation_without_statement_is_only_a_warning(sample):
    sample.add((KGR["enterprise/qixing-aluminum"], KGO.locatedIn, LIAOYUAN))
    result = validate_graph(sample)
    assert result.conforms, result.report
    assert result.violations == 0
    assert result.warnings >= 1


# --- the ontology -------------------------------------------------------------

def test_ontology_declares_entity_classes_with_labels():
    onto = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    assert (URIRef("https://w3id.org/zhengqi/ontology"), RDF.type, OWL.Ontology) in onto
    for name in ENTITY_CLASSES:
        cls = KGO[name]
        assert (cls, RDF.type, OWL.Class) in onto, name
        assert (cls, RDFS.subClassOf, KGO.Entity) in onto, name
        langs = {lbl.language for lbl in onto.objects(cls, RDFS.label)}
        assert {"zh", "en"} <= langs, name


def test_ontology_terms_all_labelled_and_commented():
    onto = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    terms = [s for s in onto.subjects() if isinstance(s, URIRef) and s.startswith(str(KGO))]
    assert len(set(terms)) >= 11 + 14
    for term in set(terms):
        langs = {lbl.language for lbl in onto.objects(term, RDFS.label)}
        assert {"zh", "en"} <= langs, term
        assert any(c.language == "en" for c in onto.objects(term, RDFS.comment)), term
    assert (KGO.cooperatesWith, RDF.type, OWL.SymmetricProperty) in onto
    assert (KGO.Evidence, RDFS.subClassOf, PROV.Entity) in onto


def test_symmetric_relation_evidenced_in_reverse_is_fine(sample):
    faw, gov = KGR["enterprise/faw"], KGR["body/liaoyuan-government"]
    sample.add((faw, KGO.cooperatesWith, gov))
    statement = KGR["statement/sample-3"]
    sample.add((statement, RDF.type, RDF.Statement))
    sample.add((statement, RDF.subject, gov))
    sample.add((statement, RDF.predicate, KGO.cooperatesWith))
    sample.add((statement, RDF.object, faw))
    sample.add((statement, PROV.wasDerivedFrom, KGR["evidence/sample-2"]))
    result = validate_graph(sample)
    # the reverse statement's own triple (gov cooperatesWith faw) is not asserted: a violation
    assert result.violations == 1 and "not asserted" in result.report, result.report
    # ...but the asserted direction counts as evidenced: no coverage warning
    assert result.warnings == 0, result.report


def test_sparql_parse_cache_is_uninstalled(sample):
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    original = SPARQLProcessor.query
    validate_graph(sample)
    assert SPARQLProcessor.query is original
