"""Forms of the commitments area: the list's filters, the update form and the details form.

The forms only shape and type-check input; the rules (who may move to which status, the
note or evidence a transition needs, the reason for a new due date) live in
``operations.apply_update`` and ``operations.update_details``, whose field errors the views
put back beside these fields.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DecimalField, HiddenField, IntegerField, MultipleFileField,
    SearchField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from . import queries, rules


class InRange(NumberRange):
    """``NumberRange`` that stays quiet when the value did not parse (the field already said so)."""

    def __call__(self, form, field):
        if field.data is not None:
            super().__call__(form, field)


class FilterForm(FlaskForm):
    """GET filters of the commitment list. Parsing and validation are ``queries.parse_filters``;
    this form only renders the controls and keeps what was chosen."""

    class Meta:
        csrf = False

    q = SearchField("Buscar en tema y compromiso")
    region = SelectField("Gobierno regional", validate_choice=False)
    sector = SelectField("Sector", validate_choice=False)
    body = SelectField("Instancia", validate_choice=False)
    meeting_id = SelectField("Sesión", validate_choice=False)
    status = SelectMultipleField(
        "Estado", choices=[SelectChoice(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES],
        validate_choice=False)
    overdue = BooleanField("Solo vencidos", false_values=("", "false", "0", "no", "off"))
    due_from = StringField("Plazo desde", render_kw={"type": "date"})
    due_to = StringField("Plazo hasta", render_kw={"type": "date"})
    responsible = StringField("Responsable")
    sort = SelectField("Ordenar por", choices=[SelectChoice(k, v) for k, v in queries.SORTS.items()],
                       validate_choice=False)

    def set_choices(self, *, regions, sectors, bodies, meetings) -> None:
        """``meetings`` is a list of ``(id, label)``."""
        self.region.choices = [SelectChoice("", "Todos")] + [SelectChoice(r.name) for r in regions]
        self.sector.choices = [SelectChoice("", "Todos")] + [
            SelectChoice(s.code, f"{s.code} · {s.name}") for s in sectors]
        self.body.choices = [SelectChoice("", "Todas")] + [SelectChoice(b) for b in bodies]
        self.meeting_id.choices = [SelectChoice("", "Todas")] + [
            SelectChoice(str(i), label) for i, label in meetings]


class UpdateForm(FlaskForm):
    """Report progress, change status, attach evidence; managers may also reprogram the due date."""

    status = SelectField("Nuevo estado", validate_choice=False)
    progress = IntegerField("Avance (%)", validators=[
        Optional(), InRange(0, 100, "El avance debe estar entre 0 y 100.")],
        render_kw={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"})
    achieved = DecimalField("Valor alcanzado", places=None, validators=[
        Optional(), InRange(min=0, message="Debe ser un número mayor o igual a cero.")],
        render_kw={"inputmode": "decimal"})
    note = TextAreaField("Nota", validators=[Length(max=5000, message="La nota es demasiado larga.")],
                         render_kw={"rows": 3})
    evidence = MultipleFileField("Evidencia (archivos)")
    due = DateField("Nuevo plazo", validators=[Optional()], render_kw={"type": "date"})
    due_reason = TextAreaField("Motivo de la reprogramación", render_kw={"rows": 2},
                               validators=[Length(max=2000, message="El motivo es demasiado largo.")])
    version = HiddenField(validators=[DataRequired("Falta la versión del compromiso que está editando.")])

    def configure(self, commitment, allowed: list[str], *, can_change_due: bool) -> None:
        """Limit the status choices to ``allowed`` and drop the fields this user cannot use."""
        self.status.choices = [
            SelectChoice(s, rules.STATUS_LABELS[s] + (" (sin cambio)" if s == commitment.status else ""))
            for s in allowed]
        if not can_change_due:
            del self.due
            del self.due_reason
        if commitment.target is None:
            del self.achieved

    def prefill(self, commitment, allowed: list[str]) -> None:
        """Defaults for a fresh form: the current status (or the first allowed), progress, due."""
        self.status.data = commitment.status if commitment.status in allowed else (allowed[0] if allowed else None)
        self.progress.data = commitment.progress
        if "due" in self:
            self.due.data = commitment.due
        self.version.data = str(commitment.version)


class DetailsForm(FlaskForm):
    """Expected deliverable, numeric target, CUI and responsible bodies (managers)."""

    deliverable = TextAreaField("Producto esperado", render_kw={"rows": 2},
                                validators=[Length(max=5000, message="Texto demasiado largo.")])
    target = DecimalField("Meta (valor numérico)", places=None, validators=[
        Optional(), InRange(min=0, message="Debe ser un número mayor o igual a cero.")],
        render_kw={"inputmode": "decimal"})
    cui = StringField("CUI (código único de inversión)", validators=[
        Optional(), Length(max=10, message="El CUI es un código numérico de hasta 10 dígitos.")],
        render_kw={"inputmode": "numeric"})
    responsible_orgs = SelectMultipleField("Entidades responsables", coerce=int, validate_choice=True,
                                           render_kw={"size": 8})

    def set_choices(self, organizations) -> None:
        self.responsible_orgs.choices = [SelectChoice(o.id, o.name, optgroup=o.kind_label)
                                         for o in organizations]


