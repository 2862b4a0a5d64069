"""Schemathesis against the app's own OpenAPI document (``/api/v1/openapi.json``).

Every operation, with data generated from the document (a fixed seed: ``derandomize``),
sent with a real API token of an admin and of a regional officer, on SQLite and
PostgreSQL. Each response must not be a server error and must match the document
(status code, content type, body schema). Any failure fails the test with the
operation, the check and a curl line to reproduce it.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gore_tracker.extensions import db
from gore_tracker.users import operations as users

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation: enough to reach the edges (Hypothesis tries boundaries first),
# few enough that both modes take well under a minute per backend.
MAX_EXAMPLES = {"positive": 12, "negative": 8}


def _tokens(world, make) -> dict[str, str]:
    officer = make.user("regional_officer", "Cusco")
    tokens = {"admin": users.issue_token(world["admin"]), "regional_officer": users.issue_token(officer)}
    db.session.commit()
    return tokens


def _title(failure: BaseException) -> str:
    return getattr(failure, "title", None) or str(failure).splitlines()[0]


def _run_operation(operation, tokens: dict[str, str], mode) -> list[str]:
    failures: list[str] = []

    @settings(max_examples=MAX_EXAMPLES[mode.value], derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case):
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            where = f"{operation.label} [{mode.value}, {role}]"
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except BaseExceptionGroup as group:  # several checks failed at once
                failures.extend(f"{where}: {_title(e)}\n  {case.as_curl_command(headers)}" for e in group.exceptions)
            except AssertionError as exc:  # one schemathesis Failure
                failures.append(f"{where}: {_title(exc)}\n  {case.as_curl_command(headers)}")
            except Exception as exc:  # noqa: BLE001  (TESTING propagates what would have been a 500)
                failures.append(f"{where}: unhandled {exc!r}\n  {case.as_curl_command(headers)}")
            db.session.rollback()

    exercise()
    return failures


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
                         ids=["positive", "negative"])
def test_every_operation_conforms_and_never_fails(app, world, make, mode):
    tokens = _tokens(world, make)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    failures: list[str] = []
    for operation in operations:
        failures += _run_operation(operation, tokens, mode)
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} failure(s):\n\n" + "\n\n".join(unique[:30])


def test_coverage_phase_of_the_read_operations_with_ids(app, world, make):
    """Schemathesis' coverage phase: deterministic boundary values (0, 1, 2³¹−1, 2³¹, non-numbers…)
    of every GET with a path id, positive and negative, whatever the fuzzing seed hits."""
    tokens = _tokens(world, make)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    failures, sent = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or not operation.path_parameters:
            continue
        for case in schema.iter_coverage_cases(operation, generation_modes=modes,
                                               generation_config=schema.config.generation_for(operation=operation)):
            headers = {"Authorization": f"Bearer {tokens['admin']}"}
            sent += 1
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except BaseExceptionGroup as group:
                failures.extend(f"{operation.label}: {_title(e)}\n  {case.as_curl_command(headers)}"
                                for e in group.exceptions)
            except AssertionError as exc:
                failures.append(f"{operation.label}: {_title(exc)}\n  {case.as_curl_command(headers)}")
            db.session.rollback()
    assert sent >= 30
    assert not failures, f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures[:30])
