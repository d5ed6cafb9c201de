"""The contract vocabulary (../shared/SCHEMA.md) as rdflib namespaces."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

KGO = Namespace("https://w3id.org/zhengqi/ontology#")
KGR = Namespace("https://w3id.org/zhengqi/id/")

ENTITY_CLASSES = (
    "Person", "Enterprise", "GovernmentBody", "Institution",
    "IndustrialPark", "Project", "Place", "Agreement",
)

PREFIXES = {
    "kgo": KGO, "kgr": KGR, "org": ORG, "prov": PROV, "skos": SKOS,
    "dcterms": DCTERMS, "rdf": RDF, "rdfs": RDFS, "xsd": XSD,
}


def bind_prefixes(graph) -> None:
    """Bind the contract's prefixes on an rdflib graph (for readable Turtle)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
