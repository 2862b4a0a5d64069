"""Who may do what: named predicates used by views, the API and templates alike.

Every predicate takes the acting user (possibly anonymous) and the object. The
role x action table is tested in tests/test_permissions.py.
"""
from __future__ import annotations

from gore_tracker.commitments import rules
from gore_tracker.users.models import Role

MANAGERS = (Role.ADMIN, Role.COORDINATOR)
# Who is e-mailed when a liaison passes an import draft to coordination.
HANDOVER_RECIPIENTS = (Role.COORDINATOR,)


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def can_view(user) -> bool:
    """Every active account sees every meeting and commitment."""
    return _role(user) is not None


def is_admin(user) -> bool:
    return _role(user) == Role.ADMIN


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_manage_tokens(user, owner) -> bool:
    """See and revoke ``owner``'s API tokens: the owner themself, or an admin."""
    role = _role(user)
    return role is not None and owner is not None and (user.id == owner.id or role == Role.ADMIN)


def can_revoke_token(user, token) -> bool:
    return can_manage_tokens(user, token.user)


def can_unlock_account(user, target=None) -> bool:
    """Lift a login lockout (too many failed passwords) of an account: admins."""
    return is_admin(user)


def _mfa_required_roles() -> set[str]:
    from flask import current_app, has_app_context

    roles = current_app.config.get("MFA_REQUIRED_ROLES") if has_app_context() else None
    if isinstance(roles, str):
        roles = roles.split(",")
    return {r.strip() for r in roles or () if r and r.strip()}


def mfa_required(user) -> bool:
    """The account's role must sign in with a second factor (``MFA_REQUIRED_ROLES``)."""
    role = _role(user)
    return role is not None and role in _mfa_required_roles()


def can_enrol_mfa(user) -> bool:
    """The optional second factor is for privileged roles (admins, coordinators) and any role
    an installation makes it mandatory for."""
    role = _role(user)
    return role is not None and (role in MANAGERS or role in _mfa_required_roles())


def must_enrol_mfa(user) -> bool:
    return mfa_required(user) and not getattr(user, "mfa_secret", None)


def can_disable_mfa(user) -> bool:
    return _role(user) is not None and bool(getattr(user, "mfa_secret", None)) and not mfa_required(user)


def can_manage_organizations(user) -> bool:
    return is_admin(user)


def can_record_meeting(user, sector_id: int | None = None) -> bool:
    """Record a new acta; a liaison only for their own sector (when ``sector_id`` is known)."""
    role = _role(user)
    if role in MANAGERS:
        return True
    if role == Role.LIAISON:
        return sector_id is None or sector_id == user.organization_id
    return False


def can_import_actas(user) -> bool:
    """Upload acta PDFs to import: whoever may record an acta."""
    return can_record_meeting(user)


def can_see_all_drafts(user) -> bool:
    return _role(user) in MANAGERS


def can_manage_draft(user, draft) -> bool:
    """See, review, confirm, retry or discard an import draft: its uploader (while they may
    still import), or any admin or coordinator."""
    if not can_import_actas(user):
        return False
    return can_see_all_drafts(user) or draft.uploaded_by_id == user.id


def can_discard_draft(user, draft) -> bool:
    """Discard a draft: who may manage it, but once its uploader handed it over to the
    coordinators it is theirs (the mail they got links to it), so only admins and
    coordinators may."""
    if not can_manage_draft(user, draft):
        return False
    return draft.handed_over_at is None or can_see_all_drafts(user)


def can_record_imported(user, named_sector_id: int | None, sector_id: int | None = None) -> bool:
    """Record an imported acta whose PDF names the sector ``named_sector_id`` (None: it names
    none, or none we recognise) as an acta of ``sector_id`` (None: of a sector still to be
    chosen). Admins and coordinators any; a liaison only as their own sector's acta, and
    only when the PDF names that sector or none."""
    if not can_record_meeting(user, sector_id):
        return False
    if _role(user) in MANAGERS:
        return True
    return named_sector_id is None or named_sector_id == user.organization_id


def can_confirm_draft(user, draft, named_sector_id: int | None, sector_id: int | None = None) -> bool:
    """Confirm an import draft (whose PDF names ``named_sector_id``) as an acta of
    ``sector_id``: who may manage the draft, under ``can_record_imported``."""
    return can_manage_draft(user, draft) and can_record_imported(user, named_sector_id, sector_id)


def can_hand_over_draft(user, draft, named_sector_id: int | None) -> bool:
    """Pass a draft to the coordinators («Pasar a coordinación»): the liaison who uploaded
    it, once, when they may not confirm it themselves (its PDF names another sector)."""
    return (_role(user) == Role.LIAISON and draft.uploaded_by_id == user.id
            and draft.handed_over_at is None and not can_confirm_draft(user, draft, named_sector_id))


def receives_handovers(user) -> bool:
    """Is e-mailed when a liaison hands a draft over: every active coordinator."""
    return _role(user) in HANDOVER_RECIPIENTS


def can_view_meeting(user, meeting) -> bool:
    return can_view(user)


def can_view_commitment(user, commitment) -> bool:
    return can_view(user)


def can_download_file(user, stored_file, owners) -> bool:
    """Download a stored file: whoever may see what it belongs to (``owners``, from
    ``evidence.queries.owners_of``). Evidence of a commitment: who may see the commitment;
    a meeting's source acta: who may see the meeting; the PDF of an import draft not yet
    confirmed: who may manage that draft (its uploader, coordinators, admins); a file
    referenced by nothing: admins and coordinators."""
    if _role(user) is None:
        return False
    if any(can_view_commitment(user, c) for c in owners.commitments):
        return True
    if any(can_view_meeting(user, m) for m in owners.meetings):
        return True
    if any(can_manage_draft(user, d) for d in owners.drafts):
        return True
    return owners.is_orphan and _role(user) in MANAGERS


def can_edit_meeting(user, meeting) -> bool:
    role = _role(user)
    if role in MANAGERS:
        return True
    return role == Role.LIAISON and meeting.sector_id == user.organization_id


def is_commitment_manager(user, commitment) -> bool:
    """Admins, coordinators and the liaisons of the commitment's sector."""
    role = _role(user)
    if role in MANAGERS:
        return True
    return role == Role.LIAISON and commitment.sector_id == user.organization_id


def is_commitment_officer(user, commitment) -> bool:
    """A regional officer of the commitment's regional government."""
    return _role(user) == Role.REGIONAL_OFFICER and commitment.region_id == user.organization_id


def can_update(user, commitment) -> bool:
    """May post any update at all on this commitment (the update form is shown)."""
    if is_commitment_manager(user, commitment):
        return True
    return is_commitment_officer(user, commitment) and commitment.status in rules.OFFICER_TRANSITIONS


def can_transition(user, commitment, new_status: str) -> bool:
    if is_commitment_manager(user, commitment):
        return True
    return is_commitment_officer(user, commitment) and rules.officer_may(commitment.status, new_status)


def allowed_statuses(user, commitment) -> list[str]:
    """The statuses this user may move the commitment to, current one included when allowed."""
    return [
        s for s in rules.STATUSES
        if rules.is_valid_transition(commitment.status, s) and can_transition(user, commitment, s)
    ]


def can_change_due(user, commitment) -> bool:
    return is_commitment_manager(user, commitment)


def can_validate(user, commitment) -> bool:
    return commitment.status == rules.POR_VALIDAR and is_commitment_manager(user, commitment)


def can_edit_details(user, commitment) -> bool:
    """Deliverable, target, CUI and responsible bodies."""
    return is_commitment_manager(user, commitment)


# --- Audit trail -------------------------------------------------------------------------

def can_view_audit(user) -> bool:
    """Admins and coordinators see the whole trail; a liaison their own sector's actas."""
    return _role(user) in MANAGERS or _role(user) == Role.LIAISON


def audit_sector_scope(user) -> int | None:
    """The sector whose entries ``user`` is limited to (None: everything). Only for users
    ``can_view_audit`` admits."""
    return None if _role(user) in MANAGERS else user.organization_id


def can_view_changes_of(user, record) -> bool:
    """The «Ver cambios» link of a meeting or commitment page: admins, coordinators and the
    liaisons of its sector."""
    role = _role(user)
    if role in MANAGERS:
        return True
    return role == Role.LIAISON and record.sector_id == user.organization_id
