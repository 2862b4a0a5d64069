"""Form helpers shared by every area."""
from __future__ import annotations


def put_errors(form, fields: dict[str, list[str]]) -> list[str]:
    """Attach domain field errors (``ValidationFailed.fields``) to the form's fields.

    Returns the messages that name no field of this form, for a summary alert.
    """
    leftover = []
    for path, messages in fields.items():
        name = path.split(".")[0]
        if name in form:
            form[name].errors = list(form[name].errors) + list(messages)
        else:
            leftover.extend(messages)
    return leftover


def ignored_filter(label: str, message: str) -> str:
    """The warning a list shows above its results for a filter it could not use (never a 400)."""
    return f"Se ignoró el filtro de {label}: {message}"
