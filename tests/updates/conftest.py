from tests.delivery.conftest import smtp  # noqa: F401  (a real SMTP server, as delivery tests use)
