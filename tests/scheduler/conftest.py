"""The scheduler tests use the notification tests' SMTP server fixtures."""
from tests.notifications.conftest import mail_config, smtp_server  # noqa: F401  (fixtures)
