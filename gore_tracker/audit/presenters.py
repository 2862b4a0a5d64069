"""How an entry reads on the Auditoría page: Spanish field names, values, and a link to the record."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from gore_tracker.commitments import rules

FIELD_LABELS = {
    "text": "Texto", "number": "Número", "due": "Plazo", "status": "Estado", "progress": "Avance (%)",
    "responsible_text": "Responsable (texto)", "responsible_orgs": "Entidades responsables",
    "deliverable": "Producto esperado", "target": "Meta", "achieved": "Logrado", "cui": "CUI",
    "source_page": "Página del acta", "topic_id": "Tema", "meeting_id": "Sesión", "region": "Gobierno regional",
    "sector": "Sector", "title": "Título", "body": "Instancia", "edition": "Edición", "date": "Fecha",
    "place": "Lugar", "modality": "Modalidad", "session_type": "Tipo de sesión", "moderator": "Moderador",
    "observations": "Observaciones", "name": "Nombre", "honorific": "Tratamiento", "position": "Cargo",
    "side": "Por", "organization": "Entidad", "sort_order": "Orden", "email": "Correo", "role": "Rol",
    "active": "Activa", "password": "Contraseña", "reminders_enabled": "Recordatorios",
    "digest_enabled": "Resumen semanal", "kind": "Tipo", "code": "Código", "official_name": "Nombre oficial",
    "aliases": "Otros nombres", "parent": "Depende de", "revoked": "Revocado", "user_id": "Cuenta",
    "status_label": "Estado", "error_message": "Error", "original_name": "Archivo",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def value_text(name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if name == "status" and value in rules.STATUS_LABELS:
        return rules.STATUS_LABELS[value]
    return str(value)


@dataclass
class Row:
    entry: object
    link: str | None
    changes: list[tuple[str, str, str]]   # (label, before, after)
    created: bool
    deleted: bool


def _link(e) -> str | None:
    if e.entity_id is None:
        return None
    if e.entity == "commitment" and e.action != "delete":
        return url_for("commitments.detail", commitment_id=e.entity_id)
    if e.entity == "meeting" and e.action != "delete":
        return url_for("meetings.detail", meeting_id=e.entity_id)
    if e.meeting_id is not None and e.entity in ("attendee", "topic", "other_topic", "region_block", "absence"):
        return url_for("meetings.detail", meeting_id=e.meeting_id)
    return None


def present(e) -> Row:
    changes = []
    for name, value in (e.changes or {}).items():
        if isinstance(value, dict) and set(value) == {"before", "after"}:
            changes.append((field_label(name), value_text(name, value["before"]), value_text(name, value["after"])))
        else:
            changes.append((field_label(name), "", value_text(name, value)))
    return Row(entry=e, link=_link(e), changes=changes, created=e.action == "create", deleted=e.action == "delete")
