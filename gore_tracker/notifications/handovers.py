"""E-mail to the coordinators when a liaison passes an import draft to coordination.

Enqueued in the outbox in the same transaction as the handover (one message per
coordinator, idempotency key ``handover:<draft>:<user>``); the dispatcher sends them.
"""
from __future__ import annotations

from gore_tracker import permissions
from gore_tracker.users import queries as users

from . import emails, outbox
from .models import OutboxMessage

KIND = "handover"


def enqueue_handover(draft, actor, named_sector) -> list[OutboxMessage]:
    """One message to every account that receives handovers (active coordinators). Flushes."""
    messages = []
    with emails.link_context():
        for user in users.active_with_roles(permissions.HANDOVER_RECIPIENTS):
            if not permissions.receives_handovers(user):
                continue
            rendered = emails.handover_email(user, draft=draft, actor=actor, named_sector=named_sector)
            message = outbox.enqueue(key=f"{KIND}:{draft.id}:{user.id}", kind=KIND, user=user,
                                     subject=rendered.subject, text_body=rendered.text, html_body=rendered.html)
            if message is not None:
                messages.append(message)
    return messages
