from tests.api.conftest import api, openapi, spec  # noqa: F401  (the API client that checks the document)
