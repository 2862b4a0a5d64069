from tests.commitments.conftest import client_for, record, today, users  # noqa: F401
