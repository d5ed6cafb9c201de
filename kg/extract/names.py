"""What a name says about the names it starts with (the three ``name-…`` rules share it): a place or
park at the start of a name locates it, a firm at the start of a project undertakes it, a parent at the
start of a unit owns it."""

from __future__ import annotations

from kg.recognize import ORG_CLASSES, Mention

__all__ = ["name_relation", "organisation_names"]


def organisation_names(ms: list[Mention]) -> list[tuple[Mention, list[Mention]]]:
    """Each organisation's name among ``ms`` that is not inside a longer name, with the names that start
    where it starts and end before it ends, longest first."""
    out = []
    for outer in (m for m in ms if not m.nested and m.label in ORG_CLASSES):
        inner = [m for m in ms if m is not outer and outer.start == m.start and m.end < outer.end]
        inner.sort(key=lambda m: m.end - m.start, reverse=True)
        out.append((outer, inner))
    return out


def name_relation(outer: Mention, inner: Mention) -> str | None:
    """The relation between a name and a name it starts with (undertakes: the inner firm the outer project).

    >>> name_relation(Mention(0, 6, "Enterprise", "梨树县甲公司", "梨树县甲公司"), Mention(0, 3, "Place", "梨树县", "梨树县"))
    'locatedIn'
    """
    if inner.label == "Place":
        return "locatedIn" if outer.label != "GovernmentBody" else None
    if inner.label == "IndustrialPark" and outer.label in ("IndustrialPark", "Project", "Enterprise"):
        return "locatedIn"
    if inner.label == "Enterprise" and outer.label == "Project":
        return "undertakes"
    if inner.label == outer.label and outer.label in ("Enterprise", "Institution", "GovernmentBody"):
        return "subOrganizationOf"
    return None
