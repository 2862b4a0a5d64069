"""Building emails from template pairs: ``templates/emails/<name>.txt`` and ``.html``.

The subject is the ``subject`` block of the ``.txt`` template; the bodies are the two
templates rendered with the same context. Links are absolute, built from ``BASE_URL``
(never from the request that happens to be running), through ``url_for`` inside a
request context made from ``BASE_URL``.

Sending is not done here: ``reminders`` and ``digest`` put the rendered message into
the outbox, and the dispatcher sends it.
"""
from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, has_request_context, request, url_for
from markupsafe import escape

from gore_tracker import permissions
from gore_tracker.commitments import rules
from gore_tracker.users.models import Role

from . import links

SUBJECT_PREFIX = "[GORE Tracker]"


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass
class CommitmentLine:
    """One commitment as an email shows it. Has what ``permissions.can_update`` reads
    (``region_id``, ``sector_id``, ``status``), so it stands in for the model there."""

    id: int
    text: str
    status: str
    due: date | None
    region_id: int
    sector_id: int
    region_name: str = ""
    sector_name: str = ""
    sector_code: str = ""
    meeting_date: date | None = None
    number: int | None = None
    # Why it is listed: "vencido hace 8 días", "vence mañana"…
    reason: str = ""
    days: int | None = None
    waiting_since: date | None = None

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS.get(self.status, self.status)


@dataclass
class ChangeLine:
    """One status update of the digest's week."""

    commitment: CommitmentLine
    created_at: datetime
    old_status: str | None
    new_status: str
    old_progress: int | None = None
    progress: int | None = None
    due_changed: bool = False
    new_due: date | None = None
    note: str | None = None
    author_name: str | None = None

    @property
    def region_name(self) -> str:
        return self.commitment.region_name

    @property
    def status_changed(self) -> bool:
        return self.old_status is not None and self.old_status != self.new_status

    def describe(self) -> str:
        """'Pendiente → En proceso · avance 30 % → 50 % · nuevo plazo: …' in Spanish."""
        parts = []
        if self.status_changed:
            parts.append(f"{rules.STATUS_LABELS.get(self.old_status, self.old_status)} → "
                         f"{rules.STATUS_LABELS.get(self.new_status, self.new_status)}")
        elif self.old_status is None:
            parts.append(rules.STATUS_LABELS.get(self.new_status, self.new_status))
        if self.progress is not None and self.progress != self.old_progress:
            if self.old_progress is None:
                parts.append(f"avance {self.progress} %")
            else:
                parts.append(f"avance {self.old_progress} % → {self.progress} %")
        if self.due_changed:
            from gore_tracker.utils.dates import long_date

            parts.append(f"nuevo plazo: {long_date(self.new_due)}" if self.new_due else "sin plazo")
        if not parts:
            parts.append("nota o evidencia")
        text = " · ".join(parts)
        return text[:1].upper() + text[1:]


# --- rendering -------------------------------------------------------------------------

@contextmanager
def link_context():
    """A request context whose ``url_for(..., _external=True)`` starts with ``BASE_URL``.

    Reused when already inside one made by this function (a batch renders many emails).
    """
    base = (current_app.config.get("BASE_URL") or "http://localhost").rstrip("/")
    if has_request_context() and getattr(request, "_gore_mail_base", None) == base:
        yield
        return
    with current_app.test_request_context("/", base_url=base + "/"):
        request._gore_mail_base = base
        yield


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + " %"


def signed(value: int | float) -> str:
    if not value:
        return "="
    sign = "+" if value > 0 else "−"
    if isinstance(value, float):
        return sign + f"{abs(value):.1f}".replace(".", ",")
    return f"{sign}{abs(value)}"


def reminder_summary(counts: dict[str, int]) -> str:
    """'3 compromisos vencidos, 1 vence mañana, 2 vencen en 7 días' (the first part names
    the commitments, the rest are short)."""
    phrases = {
        "overdue": ("compromiso vencido", "compromisos vencidos", "vencido", "vencidos"),
        "tomorrow": ("compromiso vence mañana", "compromisos vencen mañana", "vence mañana", "vencen mañana"),
        "week": ("compromiso vence en 7 días", "compromisos vencen en 7 días", "vence en 7 días",
                 "vencen en 7 días"),
        "validation": ("compromiso espera su validación", "compromisos esperan su validación",
                       "espera su validación", "esperan su validación"),
    }
    parts = []
    for key, (one, many, short_one, short_many) in phrases.items():
        n = counts.get(key, 0)
        if n:
            parts.append(plural(n, one, many) if not parts else plural(n, short_one, short_many))
    return ", ".join(parts)


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def render(template: str, **context) -> RenderedEmail:
    """Render ``emails/<template>.txt`` (with its ``subject`` block) and ``emails/<template>.html``."""
    app = current_app._get_current_object()
    context.setdefault("plural", plural)
    context.setdefault("percent", percent)
    context.setdefault("signed", signed)
    context.setdefault("STATUS_LABELS", rules.STATUS_LABELS)
    context.setdefault("SUBJECT_PREFIX", SUBJECT_PREFIX)
    context.setdefault("reminder_summary", reminder_summary)
    with link_context():
        context.setdefault("preferences_url", url_for("mail.preferences", _external=True))
        context.setdefault("app_url", url_for("home.index", _external=True))
        app.update_template_context(context)
        text_template = app.jinja_env.get_template(f"emails/{template}.txt")
        html_template = app.jinja_env.get_template(f"emails/{template}.html")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(dict(context))))
        # One line, whatever the template's whitespace: a header must not be split.
        subject = " ".join(subject.split())
        context["subject"] = subject
        text = text_template.render(context)
        html = html_template.render(context)
    text = _BLANK_LINES.sub("\n\n", text).strip() + "\n"
    return RenderedEmail(subject=subject, text=text, html=html)


class Links:
    """The links of one recipient's email: a commitment's page and, where this user may
    update it (``permissions.can_update``), a signed link to its update form. Built inside
    ``link_context()``."""

    _ID = 987654321

    def __init__(self, user, maker: links.LinkMaker | None = None):
        self.user = user
        self.maker = maker or links.LinkMaker()
        sample = url_for("commitments.detail", commitment_id=self._ID, _external=True)
        self._view = sample.replace(str(self._ID), "{}")

    def view(self, line) -> str:
        return self._view.format(int(line.id))

    def update(self, line) -> str | None:
        if not permissions.can_update(self.user, line):
            return None
        return self.maker(self.user.id, line.id)


class _Placeholders(Links):
    """Marks where a signed link goes instead of making it (see ``DigestRenderer``)."""

    def __init__(self, user, marker: str):
        super().__init__(user, maker=lambda *_: "")
        self.marker = marker

    def update(self, line) -> str | None:
        if not permissions.can_update(self.user, line):
            return None
        return f"{self.marker}{int(line.id)}⟧"


class DigestRenderer:
    """Renders the digests of a run. A digest's content depends only on its scope, and what
    a recipient may update on their role and organization, so each (scope, role,
    organization) is rendered once with placeholders, then every recipient gets their own
    name and their own signed links filled in. Use inside ``link_context()``."""

    def __init__(self):
        nonce = secrets.token_hex(8)  # unguessable: commitment texts cannot forge a placeholder
        self.marker = f"⟦{nonce}:"
        self.name = f"⟦{nonce}:name⟧"
        self.pattern = re.compile(re.escape(self.marker) + r"(\d+)⟧")
        self.cache: dict[tuple, RenderedEmail] = {}
        self.maker: links.LinkMaker | None = None

    def __call__(self, user, *, scope, week: str, monday: date, period_start: date,
                 period_end: date) -> RenderedEmail:
        key = (scope.scope, user.role, user.organization_id)
        shared = self.cache.get(key)
        if shared is None:
            shared = self.cache[key] = render(
                "digest", name=self.name, scope=scope, week=week, monday=monday,
                period_start=period_start, period_end=period_end, links=_Placeholders(user, self.marker),
                list_url=list_url, recipient_scope=recipient_scope(user))
        if self.maker is None:
            self.maker = links.LinkMaker()

        made: dict[str, str] = {}  # the same link in the text and the HTML part

        def fill(match) -> str:
            key = match.group(1)
            if key not in made:
                made[key] = self.maker(user.id, int(key))
            return made[key]

        return RenderedEmail(
            subject=shared.subject,
            text=self.pattern.sub(fill, shared.text).replace(self.name, user.name),
            html=self.pattern.sub(fill, shared.html).replace(self.name, str(escape(user.name))),
        )


def list_url(**filters) -> str:
    """An absolute link to the commitment list with these filters (inside ``link_context``)."""
    return url_for("commitments.index", _external=True,
                   **{k: v for k, v in filters.items() if v not in (None, "", [], False)})


def recipient_scope(user) -> str:
    """Why this person gets the email, in Spanish ('funcionario regional (Cusco)')."""
    label = Role.LABELS.get(user.role, user.role).lower()
    if user.organization is not None and user.role in Role.ORG_KIND:
        return f"{label} ({user.organization.name})"
    return label


# --- the kinds of messages ----------------------------------------------------------------

def reminder_email(user, *, today: date, scope_label: str, sections: list,
                   scope_phrase: str | None = None) -> RenderedEmail:
    """``sections``: objects with ``key``, ``title`` and ``lines`` (CommitmentLine), in
    display order; empty ones are left out by the template."""
    counts = {s.key: len(s.lines) for s in sections}
    with link_context():
        return render("reminder", name=user.name, today=today, scope_label=scope_label, sections=sections,
                      scope_phrase=scope_phrase or f"de {scope_label}",
                      counts=counts, total=sum(counts.values()), links=Links(user),
                      recipient_scope=recipient_scope(user))


def digest_email(user, *, scope, week: str, monday: date, period_start: date,
                 period_end: date) -> RenderedEmail:
    """One recipient's digest (``scope`` is a ``digest.ScopeDigest``). A run of many uses
    one ``DigestRenderer`` instead."""
    with link_context():
        return DigestRenderer()(user, scope=scope, week=week, monday=monday,
                                period_start=period_start, period_end=period_end)


def handover_email(user, *, draft, actor, named_sector) -> RenderedEmail:
    """To a coordinator: ``actor`` (a liaison) passed the import ``draft``, whose PDF names
    ``named_sector``, to coordination; links to the draft's review page."""
    org = actor.organization.name if actor.organization is not None else None
    actor_scope = f"{actor.role_label.lower()}, {org}" if org else actor.role_label.lower()
    with link_context():
        return render("handover", name=user.name, draft=draft, actor=actor, named_sector=named_sector,
                      actor_scope=actor_scope, recipient_scope=recipient_scope(user),
                      review_url=url_for("imports.review", draft_id=draft.id, _external=True),
                      drafts_url=url_for("imports.index", _external=True))
