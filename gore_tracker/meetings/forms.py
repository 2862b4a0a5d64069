"""The acta form: header, attendees, region blocks of topics and commitments, other topics.

The form only converts what the browser sends into a gore-acta/1 document (plus
``extensions``); the rules live once in ``operations.record_acta``. Domain errors
come back keyed by document path (``regions.0.topics.1.commitments.0.number``) and
``ActaForm.apply_errors`` puts each one beside the field it belongs to.

Rows left completely blank (the spare rows the page offers) are ignored, so the
document paths are mapped back to form entries through the index built while
converting.
"""
from __future__ import annotations

import json
from datetime import date

from flask import g
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField, DecimalField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError,
)

from gore_tracker.organizations import operations as orgs
from gore_tracker.utils.numbers import parse_id
from gore_tracker.utils.text import collapse, fold

from .documents import FORMAT
from .limits import MAX_EDITION, MAX_LEN, MAX_NUMBER, MAX_TARGET, MIN_TARGET
from .models import DEFAULT_BODY

# Upper bounds on rows, so a forged request cannot make the server build huge forms.
MAX_ATTENDEES = 300
MAX_REGIONS = 30
MAX_TOPICS = 60
MAX_COMMITMENTS = 80
MAX_OTHER_TOPICS = 100

BODY_SUGGESTIONS = (
    "GORE Ejecutivo",
    "Muni Ejecutivo",
    "Consejo Regional de Salud de ",
    "Consejo de Estado Regional",
)
HONORIFICS = ("Sr.", "Sra.", "Dr.", "Dra.", "Ing.", "Lic.", "Mg.", "Econ.", "Abog.", "Arq.", "Prof.")
SIDES = {"region": "Gob. regional", "sector": "Sector", "other": "Otros"}
SESSION_TYPES = {"ordinaria": "Ordinaria", "extraordinaria": "Extraordinaria"}
MODALITIES = {"presencial": "Presencial", "virtual": "Virtual"}

_ORDINALS = {1: "1er", 2: "2do", 3: "3er", 4: "4to", 5: "5to", 6: "6to", 7: "7mo", 8: "8vo",
             9: "9no", 10: "10mo"}

NUMBER_MESSAGE = "Escriba un número entero."
DATE_MESSAGE = "Fecha no válida; use el formato AAAA-MM-DD."


def ordinal(n: int) -> str:
    """'4to' for 4, as in '4to GORE Ejecutivo'; '12.°' past ten."""
    return _ORDINALS.get(n, f"{n}.°")


def default_title(body: str | None, edition: int | None, session_type: str | None) -> str:
    """The heading used when the liaison leaves the title blank: '4to GORE Ejecutivo Extraordinario'."""
    parts = []
    if edition:
        parts.append(ordinal(edition))
    parts.append(collapse(body) or DEFAULT_BODY)
    parts.append("Extraordinario" if session_type == "extraordinaria" else "Ordinario")
    return " ".join(parts)


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


def region_choices() -> list[SelectChoice]:
    """Regional governments by canonical name (cached for the request: every row uses them)."""
    cached = g.get("_acta_region_choices")
    if cached is None:
        regions = sorted(orgs.regions(), key=lambda r: fold(r.name))  # Áncash among the A
        cached = [SelectChoice("", "— Elija —")] + [SelectChoice(r.name, r.name) for r in regions]
        g._acta_region_choices = cached
    return cached


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def _raw_blank(field) -> bool:
    if field.raw_data is None:
        return _blank(field.data)
    return not field.raw_data or _blank(field.raw_data[0])


def _max(n: int) -> Length:
    return Length(max=n, message=f"Máximo {n} caracteres.")


def _sized(label: str, key: str, **render) -> StringField:
    """A text input as long as the acta's limit for ``key`` (``limits.MAX_LEN``)."""
    return StringField(label, validators=[_max(MAX_LEN[key])], render_kw={"maxlength": MAX_LEN[key], **render})


class RowNumber:
    """A TEMA/COMPROMISO number: required unless the whole row is blank (then it is ignored)."""

    def __call__(self, form, field):
        if _raw_blank(field):
            field.errors[:] = []
            if form.is_blank():
                raise StopValidation()
            raise StopValidation("Indique el número.")
        if field.data is not None and field.data > MAX_NUMBER:
            raise StopValidation(f"El número no puede pasar de {MAX_NUMBER}.")


class RegionOfFilledBlock:
    def __call__(self, form, field):
        if _blank(field.data) and not form.is_blank():
            raise ValidationError("Elija el gobierno regional.")


class SubForm(Form):
    """Rows of the acta (no CSRF token of their own; the outer form has it)."""

    def is_blank(self) -> bool:  # pragma: no cover - every row overrides it
        raise NotImplementedError


class AttendeeForm(SubForm):
    honorific = _sized("Tratamiento", "honorific", list="honorifics")
    name = _sized("Nombre", "name")
    position = _sized("Cargo", "position")
    side = SelectField("Por", choices=_choices(SIDES), default="region",
                       invalid_choice_message="Valor no permitido.")
    region = SelectField("Gobierno regional", choices=region_choices, validate_choice=False)

    def is_blank(self) -> bool:
        return all(_blank(f.data) for f in (self.honorific, self.name, self.position))


class CommitmentForm(SubForm):
    number = IntegerField("Número", validators=[RowNumber()], invalid_value_message=NUMBER_MESSAGE,
                          render_kw={"min": 1, "inputmode": "numeric"})
    text = TextAreaField("COMPROMISO", render_kw={"rows": 2})
    responsible = StringField("Responsable")
    due = DateField("Plazo", validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    deliverable = StringField("Producto esperado", validators=[_max(MAX_LEN["deliverable"])])
    target = DecimalField("Meta",
                          validators=[Optional(),
                                      NumberRange(min=MIN_TARGET, max=MAX_TARGET,
                                                  message="La meta debe ser un número entre 0 y 999 999 999 999.")],
                          places=None,
                          invalid_value_message="Escriba un número (use punto para decimales).",
                          render_kw={"inputmode": "decimal"})
    cui = StringField("CUI", validators=[_max(20)], render_kw={"inputmode": "numeric", "maxlength": 10})
    # Kept through an edit: the page of the source PDF and the linked responsible bodies.
    source_page = HiddenField()
    responsible_orgs = HiddenField()
    responsible_orig = HiddenField()

    def is_blank(self) -> bool:
        return all(_blank(f.data) for f in (self.text, self.responsible, self.due, self.deliverable,
                                            self.target, self.cui))


class TopicForm(SubForm):
    number = IntegerField("Número", validators=[RowNumber()], invalid_value_message=NUMBER_MESSAGE,
                          render_kw={"min": 1, "inputmode": "numeric"})
    text = TextAreaField("TEMA", render_kw={"rows": 2})
    commitments = FieldList(FormField(CommitmentForm), min_entries=0, max_entries=MAX_COMMITMENTS)

    def is_blank(self) -> bool:
        return _blank(self.text.data) and all(c.form.is_blank() for c in self.commitments)


class RegionBlockForm(SubForm):
    region = SelectField("Gobierno regional", choices=region_choices, validate_choice=False,
                         validators=[RegionOfFilledBlock()])
    topics = FieldList(FormField(TopicForm), min_entries=0, max_entries=MAX_TOPICS)

    def is_blank(self) -> bool:
        return _blank(self.region.data) and all(t.form.is_blank() for t in self.topics)


class OtherTopicForm(SubForm):
    region = SelectField("Gobierno regional", choices=region_choices, validate_choice=False)
    text = TextAreaField("Tema tratado", render_kw={"rows": 2})

    def is_blank(self) -> bool:
        return _blank(self.text.data)


class ActaForm(FlaskForm):
    body = StringField("Instancia", default=DEFAULT_BODY, validators=[_max(MAX_LEN["body"])],
                       render_kw={"list": "bodies", "maxlength": MAX_LEN["body"]})
    edition = IntegerField("Edición (número)",
                           validators=[Optional(),
                                       NumberRange(min=1, max=MAX_EDITION, message=f"Entre 1 y {MAX_EDITION}.")],
                           invalid_value_message=NUMBER_MESSAGE, render_kw={"min": 1, "inputmode": "numeric"})
    title = _sized("Título", "title")
    session_type = SelectField("Tipo de sesión", choices=_choices(SESSION_TYPES), default="ordinaria",
                               invalid_choice_message="Valor no permitido.")
    date = DateField("Fecha", validators=[InputRequired("Indique la fecha de la sesión.")],
                     invalid_value_message=DATE_MESSAGE)
    place = _sized("Lugar (ciudad)", "place")
    modality = SelectField("Modalidad", choices=_choices(MODALITIES), default="presencial",
                           invalid_choice_message="Valor no permitido.")
    sector = SelectField("Sector", validate_choice=False)
    moderator = _sized("Moderador", "moderator")
    observations = TextAreaField("Observaciones", render_kw={"rows": 3})
    absent_regions = SelectMultipleField("Gobiernos regionales que no asistieron", choices=region_choices,
                                         validate_choice=False)
    source_file = FileField("Archivo del acta (PDF o imagen)")
    # Editing only: why a recorded commitment's text or due date changes (audit trail).
    reason = TextAreaField("Motivo del cambio", validators=[_max(2000)], render_kw={"rows": 2, "maxlength": 2000})
    attendees = FieldList(FormField(AttendeeForm), min_entries=0, max_entries=MAX_ATTENDEES)
    regions = FieldList(FormField(RegionBlockForm), min_entries=0, max_entries=MAX_REGIONS)
    other_topics = FieldList(FormField(OtherTopicForm), min_entries=0, max_entries=MAX_OTHER_TOPICS)

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        sectors = list(sectors)
        # Several sectors to choose from: no silent default, the user picks one.
        blank = [SelectChoice("", "— Elija el sector —")] if len(sectors) > 1 else []
        self.sector.choices = blank + [SelectChoice(s.name, s.name) for s in sectors]
        # Messages that belong to a whole section or to no field: {"regions": [...], "": [...]}.
        self.section_errors: dict[str, list[str]] = {}
        # Doubts of the PDF importer about a whole section or block (fields get ``.warnings``).
        self.section_warnings: dict[str, list[str]] = {}
        self._doc_index: dict[str, object] = {}

    # -- blank rows for a new acta and for rows added without JavaScript -------------------

    def add_blank_rows(self) -> None:
        """What a new acta starts with: two attendees per side, one region block, one other topic."""
        for side in ("region", "region", "sector", "sector"):
            self.attendees.append_entry({"side": side})
        self.add_region_block()
        self.other_topics.append_entry()

    def add_region_block(self):
        entry = self.regions.append_entry()
        self.add_topic(entry.form)
        return entry

    @staticmethod
    def add_topic(block_form):
        numbers = [t.form.number.data for t in block_form.topics if isinstance(t.form.number.data, int)]
        entry = block_form.topics.append_entry({"number": max(numbers, default=0) + 1})
        ActaForm.add_commitment(block_form, entry.form)
        return entry

    @staticmethod
    def add_commitment(block_form, topic_form):
        numbers = [c.form.number.data for t in block_form.topics for c in t.form.commitments
                   if isinstance(c.form.number.data, int)]
        return topic_form.commitments.append_entry({"number": max(numbers, default=0) + 1})

    def add_row(self, target: str) -> bool:
        """The no-JavaScript "Añadir" buttons: ``target`` names the list, e.g. ``regions-0-topics``."""
        parts = target.split("-")
        try:
            if parts == ["attendees"]:
                side = self.attendees[-1].form.side.data if self.attendees.entries else "region"
                self.attendees.append_entry({"side": side})
            elif parts == ["other_topics"]:
                self.other_topics.append_entry()
            elif parts == ["regions"]:
                self.add_region_block()
            elif len(parts) == 3 and parts[0] == "regions" and parts[2] == "topics":
                self.add_topic(self.regions[int(parts[1])].form)
            elif len(parts) == 5 and parts[0] == "regions" and parts[2] == "topics" and parts[4] == "commitments":
                block = self.regions[int(parts[1])].form
                self.add_commitment(block, block.topics[int(parts[3])].form)
            else:
                return False
        except (ValueError, IndexError):
            return False
        return True

    # -- form -> document ------------------------------------------------------------------

    def computed_title(self) -> str:
        return collapse(self.title.data) or default_title(self.body.data, self.edition.data,
                                                          self.session_type.data)

    def to_document(self) -> dict:
        """The gore-acta/1 document (with ``extensions``) the form describes; blank rows skipped."""
        index: dict[str, object] = {}
        attendees = []
        for entry in self.attendees:
            a = entry.form
            if a.is_blank():
                continue
            index[f"attendees.{len(attendees)}"] = entry
            attendees.append({
                "name": collapse(a.name.data),
                "honorific": collapse(a.honorific.data) or None,
                "position": collapse(a.position.data) or None,
                "side": a.side.data if a.side.data in SIDES else "other",
                "region": (a.region.data or None) if a.side.data == "region" else None,
            })
        regions, ext_commitments = [], []
        for entry in self.regions:
            b = entry.form
            if b.is_blank():
                continue
            bpath = f"regions.{len(regions)}"
            index[bpath] = entry
            topics = []
            for tentry in b.topics:
                t = tentry.form
                if t.is_blank():
                    continue
                tpath = f"{bpath}.topics.{len(topics)}"
                index[tpath] = tentry
                commitments = []
                for centry in t.commitments:
                    c = centry.form
                    if c.is_blank():
                        continue
                    index[f"{tpath}.commitments.{len(commitments)}"] = centry
                    index[f"extensions.commitments.{len(ext_commitments)}"] = centry
                    commitments.append({
                        "number": c.number.data,
                        "text": collapse(c.text.data),
                        "due": c.due.data.isoformat() if c.due.data else None,
                        "responsible": collapse(c.responsible.data) or None,
                    })
                    ext_commitments.append(_commitment_extension(b.region.data or "", c))
                topics.append({"number": t.number.data, "text": collapse(t.text.data),
                               "commitments": commitments})
            regions.append({"region": b.region.data or "", "topics": topics})
        other_topics = []
        for entry in self.other_topics:
            o = entry.form
            if o.is_blank():
                continue
            index[f"other_topics.{len(other_topics)}"] = entry
            other_topics.append({"region": o.region.data or None, "text": collapse(o.text.data)})
        self._doc_index = index
        return {
            "format": FORMAT,
            "meeting": {
                "title": self.computed_title(),
                "session_type": self.session_type.data,
                "date": self.date.data.isoformat() if self.date.data else "",
                "place": collapse(self.place.data) or None,
                "sector": self.sector.data or None,
                "moderator": collapse(self.moderator.data) or None,
            },
            "attendees": attendees,
            "regions": regions,
            "other_topics": other_topics,
            "observations": (self.observations.data or "").strip() or None,
            "extensions": {
                "body": collapse(self.body.data) or DEFAULT_BODY,
                "edition": self.edition.data,
                "modality": self.modality.data,
                "absent_regions": [r for r in (self.absent_regions.data or []) if r],
                "commitments": ext_commitments,
            },
        }

    # -- domain errors -> fields -----------------------------------------------------------

    _HEADER = {
        "meeting.title": "title", "meeting.session_type": "session_type", "meeting.date": "date",
        "meeting.place": "place", "meeting.sector": "sector", "meeting.moderator": "moderator",
        "observations": "observations", "extensions.body": "body", "extensions.edition": "edition",
        "extensions.modality": "modality", "extensions.absent_regions": "absent_regions",
        "source_file": "source_file", "reason": "reason",
    }
    # Leaves of extensions.commitments.N that are shown on another input.
    _EXT_LEAVES = {"region": "number", "responsible_orgs": "responsible", "source_page": "number",
                   "status": "number", "progress": "number"}

    def field_for_path(self, path: str):
        """The form field a document path points to, or None."""
        for prefix, name in self._HEADER.items():
            if path == prefix or path.startswith(prefix + "."):
                return self[name]
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            entry = self._doc_index.get(".".join(parts[:cut]))
            if entry is None:
                continue
            leaf = parts[cut]
            if parts[0] == "extensions":
                leaf = self._EXT_LEAVES.get(leaf, leaf)
            field = entry.form._fields.get(leaf)
            if field is None or isinstance(field, FieldList):
                return None
            return field
        return None

    def apply_errors(self, fields: dict[str, list[str]]) -> None:
        """Attach ``ValidationFailed.fields`` to the matching inputs; the rest to sections."""
        for path, messages in fields.items():
            if path.startswith("extensions.commitments.") and path.endswith(".region"):
                continue  # the form copies the block's region: reported at regions.N.region
            field = self.field_for_path(path)
            if field is not None:
                field.errors = list(field.errors or []) + [m for m in messages if m not in (field.errors or [])]
                continue
            parts = path.split(".")
            section = parts[0] if parts[0] in ("regions", "attendees", "other_topics") else ""
            entry = self._doc_index.get(".".join(parts[:2]))
            if section and entry is not None:
                # e.g. "regions.0" problems: shown at that block.
                self.section_errors.setdefault(entry.id, []).extend(messages)
            else:
                self.section_errors.setdefault(section, []).extend(messages)

    def apply_warnings(self, warnings) -> list[str]:
        """Put the PDF importer's warnings (``{"field": dotted path, "message"}``) beside the
        inputs they concern. Paths are those of the parsed document, whose rows this form
        holds in the same order (``data_from_document``); a path naming a row points at its
        number (or a block at its regional government), a list at its section.

        Returns, for each warning, the id of the element it was put beside ("" when that
        element has none), for a summary that links to them."""
        anchors = []
        for warning in warnings:
            message = warning.get("message")
            target = self._warning_target(warning.get("field") or "") if message else ""
            if not message:
                anchors.append("")
            elif isinstance(target, str):
                self.section_warnings.setdefault(target, []).append(message)
                anchors.append(target if target == "regions" or "-" in target else "")
            else:
                target.warnings = [*getattr(target, "warnings", []), message]
                anchors.append(target.id)
        return anchors

    def _warning_target(self, path: str):
        for prefix, name in self._HEADER.items():
            if path == prefix or path.startswith(prefix + "."):
                return self[name]
        node = self
        for part in path.split(".") if path else []:
            if isinstance(node, FieldList):
                if not (part.isascii() and part.isdigit()) or int(part) >= len(node.entries):
                    break
                node = node.entries[int(part)]
            elif isinstance(node, (FormField, ActaForm)):
                fields = node.form._fields if isinstance(node, FormField) else node._fields
                if part not in fields:
                    break
                node = fields[part]
            else:
                break
        if node is self:
            return ""
        if isinstance(node, FormField):
            for name in ("number", "region", "name", "text"):
                if name in node.form._fields:
                    return node.form._fields[name]
            return node.id
        if isinstance(node, FieldList):
            # Top-level lists have their own section; nested ones show at their region block.
            parts = node.name.split("-")
            return parts[0] if len(parts) == 1 else "-".join(parts[:2])
        return node

    def all_errors(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the summary at the top of the page."""
        out: list[tuple[str, str]] = []

        def walk(form):
            for field in form:
                if isinstance(field, FieldList):
                    for entry in field:
                        walk(entry.form)
                elif isinstance(field, FormField):
                    walk(field.form)
                else:
                    for message in field.errors or []:
                        out.append((field.id, f"{self.describe(field)}: {message}"))

        walk(self)
        for anchor, messages in self.section_errors.items():
            for message in messages:
                out.append((anchor or "acta-form", message))
        return out

    def describe(self, field) -> str:
        """A human place for a field: 'Cusco · TEMA 2 · COMPROMISO 3 · Plazo'."""
        parts = field.name.split("-")
        where = []
        label = str(field.label.text)
        if parts[0] == "regions" and len(parts) > 2:
            block = self.regions[_pos(self.regions, parts[:2])].form
            if len(parts) == 3:
                where.append(f"Bloque {_pos(self.regions, parts[:2]) + 1}")
            else:
                where.append(block.region.data or f"Bloque {_pos(self.regions, parts[:2]) + 1}")
            if len(parts) > 4:
                topic = block.topics[_pos(block.topics, parts[:4])].form
                where.append(f"TEMA {topic.number.data or '?'}")
                if len(parts) > 6:
                    c = topic.commitments[_pos(topic.commitments, parts[:6])].form
                    where.append(f"COMPROMISO {c.number.data or '?'}")
                if parts[-1] in ("number", "text"):
                    label = ""  # the message says which
        elif parts[0] == "attendees" and len(parts) > 2:
            where.append(f"Asistente {_pos(self.attendees, parts[:2]) + 1}")
        elif parts[0] == "other_topics" and len(parts) > 2:
            where.append(f"Otro tema {_pos(self.other_topics, parts[:2]) + 1}")
        if label:
            where.append(label)
        return " · ".join(where)


def _pos(field_list, name_parts) -> int:
    name = "-".join(name_parts)
    for i, entry in enumerate(field_list):
        if entry.name == name:
            return i
    return 0


def _commitment_extension(region: str, c: CommitmentForm) -> dict:
    orig = collapse(c.responsible_orig.data)
    try:
        kept = json.loads(c.responsible_orgs.data) if c.responsible_orgs.data else []
    except ValueError:
        kept = []
    if not isinstance(kept, list) or orig != collapse(c.responsible.data):
        kept = []  # the responsible text changed: link bodies again from the new text
    page = (c.source_page.data or "").strip()
    return {
        "region": region,
        "number": c.number.data,
        "deliverable": collapse(c.deliverable.data) or None,
        "target": float(c.target.data) if c.target.data is not None else None,
        "cui": collapse(c.cui.data) or None,
        "responsible_orgs": [str(n) for n in kept if isinstance(n, str)],
        "source_page": parse_id(page),
    }


# -- document -> form data (editing) ---------------------------------------------------------

def _iso_date(value) -> date | None:
    """A document's ISO date; None when an imported acta had none (the form then asks for it)."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def data_from_document(doc: dict) -> dict:
    """``ActaForm(data=...)`` for a recorded meeting's ``to_document``."""
    m = doc["meeting"]
    ext = doc.get("extensions") or {}
    details = {(e["region"], e["number"]): e for e in ext.get("commitments") or []}
    regions = []
    for block in doc["regions"]:
        topics = []
        for t in block["topics"]:
            commitments = []
            for c in t["commitments"]:
                extra = details.get((block["region"], c["number"]), {})
                commitments.append({
                    "number": c["number"],
                    "text": c["text"],
                    "responsible": c["responsible"] or "",
                    "due": _iso_date(c["due"]),
                    "deliverable": extra.get("deliverable") or "",
                    "target": extra.get("target"),
                    "cui": extra.get("cui") or "",
                    "source_page": str(extra["source_page"]) if extra.get("source_page") else "",
                    "responsible_orgs": json.dumps(extra.get("responsible_orgs") or [], ensure_ascii=False),
                    "responsible_orig": c["responsible"] or "",
                })
            topics.append({"number": t["number"], "text": t["text"], "commitments": commitments})
        regions.append({"region": block["region"], "topics": topics})
    return {
        "body": ext.get("body") or DEFAULT_BODY,
        "edition": ext.get("edition"),
        "title": m["title"],
        "session_type": m["session_type"],
        "date": _iso_date(m.get("date")),
        "place": m["place"] or "",
        "modality": ext.get("modality") or "presencial",
        "sector": m["sector"],
        "moderator": m["moderator"] or "",
        "observations": doc.get("observations") or "",
        "absent_regions": list(ext.get("absent_regions") or []),
        "attendees": [{
            "honorific": a["honorific"] or "", "name": a["name"], "position": a["position"] or "",
            "side": a["side"], "region": a["region"] or "",
        } for a in doc["attendees"]],
        "regions": regions,
        "other_topics": [{"region": o["region"] or "", "text": o["text"]} for o in doc["other_topics"]],
    }
