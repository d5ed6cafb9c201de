"""Zhengqi KG (政企图谱): Chinese local-government news → a knowledge graph with evidence.

Data flows one way::

    ingest (files → Document) → nlp (spaCy Doc with entity spans) → extract (facts with
    evidence) → resolve (one node per real-world thing) → graph (rdflib, contract vocabulary)
    → outputs (Turtle, map)
"""

__version__ = "0.1.0"
