"""Domain errors raised by operations; views and the API translate them to responses."""
from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"

    def __init__(self, message: str = "No tiene permiso para realizar esta acción."):
        super().__init__(message)


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class ValidationFailed(DomainError):
    """Invalid input; ``fields`` maps a field path ("regions.0.topics.1.text") to messages."""

    status_code = 422
    code = "invalid"

    def __init__(self, message: str = "Hay datos inválidos.", fields: dict[str, list[str]] | None = None):
        super().__init__(message, fields)


class InvalidTransition(ValidationFailed):
    code = "invalid_transition"


class StaleVersion(DomainError):
    status_code = 409
    code = "stale_version"

    def __init__(self, current_version: int):
        super().__init__(
            "El compromiso fue modificado por otra persona mientras usted lo editaba. "
            "Revise los cambios y vuelva a intentarlo."
        )
        self.current_version = current_version


class DuplicateMeeting(DomainError):
    status_code = 409
    code = "duplicate_meeting"

    def __init__(self, existing_id: int):
        super().__init__(
            "Esta acta ya fue registrada (mismo sector, instancia, fecha y gobiernos regionales)."
        )
        self.existing_id = existing_id


class FieldErrors:
    """Collects messages per field path, then raises them all at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, message: str = "Hay datos inválidos; revise los campos marcados.") -> None:
        if self.fields:
            raise ValidationFailed(message, self.fields)
