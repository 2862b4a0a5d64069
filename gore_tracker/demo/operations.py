"""Loading the demo data set: realistic sessions, commitments and their histories.

Everything enters through the same doors as real data: actas through ``record_acta``
(the seed acta from its gore-acta/1 JSON, the others built as gore-acta/1 documents),
every status change through ``apply_update``, users through ``create_user`` and
added bodies through ``create_organization``. The data is deterministic (a fixed
``random.Random`` seed) and its dates are relative to the day it is loaded, so that
some commitments are always overdue and some due soon.

``load_demo`` flushes and never commits; ``flask demo load`` commits once.
"""
from __future__ import annotations

import copy
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from importlib import resources

from sqlalchemy import func, select

from gore_tracker.commitments import rules
from gore_tracker.commitments.operations import apply_update
from gore_tracker.exceptions import DuplicateMeeting
from gore_tracker.extensions import db
from gore_tracker.meetings.operations import record_acta
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization
from gore_tracker.users import operations as users
from gore_tracker.users.models import User
from gore_tracker.utils import dates
from gore_tracker.utils.text import fold

from . import content

SEED = 2020
SEED_ACTA = "seed-ayacucho-2020-12-08.json"
ACCOUNTS = content.ACCOUNTS
PASSWORD = content.PASSWORD


class DemoRefused(Exception):
    """The database holds accounts that are not demo accounts (a real installation)."""


@dataclass
class DemoResult:
    loaded: bool = True          # False when the demo data set was already there
    meetings: int = 0
    commitments: int = 0
    updates: int = 0
    users: int = 0
    organizations: int = 0
    skipped: list[str] = field(default_factory=list)


def seed_document() -> dict:
    """The reproduction of the real Ayacucho 2020-12-08 acta, as shipped with the app."""
    text = resources.files("gore_tracker.demo").joinpath("data", SEED_ACTA).read_text("utf-8")
    return json.loads(text)


def is_demo_email(email: str) -> bool:
    return (email or "").lower().endswith("@" + content.DOMAIN)


def is_loaded() -> bool:
    return users.find_user(ACCOUNTS[0][0]) is not None


def other_users() -> int:
    """How many accounts do not belong to the demo data set."""
    return db.session.scalar(
        select(func.count(User.id)).where(~func.lower(User.email).like("%@" + content.DOMAIN))
    ) or 0


def load_demo(today: date | None = None, *, force: bool = False) -> DemoResult:
    """Add the demo data set once. Returns ``DemoResult(loaded=False)`` when it is already there.

    Refuses (``DemoRefused``) when the database has accounts of its own, unless ``force``:
    demo accounts have a published password and do not belong in a real installation.
    """
    if is_loaded():
        return DemoResult(loaded=False)
    others = other_users()
    if others and not force:
        raise DemoRefused(
            f"La base de datos ya tiene {others} cuenta(s) que no son de demostración: no se cargan "
            "datos de demostración (sus cuentas tienen una contraseña publicada). "
            "Use --force si de verdad es una base de pruebas."
        )
    orgs.load_reference()
    return _Builder(today or dates.today(), random.Random(SEED)).run()


def _ordinal(n: int) -> str:
    suffix = {1: "er", 2: "do", 3: "er", 4: "to", 5: "to", 6: "to", 7: "mo", 8: "vo", 9: "no", 0: "mo"}
    return f"{n}{suffix[n % 10]}"


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with these lines of text (the evidence files of the demo)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 11 Tf 16 TL 60 780 Td " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
    stream = text.encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class _Builder:
    def __init__(self, today: date, rng: random.Random):
        self.today = today
        self.rng = rng
        self.result = DemoResult()
        self.users: dict[str, User] = {}          # email -> user
        self.liaisons: dict[str, User] = {}       # sector acronym -> liaison
        self.officers: dict[str, User] = {}       # region code -> regional officer
        self.coordinator: User | None = None

    # --- people and bodies ------------------------------------------------
    def _users(self) -> None:
        for email, name, role, org_text in ACCOUNTS + content.STAFF:
            user = users.find_user(email)
            if user is None:
                org = users.resolve_org_for_role(role, org_text)
                user = users.create_user(email=email, name=name, role=role, organization=org,
                                         password=PASSWORD)
                self.result.users += 1
            self.users[email] = user
            if role == "liaison":
                self.liaisons[user.organization.code] = user
            elif role == "regional_officer":
                self.officers[user.organization.code] = user
            elif role == "coordinator":
                self.coordinator = user

    def _organizations(self) -> None:
        for kind, name, code, official, parent in content.ORGANIZATIONS:
            existing = db.session.scalar(select(Organization).where(
                Organization.kind == kind, Organization.name_key == fold(name)))
            if existing is None:
                orgs.create_organization(kind=kind, name=name, code=code, official_name=official,
                                         parent=orgs.find_sector(parent) if parent else None)
                self.result.organizations += 1

    # --- helpers ------------------------------------------------------------
    def _person(self) -> tuple[str, str]:
        first = self.rng.choice(content.FIRST_NAMES)
        s1, s2 = self.rng.sample(content.SURNAMES, 2)
        female = first in {"María", "Rosa", "Elena", "Gladys", "Norma", "Yolanda", "Maribel", "Liliana",
                           "Nelly", "Ruth"}
        return ("Sra." if female else "Sr."), f"{first} {s1} {s2}"

    def _moment(self, day: date) -> datetime:
        """A working-hours moment of ``day`` in Lima, as UTC."""
        local = datetime.combine(day, time(self.rng.randint(8, 17), self.rng.choice((0, 10, 20, 30, 40, 50))),
                                 tzinfo=dates.tz())
        return local.astimezone(timezone.utc)

    # --- actas ----------------------------------------------------------------
    def _record(self, document: dict, actor, meeting_day: date, label: str):
        try:
            meeting = record_acta(document, actor)
        except DuplicateMeeting:
            self.result.skipped.append(label)
            return None
        meeting.created_at = self._moment(min(meeting_day + timedelta(days=1), self.today - timedelta(days=1)))
        self.result.meetings += 1
        return meeting

    def _seed_acta(self) -> None:
        document = seed_document()
        meeting_day = date.fromisoformat(document["meeting"]["date"])
        meeting = self._record(document, self.liaisons["MINSA"], meeting_day,
                               "acta del GORE Ejecutivo de Ayacucho del 8 de diciembre de 2020")
        if meeting is not None:
            self._histories(meeting, meeting_day)

    def _session(self, spec: dict) -> None:
        rng = self.rng
        day = self.today - timedelta(days=spec["days_ago"])
        sector = orgs.find_sector(spec["sector"])
        pool = content.POOLS[spec["sector"]]
        blocks, extra = [], []
        for region_name in spec["regions"]:
            places = content.PLACES[region_name]
            topics, number = [], 0
            for topic_text, templates in rng.sample(pool, len(pool)):
                if number >= spec["per_region"]:
                    break
                prov, prov2 = rng.sample(places, 2)
                fill = dict(prov=prov, prov2=prov2, region=region_name)
                chosen = templates if rng.random() < 0.6 else [rng.choice(templates)]
                chosen = chosen[: spec["per_region"] - number]
                commitments = []
                for tpl in chosen:
                    number += 1
                    target = rng.randint(*tpl["n"]) if "n" in tpl else None
                    if target and target >= 1000:
                        target = round(target, -2)
                    if number <= spec.get("due_soon", 0):
                        # so that each region's home page has something due within two weeks
                        due = self.today + timedelta(days=rng.randint(2, 13))
                    else:
                        due = day + timedelta(days=rng.randint(*tpl["due"])) if rng.random() < 0.92 else None
                    # The printed responsible text, less the bodies linked as organizations.
                    linked = {fold(o.format(**fill)) for o in tpl["o"]}
                    responsible = "; ".join(p for p in tpl["r"].split("; ") if fold(p) not in linked) or None
                    commitments.append({"number": number, "text": tpl["t"].format(n=target, **fill),
                                        "due": due.isoformat() if due else None, "responsible": responsible})
                    extra.append({
                        "region": region_name, "number": number, "deliverable": tpl["d"],
                        "target": target,
                        "cui": str(rng.randint(2_300_000, 2_599_999)) if tpl.get("cui") else None,
                        "responsible_orgs": [o.format(**fill) for o in tpl["o"]],
                    })
                topics.append({"number": len(topics) + 1, "text": topic_text.format(**fill),
                               "commitments": commitments})
            blocks.append({"region": region_name, "topics": topics})

        attendees = []
        for region_name in spec["regions"]:
            region = orgs.find_region(region_name)
            honorific, name = self._person()
            if spec["body"] == "Muni Ejecutivo" or region.code == "1501":
                place = rng.choice(content.PLACES[region_name])
                position = f"Alcalde{'sa' if honorific == 'Sra.' else ''} Provincial de {place}"
                if region.code == "1501":
                    position = "Teniente Alcalde de la Municipalidad Metropolitana de Lima"
            elif spec["body"].startswith("Consejo Regional de Salud"):
                position = f"Director{'a' if honorific == 'Sra.' else ''} Regional de Salud de {region_name}"
            else:
                position = region.official_name.replace(
                    "Gobierno Regional", "Gobernadora Regional" if honorific == "Sra." else "Gobernador Regional")
            attendees.append({"name": name, "honorific": honorific, "position": position,
                              "side": "region", "region": region_name})
        minister, vice = content.SECTOR_PEOPLE[spec["sector"]]
        for position in ((minister, vice) if spec["edition"] else (vice,)):
            honorific, name = self._person()
            attendees.append({"name": name, "honorific": honorific, "position": position,
                              "side": "sector", "region": None})
        honorific, name = self._person()
        attendees.append({"name": name, "honorific": honorific,
                          "position": "Especialista de la Oficina General de Gestión Descentralizada",
                          "side": "sector", "region": None})
        _, moderator = self._person()

        body = spec["body"]
        if body == "GORE Ejecutivo" or body == "Muni Ejecutivo":
            title = (f"{_ordinal(spec['edition'])} " if spec["edition"] else "") + body
            if spec["session_type"] == "extraordinaria":
                title += " Extraordinario"
        else:
            title = f"{body} – Sesión {spec['session_type'].capitalize()}"
        document = {
            "format": "gore-acta/1",
            "meeting": {"title": title, "session_type": spec["session_type"], "date": day.isoformat(),
                        "place": spec["place"], "sector": sector.name, "moderator": moderator},
            "attendees": attendees,
            "regions": blocks,
            "other_topics": [
                {"region": rng.choice(spec["regions"]), "text": t.format(year=day.year)}
                for t in rng.sample(content.OTHER_TOPICS, rng.randint(0, 2))
            ],
            "observations": ("La sesión se realizó por videoconferencia con la participación de los equipos "
                             "técnicos de los gobiernos regionales.") if spec["modality"] == "virtual" else None,
            "extensions": {"body": body, "edition": spec["edition"], "modality": spec["modality"],
                           "absent_regions": spec.get("absent", []), "commitments": extra},
        }
        meeting = self._record(document, self.liaisons[spec["sector"]], day, title)
        if meeting is not None:
            self._histories(meeting, day)

    # --- histories --------------------------------------------------------------
    STORIES = ("none", "start", "progress", "waiting", "done", "returned", "reprogram",
               "reprogram_done", "failed", "cancelled", "reopened")
    STEPS = {
        "none": [],
        "start": ["start"],
        "progress": ["start", "progress"],
        "waiting": ["start", "progress", "submit"],
        "done": ["start", "progress", "submit", "validate"],
        "returned": ["start", "submit", "return"],
        "reprogram": ["start", "reprogram", "progress"],
        "reprogram_done": ["start", "reprogram", "submit", "validate"],
        "failed": ["start", "fail"],
        "cancelled": ["cancel"],
        "reopened": ["start", "submit", "validate", "reopen"],
    }

    def _story(self, meeting_day: date, due: date | None) -> str:
        age = (self.today - meeting_day).days
        if age < 20:
            weights = {"none": 6, "start": 3, "progress": 1}
        elif age > 700:  # follow-up of old actas has mostly ended
            weights = {"none": 6, "start": 2, "progress": 4, "waiting": 4, "done": 40, "returned": 2,
                       "reprogram_done": 10, "failed": 15, "cancelled": 8, "reopened": 2}
        else:
            passed = due is not None and due < self.today
            weights = {"none": 15, "start": 8, "progress": 11, "waiting": 9, "done": 24 if age > 60 else 8,
                       "returned": 4, "reprogram": 9, "reprogram_done": 4 if age > 60 else 0,
                       "failed": 5 if passed else 0, "cancelled": 5, "reopened": 2 if age > 90 else 0}
        names = list(weights)
        return self.rng.choices(names, weights=[weights[n] for n in names])[0]

    def _histories(self, meeting, meeting_day: date) -> None:
        for c in sorted(meeting.commitments, key=lambda c: (c.region.name, c.number)):
            self.result.commitments += 1
            steps = self.STEPS[self._story(meeting_day, c.due)]
            if not steps:
                continue
            first = meeting_day + timedelta(days=2)
            # Follow-up happens within about a year of the session.
            last = min(self.today - timedelta(days=1), meeting_day + timedelta(days=400))
            span = max((last - first).days, len(steps))
            days = sorted(self.rng.sample(range(span), len(steps)))
            for step, offset in zip(steps, days):
                self._step(c, step, min(first + timedelta(days=offset), last))

    def _step(self, c, step: str, day: date) -> None:
        rng = self.rng
        officer = self.officers.get(c.region.code) or self.liaisons.get(c.sector.code) or self.coordinator
        manager = self.liaisons.get(c.sector.code) if rng.random() < 0.75 else None
        manager = manager or self.coordinator
        kw: dict = {}
        if step == "start":
            actor, status = officer, rules.EN_PROCESO
            kw = dict(progress=rng.choice((10, 15, 20, 25, 30)), note=rng.choice(content.NOTES["start"]))
        elif step == "progress":
            actor, status = officer, rules.EN_PROCESO
            progress = min(90, c.progress + rng.choice((15, 20, 25, 30, 35)))
            kw = dict(progress=progress, note=rng.choice(content.NOTES["progress"]))
            if c.target is not None:
                kw["achieved"] = (c.target * progress / 100).quantize(Decimal("1"))
        elif step == "submit":
            actor, status = officer, rules.POR_VALIDAR
            kw = dict(progress=100, note=rng.choice(content.NOTES["submit"]))
            if c.target is not None:
                kw["achieved"] = c.target
            if rng.random() < 0.6:
                pdf = _pdf([f"Informe de cumplimiento del compromiso {c.number}",
                            f"Gobierno Regional de {c.region.name} - {c.sector.code}",
                            c.text[:90], f"Fecha: {dates.long_date(day)}",
                            "Documento de demostración generado por GORE Tracker."])
                kw["evidence"] = [(io.BytesIO(pdf), f"informe-compromiso-{c.number}.pdf")]
        elif step == "validate":
            actor, status = manager, rules.CUMPLIDO
            kw = dict(note=rng.choice(content.NOTES["validate"]))
        elif step == "return":
            actor, status = manager, rules.EN_PROCESO
            kw = dict(progress=80, note=rng.choice(content.NOTES["return"]))
        elif step == "reprogram":
            actor, status = manager, None
            base = c.due or day
            kw = dict(due=base + timedelta(days=rng.choice((30, 45, 60, 90, 120))),
                      due_reason=rng.choice(content.NOTES["reprogram"]))
        elif step == "fail":
            actor, status = manager, rules.NO_CUMPLIDO
            kw = dict(note=rng.choice(content.NOTES["fail"]))
        elif step == "cancel":
            actor, status = manager, rules.ANULADO
            kw = dict(note=rng.choice(content.NOTES["cancel"]))
        elif step == "reopen":
            actor, status = manager, rules.EN_PROCESO
            kw = dict(progress=60, note=rng.choice(content.NOTES["reopen"]))
        else:  # pragma: no cover - STEPS and this switch are kept together
            raise ValueError(step)
        update = apply_update(c, actor, status=status, version=c.version, **kw)
        update.created_at = self._moment(day)
        for f in update.evidence:
            f.created_at = update.created_at
        self.result.updates += 1

    def run(self) -> DemoResult:
        self._users()
        self._organizations()
        self._seed_acta()
        for spec in content.SESSIONS:
            self._session(copy.deepcopy(spec))
        db.session.flush()
        return self.result
