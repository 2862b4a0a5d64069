"""Imports every model so that mappers and Alembic see the whole schema."""
from gore_tracker.audit.models import AuditEntry  # noqa: F401
from gore_tracker.audit import capture  # noqa: F401  (the after_flush listener)
from gore_tracker.commitments.models import Commitment, StatusUpdate, commitment_responsible  # noqa: F401
from gore_tracker.evidence.models import StoredFile  # noqa: F401
from gore_tracker.imports.models import ImportDraft  # noqa: F401
from gore_tracker.meetings.models import (  # noqa: F401
    Absence, Attendee, Meeting, OtherTopic, RegionBlock, Topic,
)
from gore_tracker.organizations.models import Organization  # noqa: F401
from gore_tracker.users.models import ApiToken, User  # noqa: F401
from gore_tracker.notifications.models import (  # noqa: F401
    DigestSnapshot, OutboxMessage, ReminderLog, SchedulerHeartbeat,
)
