"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from flask_login import current_user

from . import permissions
from .commitments import rules
from .utils import dates


def register_template_helpers(app) -> None:
    app.jinja_env.filters["long_date"] = dates.long_date
    app.jinja_env.filters["short_date"] = dates.short_date
    app.jinja_env.filters["moment"] = dates.moment
    app.jinja_env.globals.update(
        perms=permissions,
        STATUS_LABELS=rules.STATUS_LABELS,
        STATUS_COLORS=rules.STATUS_COLORS,
        STATUSES=rules.STATUSES,
        lima_today=dates.today,
    )

    @app.context_processor
    def _user():
        return {"current_user": current_user}
