"""Administration: accounts and organizations (admin role only).

Every route of this blueprint requires a signed-in admin (``_admins_only``); handlers
follow load (404) → validate the form → operation → commit once → flash and redirect.
A generated password is the one exception to the redirect: it is shown once on the
response to the POST (never stored in the session cookie) with ``Cache-Control: no-store``.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from gore_tracker import permissions
from gore_tracker.auth import throttle
from gore_tracker.exceptions import ValidationFailed
from gore_tracker.extensions import db
from gore_tracker.organizations import operations as org_ops
from gore_tracker.organizations.models import Organization, OrgKind
from gore_tracker.users import operations as user_ops
from gore_tracker.account.forms import RevokeForm
from gore_tracker.db import utcnow
from gore_tracker.users.models import ApiToken, User
from gore_tracker.utils.numbers import page_number

from . import queries
from gore_tracker.forms import ignored_filter, put_errors

from .forms import (
    OrganizationFilterForm, OrganizationForm, PasswordForm, UserFilterForm, UserForm, org_choices,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if not (permissions.can_manage_users(current_user) and permissions.can_manage_organizations(current_user)):
        abort(403)



def _args(*names: str) -> dict:
    return {n: request.args.get(n) for n in names if request.args.get(n)}


def _org(org_id: int | None) -> Organization | None:
    return db.session.get(Organization, org_id) if org_id else None


def _orgs(*kinds: str, active_only: bool = True, include: Organization | None = None) -> list[Organization]:
    stmt = select(Organization).order_by(Organization.kind, Organization.name_key)
    if kinds:
        stmt = stmt.where(Organization.kind.in_(kinds))
    orgs = [o for o in db.session.scalars(stmt) if o.active or not active_only or o is include]
    return orgs


def _failed(form, exc: ValidationFailed) -> None:
    """Roll back and show a domain error's messages beside the fields (the rest on top)."""
    db.session.rollback()
    for message in put_errors(form, exc.fields) or ([] if exc.fields else [exc.message]):
        flash(message, "danger")


def _show_password(user: User, password: str, *, created: bool):
    response = make_response(render_template("admin/password.html", user=user, password=password,
                                              created=created))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Accounts -----------------------------------------------------------------------------

@bp.route("/usuarios")
def users():
    form = UserFilterForm(formdata=request.args)
    form.org.choices = org_choices(_orgs(active_only=False), blank="Todas")
    warnings = []
    if form.org.data == -1:
        warnings.append(ignored_filter("entidad", "Entidad desconocida."))
        form.org.data = None
    stmt = queries.users_query(q=form.q.data, role=form.role.data, org_id=form.org.data)
    page = db.paginate(stmt, page=page_number(request.args), per_page=current_app.config["PER_PAGE_DEFAULT"],
                       error_out=False)
    return render_template("admin/users.html", form=form, page=page, args=_args("q", "role", "org"),
                           warnings=warnings)


def _user_form(form: UserForm, user: User | None = None) -> UserForm:
    form.org.choices = org_choices(_orgs(include=user.organization if user else None),
                                   blank="— Ninguna —")
    return form


@bp.route("/usuarios/nuevo", methods=["GET", "POST"])
def new_user():
    form = _user_form(UserForm().for_create())
    if form.validate_on_submit():
        password = form.password.data or user_ops.generate_password()
        try:
            user = user_ops.create_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                        organization=_org(form.org.data), password=password)
        except ValidationFailed as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            if not form.password.data:
                return _show_password(user, password, created=True)
            flash(f"Cuenta creada: {user.email}.", "success")
            return redirect(url_for(".users"))
    status = 422 if form.errors else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/usuarios/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _user_form(UserForm(obj=user, org=user.organization_id).for_edit(), user)
    if form.validate_on_submit():
        try:
            user_ops.update_user(user, name=form.name.data, role=form.role.data,
                                 organization=_org(form.org.data), active=form.active.data,
                                 actor=current_user)
        except ValidationFailed as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            flash(f"Cuenta actualizada: {user.email}.", "success")
            return redirect(url_for(".users"))
    status = 422 if form.errors else 200
    return render_template("admin/user_form.html", form=form, user=user,
                           password_form=PasswordForm(formdata=None), lock=throttle.account_lock(user.email),
                           **_tokens_of(user)), status


@bp.route("/usuarios/<int:user_id>/desbloquear", methods=["POST"])
def unlock_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not permissions.can_unlock_account(current_user, user):
        abort(403)
    user_ops.unlock_login(user, current_user)
    db.session.commit()
    flash(f"Ingreso desbloqueado para {user.email}.", "success")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/usuarios/<int:user_id>/contrasena", methods=["POST"])
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    password_form = PasswordForm()
    if password_form.validate_on_submit():
        try:
            password = user_ops.reset_password(user, password_form.password.data or None)
        except ValidationFailed as exc:
            _failed(password_form, exc)
        else:
            db.session.commit()
            if not password_form.password.data:
                return _show_password(user, password, created=False)
            flash(f"Contraseña cambiada para {user.email}.", "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    form = _user_form(UserForm(formdata=None, obj=user, org=user.organization_id).for_edit(), user)
    return render_template("admin/user_form.html", form=form, user=user, password_form=password_form,
                           lock=throttle.account_lock(user.email), **_tokens_of(user)), 422


def _tokens_of(user: User) -> dict:
    """The account's API tokens for its page, with the form of their «Revocar» buttons."""
    return {"tokens": user_ops.list_tokens(user), "revoke_form": RevokeForm(), "now": utcnow()}


@bp.route("/usuarios/<int:user_id>/tokens/<int:token_id>/revocar", methods=["POST"])
def revoke_token(user_id: int, token_id: int):
    user = db.get_or_404(User, user_id)
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != user.id:
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    user_ops.revoke_token(token, current_user._get_current_object())
    db.session.commit()
    flash(f"Token N.º {token.id} de {user.email} revocado.", "success")
    return redirect(url_for(".edit_user", user_id=user.id) + "#tokens")


# --- Organizations --------------------------------------------------------------------------

@bp.route("/entidades")
def organizations():
    form = OrganizationFilterForm(formdata=request.args)
    stmt = queries.organizations_query(q=form.q.data, kind=form.kind.data)
    page = db.paginate(stmt, page=page_number(request.args), per_page=50, error_out=False)
    return render_template("admin/organizations.html", form=form, page=page, args=_args("q", "kind"),
                           counts=queries.user_counts(), addable=OrgKind.ADDABLE)


def _organization_form(form: OrganizationForm, org: Organization | None = None) -> OrganizationForm:
    parents = [o for o in _orgs(OrgKind.SECTOR, OrgKind.REGION, include=org.parent if org else None)
               if org is None or o.id != org.id]
    form.parent_id.choices = org_choices(parents, blank="— Ninguna —")
    return form


@bp.route("/entidades/nueva", methods=["GET", "POST"])
def new_organization():
    form = _organization_form(OrganizationForm().for_create())
    if form.validate_on_submit():
        try:
            org = org_ops.create_organization(kind=form.kind.data, name=form.name.data, code=form.code.data,
                                              official_name=form.official_name.data,
                                              parent=_org(form.parent_id.data), aliases=form.aliases.data)
        except ValidationFailed as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            flash(f"Entidad registrada: {org.name}.", "success")
            return redirect(url_for(".organizations", kind=org.kind))
    status = 422 if form.errors else 200
    return render_template("admin/organization_form.html", form=form, org=None), status


@bp.route("/entidades/<int:org_id>", methods=["GET", "POST"])
def edit_organization(org_id: int):
    org = db.get_or_404(Organization, org_id)
    if org.kind not in OrgKind.ADDABLE:
        flash("Los gobiernos regionales y los sectores son datos de referencia: se actualizan con "
              "«flask refdata load».", "info")
        return redirect(url_for(".organizations", kind=org.kind))
    form = _organization_form(OrganizationForm(obj=org).for_edit(), org)
    if form.validate_on_submit():
        try:
            org_ops.update_organization(org, name=form.name.data, code=form.code.data,
                                        official_name=form.official_name.data,
                                        parent=_org(form.parent_id.data), aliases=form.aliases.data,
                                        active=form.active.data)
        except ValidationFailed as exc:
            _failed(form, exc)
        else:
            db.session.commit()
            flash(f"Entidad actualizada: {org.name}.", "success")
            return redirect(url_for(".organizations", kind=org.kind))
    status = 422 if form.errors else 200
    return render_template("admin/organization_form.html", form=form, org=org), status
