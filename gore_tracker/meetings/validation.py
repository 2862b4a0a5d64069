"""Checking a gore-acta/1 document and resolving it against the reference data.

Small functions, one per part of the acta, each adding Spanish messages keyed by document
path (``regions.0.topics.1.text``) to one ``FieldErrors``; ``validate_document`` runs them
all and raises once. The limits are ``limits.py``'s, the same the form's validators use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable

from gore_tracker.exceptions import FieldErrors, ValidationFailed
from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.dates import parse_field
from gore_tracker.utils.text import collapse

from . import documents
from .limits import MAX_EDITION, MAX_LEN, MAX_NUMBER, MAX_TARGET, MIN_TARGET
from .models import DEFAULT_BODY

RegionLookup = Callable[[str, str], object]


def text(value) -> str:
    return collapse(value) if isinstance(value, str) else ""


def optional_text(value) -> str | None:
    return text(value) or None


def check_length(value: str | None, key: str, path: str, errors: FieldErrors) -> None:
    if value and len(value) > MAX_LEN[key]:
        errors.add(path, f"Texto demasiado largo (máximo {MAX_LEN[key]} caracteres).")


def check_number(value: int, path: str, errors: FieldErrors) -> bool:
    if not 1 <= value <= MAX_NUMBER:
        errors.add(path, f"El número debe estar entre 1 y {MAX_NUMBER}.")
        return False
    return True


def check_target(value, path: str, errors: FieldErrors) -> Decimal | None:
    if value is None:
        return None
    amount = Decimal(str(value))
    if not (amount.is_finite() and MIN_TARGET <= amount <= MAX_TARGET):
        errors.add(path, "La meta debe ser un número entre 0 y 999 999 999 999.")
        return None
    return amount


@dataclass
class Header:
    title: str
    session_type: str
    date: date | None
    place: str | None
    moderator: str | None
    sector: object
    body: str
    edition: int | None
    modality: str
    observations: str | None


@dataclass
class ValidActa:
    """A document checked and resolved: what ``record_acta`` and ``update_meeting`` save."""

    header: Header
    attendees: list[dict]
    blocks: list[dict]
    other_topics: list[dict]
    absent: list
    source: dict
    region_codes: list[str] = field(default_factory=list)
    key: str = ""  # identity_key, set by the operations


def header(document: dict, errors: FieldErrors) -> Header:
    m = document["meeting"]
    ext = document.get("extensions") or {}
    title = text(m["title"])
    if not title:
        errors.add("meeting.title", "Ingrese el título de la sesión.")
    check_length(title, "title", "meeting.title", errors)
    day = parse_field(m["date"], "meeting.date", errors)
    if day is None and "meeting.date" not in errors.fields:
        errors.add("meeting.date", "Ingrese la fecha de la sesión.")
    place, moderator = optional_text(m["place"]), optional_text(m["moderator"])
    check_length(place, "place", "meeting.place", errors)
    check_length(moderator, "moderator", "meeting.moderator", errors)
    sector = orgs.find_sector(m["sector"]) if m["sector"] else None
    if sector is None:
        errors.add("meeting.sector", "Sector desconocido; use el nombre de un ministerio o la PCM."
                   if m["sector"] else "Indique el sector.")
    body = text(ext.get("body")) or DEFAULT_BODY
    if len(body) > MAX_LEN["body"]:
        errors.add("extensions.body", "Nombre de instancia demasiado largo.")
    edition = ext.get("edition")
    if edition is not None and edition > MAX_EDITION:
        errors.add("extensions.edition", f"La edición debe ser un número entre 1 y {MAX_EDITION}.")
    return Header(title=title, session_type=m["session_type"], date=day, place=place, moderator=moderator,
                  sector=sector, body=body, edition=edition, modality=ext.get("modality") or "presencial",
                  observations=optional_text(document.get("observations")))


def region_lookup(errors: FieldErrors) -> RegionLookup:
    """A function resolving a regional government's name, adding an error at ``path`` if unknown."""
    all_regions = orgs.regions()

    def find(name: str, path: str):
        found = orgs.rules.match(name, all_regions, region=True)
        if found is None:
            errors.add(path, f"Gobierno regional desconocido: «{name}».")
        return found
    return find


def attendees(items: list, sector, region: RegionLookup, errors: FieldErrors) -> list[dict]:
    out = []
    for i, a in enumerate(items):
        name = text(a["name"])
        if not name:
            errors.add(f"attendees.{i}.name", "Ingrese el nombre.")
        check_length(name, "name", f"attendees.{i}.name", errors)
        check_length(optional_text(a["honorific"]), "honorific", f"attendees.{i}.honorific", errors)
        check_length(optional_text(a["position"]), "position", f"attendees.{i}.position", errors)
        org = None
        if a["side"] == "region" and a.get("region"):
            org = region(a["region"], f"attendees.{i}.region")
        elif a["side"] == "sector":
            org = sector
        out.append(dict(name=name, honorific=optional_text(a["honorific"]), position=optional_text(a["position"]),
                        side=a["side"], organization=org))
    return out


def _commitments(items: list, tpath: str, seen: set, errors: FieldErrors) -> list[dict]:
    out = []
    for k, c in enumerate(items):
        cpath = f"{tpath}.commitments.{k}"
        if check_number(c["number"], f"{cpath}.number", errors) and c["number"] in seen:
            errors.add(f"{cpath}.number", f"El COMPROMISO {c['number']} está repetido en este bloque.")
        seen.add(c["number"])
        ctext = text(c["text"])
        if not ctext:
            errors.add(f"{cpath}.text", "Ingrese el texto del compromiso.")
        due = parse_field(c["due"], f"{cpath}.due", errors) if c["due"] else None
        out.append(dict(number=c["number"], text=ctext, due=due, responsible_text=optional_text(c["responsible"]),
                        extra={}))
    return out


def region_blocks(items: list, region: RegionLookup, errors: FieldErrors) -> list[dict]:
    blocks, seen_regions = [], set()
    for i, block in enumerate(items):
        reg = region(block["region"], f"regions.{i}.region")
        if reg is not None:
            if reg.id in seen_regions:
                errors.add(f"regions.{i}.region", f"{reg.name} aparece en dos bloques; únalos en uno.")
            seen_regions.add(reg.id)
        topic_numbers, commitment_numbers, topics = set(), set(), []
        for j, t in enumerate(block["topics"]):
            tpath = f"regions.{i}.topics.{j}"
            if check_number(t["number"], f"{tpath}.number", errors) and t["number"] in topic_numbers:
                errors.add(f"{tpath}.number", f"El TEMA {t['number']} está repetido en este bloque.")
            topic_numbers.add(t["number"])
            ttext = text(t["text"])
            if not ttext:
                errors.add(f"{tpath}.text", "Ingrese el texto del tema.")
            topics.append(dict(number=t["number"], text=ttext,
                               commitments=_commitments(t["commitments"], tpath, commitment_numbers, errors)))
        blocks.append(dict(region=reg, topics=topics))
    if not items:
        errors.add("regions", "Registre al menos un gobierno regional con sus temas y compromisos.")
    return blocks


def other_topics(items: list, region: RegionLookup, errors: FieldErrors) -> list[dict]:
    out = []
    for i, o in enumerate(items):
        otext = text(o["text"])
        if not otext:
            errors.add(f"other_topics.{i}.text", "Ingrese el texto del tema.")
        reg = region(o["region"], f"other_topics.{i}.region") if o.get("region") else None
        out.append(dict(text=otext, region=reg))
    return out


def absences(names: list, blocks: list[dict], region: RegionLookup, errors: FieldErrors) -> list:
    present = {b["region"].id for b in blocks if b["region"] is not None}
    absent = []
    for i, name in enumerate(names):
        reg = region(name, f"extensions.absent_regions.{i}")
        if reg is None:
            continue
        if reg.id in present:
            errors.add(f"extensions.absent_regions.{i}",
                       f"{reg.name} tiene compromisos en el acta; no puede figurar como ausente.")
        elif reg not in absent:
            absent.append(reg)
    return absent


def commitment_details(items: list, blocks: list[dict], region: RegionLookup, errors: FieldErrors) -> None:
    """``extensions.commitments``: details of a commitment addressed by (region, number),
    stored on that commitment's ``extra``."""
    index = {(b["region"].id, c["number"]): c
             for b in blocks if b["region"] is not None for t in b["topics"] for c in t["commitments"]}
    for i, extra in enumerate(items):
        path = f"extensions.commitments.{i}"
        reg = region(extra["region"], f"{path}.region")
        target = index.get((reg.id, extra["number"])) if reg else None
        if target is None:
            if reg is not None:
                errors.add(f"{path}.number", "No hay un compromiso con ese número en ese bloque.")
            continue
        responsible = []
        for j, name in enumerate(extra.get("responsible_orgs") or []):
            org = orgs.find_org(name)
            if org is None:
                errors.add(f"{path}.responsible_orgs.{j}", f"Entidad desconocida: «{name}».")
            elif org not in responsible:
                responsible.append(org)
        deliverable = optional_text(extra.get("deliverable"))
        check_length(deliverable, "deliverable", f"{path}.deliverable", errors)
        target["extra"] = dict(
            path=path, deliverable=deliverable, target=check_target(extra.get("target"), f"{path}.target", errors),
            cui=optional_text(extra.get("cui")), responsible_orgs=responsible,
            source_page=extra.get("source_page"), status=extra.get("status"), progress=extra.get("progress"),
        )


def validate_document(document: dict) -> ValidActa:
    """The document checked (shape, then content) and resolved, or ``ValidationFailed`` with
    every problem found, by path."""
    document = documents.strip_read_only(document)
    shape = documents.shape_errors(document)
    if shape:
        raise ValidationFailed("El acta no tiene el formato esperado.", shape)
    errors = FieldErrors()
    ext = document.get("extensions") or {}
    head = header(document, errors)
    region = region_lookup(errors)
    blocks = region_blocks(document["regions"], region, errors)
    acta = ValidActa(
        header=head,
        attendees=attendees(document["attendees"], head.sector, region, errors),
        blocks=blocks,
        other_topics=other_topics(document["other_topics"], region, errors),
        absent=absences(ext.get("absent_regions") or [], blocks, region, errors),
        source=document.get("source") or {},
    )
    commitment_details(ext.get("commitments") or [], blocks, region, errors)
    errors.raise_if_any()
    acta.region_codes = [b["region"].code for b in blocks]
    return acta
