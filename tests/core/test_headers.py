"""Security headers (gore_tracker/headers.py, Flask-Talisman): on anonymous and signed-in pages,
API answers (errors included), downloads and static files; HSTS only with SESSION_COOKIE_SECURE;
no-store where anything private is served; no inline script anywhere the CSP would refuse it."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from gore_tracker import create_app
from gore_tracker.evidence import storage
from gore_tracker.extensions import db
from gore_tracker.headers import CACHEABLE_ENDPOINTS
from gore_tracker.imports import drafts
from gore_tracker.users.operations import issue_token

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64

PAGE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp(response) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}, as a browser splits it."""
    value = response.headers.get("Content-Security-Policy")
    assert value, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in value.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name:
            directives[name] = " ".join(sources.split())
    return directives


def assert_common(response) -> None:
    """What every response carries, whatever it is."""
    path = response.request.path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert response.headers.get("Referrer-Policy") == "same-origin", path
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), path
    assert "Strict-Transport-Security" not in response.headers, path  # SESSION_COOKIE_SECURE is off


def assert_page_headers(response, *, private: bool = True) -> None:
    assert_common(response)
    assert csp(response) == PAGE_POLICY, response.request.path
    if private:
        assert response.headers.get("Cache-Control") == "no-store", response.request.path


def assert_download_headers(response) -> None:
    assert_common(response)
    assert csp(response) == {"default-src": "'none'", "sandbox": ""}
    assert response.headers["Cache-Control"] == "no-store"


# -- the policy itself ----------------------------------------------------------------------

def test_script_src_has_no_unsafe_inline_nor_eval(client):
    policy = csp(client.get("/login"))
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["default-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"


# -- anonymous ------------------------------------------------------------------------------

@pytest.mark.parametrize("path, status", [
    ("/login", 200),
    ("/", 302),                     # to the login page
    ("/compromisos", 302),
    ("/no-existe", 404),
    ("/archivos/999999", 302),      # a download asks to sign in first
])
def test_anonymous_pages(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_page_headers(response)


def test_failed_login_and_csrf_error_pages(client):
    response = client.post("/login", data={"email": "x@example.pe", "password": "nope"})
    assert response.status_code == 400  # no CSRF token
    assert_page_headers(response)


# -- signed in: every page of the URL map ----------------------------------------------------

@pytest.fixture
def world(app, make):
    """One of everything a page can be about, and the admin to look at it."""
    admin = make.user("admin")
    liaison = make.user("liaison", "MINSA")
    commitment = make.commitment()
    stored = storage.store(io.BytesIO(PDF), "informe.pdf")
    draft = drafts.create_draft(io.BytesIO(PDF + b"%draft"), "acta.pdf", liaison).draft
    db.session.commit()
    return {
        "admin": admin, "liaison": liaison, "file": stored, "draft": draft,
        "ids": {"meeting_id": commitment.meeting_id, "commitment_id": commitment.id,
                "user_id": liaison.id, "org_id": liaison.organization_id, "message_id": 999999,
                "draft_id": draft.id, "file_id": stored.id, "name": "informe.pdf", "token": "enlace-no-valido"},
    }


def _web_get_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith("/api/") and not rule.endpoint.endswith("static"):
            yield rule


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_every_signed_in_page_has_the_headers_and_no_store(app, client, login_as, world):
    login_as(world["admin"])
    seen = set()
    for rule in _web_get_rules(app):
        path = rule.build(world["ids"])[1]
        response = client.get(path, buffered=True)
        seen.add(rule.endpoint)
        assert response.status_code < 500, path
        if rule.endpoint in ("evidence.download", "imports.pdf") and response.status_code == 200:
            assert_download_headers(response)
            continue
        assert_page_headers(response)
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert not INLINE_SCRIPT.search(html), f"inline <script> on {path}"
            assert not INLINE_HANDLER.search(html), f"inline on…= handler on {path}"
            assert "javascript:" not in html.lower(), f"javascript: URL on {path}"
    assert {"home.index", "commitments.detail", "meetings.new", "imports.index", "admin.users"} <= seen


def test_error_pages_of_signed_in_users_are_not_stored(client, login_as, make):
    login_as(make.user("viewer"))
    for path, status in (("/admin/usuarios", 403), ("/compromisos/999999", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert_page_headers(response)


# -- downloads ------------------------------------------------------------------------------

def test_evidence_download_is_sandboxed(client, login_as, world):
    login_as(world["admin"])
    response = client.get(f"/archivos/{world['file'].id}/informe.pdf", buffered=True)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_download_headers(response)
    image = storage.store(io.BytesIO(PNG), "foto.png")
    db.session.commit()
    response = client.get(f"/archivos/{image.id}", buffered=True)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert_download_headers(response)
    # A conditional request answered 304 keeps the same policy.
    again = client.get(f"/archivos/{image.id}", headers={"If-None-Match": f'"{image.sha256}"'}, buffered=True)
    assert again.status_code == 304
    assert_download_headers(again)


def test_draft_pdf_is_sandboxed(client, login_as, world):
    login_as(world["liaison"])
    response = client.get(f"/importar/{world['draft'].id}/pdf", buffered=True)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_download_headers(response)


def test_error_pages_of_download_urls_keep_the_page_policy(client, login_as, world, make):
    """A missing file or a refused draft shows the app's own error page, styled as usual."""
    login_as(make.user("viewer"))
    missing = client.get("/archivos/999999")
    assert missing.status_code == 404
    assert_page_headers(missing)
    refused = client.get(f"/importar/{world['draft'].id}/pdf")
    assert refused.status_code in (403, 404)
    assert_page_headers(refused)


# -- API ------------------------------------------------------------------------------------

def _bearer(user) -> dict:
    token = issue_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_api_answers_and_errors(client, world):
    auth = _bearer(world["admin"])
    cases = [
        (client.get("/api/v1/regions", headers=auth), 200),
        (client.get(f"/api/v1/commitments/{world['ids']['commitment_id']}", headers=auth), 200),
        (client.get("/api/v1/commitments"), 401),
        (client.get("/api/v1/commitments", headers={"Authorization": "Bearer wrong"}), 401),
        (client.get("/api/v1/commitments/999999", headers=auth), 404),
        (client.get("/api/v1/no-existe", headers=auth), 404),
        (client.post("/api/v1/meetings", json={"format": "gore-acta/1"}, headers=auth), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.path, response.status_code)
        assert response.mimetype == "application/json"
        assert_page_headers(response)


def test_api_file_download_is_sandboxed(client, world):
    response = client.get(f"/api/v1/files/{world['file'].id}", headers=_bearer(world["admin"]), buffered=True)
    assert response.status_code == 200
    assert_download_headers(response)
    missing = client.get("/api/v1/files/999999", headers=_bearer(world["admin"]))
    assert missing.status_code == 404 and missing.mimetype == "application/json"
    assert_page_headers(missing)


def test_openapi_document_may_be_cached(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert_page_headers(response, private=False)
    assert "no-store" not in response.headers.get("Cache-Control", "")


# -- static files ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/static/js/app.js", "/static/css/app.css",
                                  "/bootstrap/static/css/bootstrap.min.css"])
def test_static_files_keep_their_caching(client, path):
    response = client.get(path, buffered=True)
    assert response.status_code == 200
    assert_page_headers(response, private=False)
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_only_public_endpoints_are_cacheable(app):
    """A new cacheable endpoint is a decision: nothing private may be listed here."""
    assert CACHEABLE_ENDPOINTS == {"static", "api.openapi_document"}
    assert {"static", "bootstrap.static", "api.openapi_document"} <= set(app.view_functions)


# -- HSTS and the cookie settings ---------------------------------------------------------------

def _app(tmp_path, **config):
    base = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "FILES_DIR": str(tmp_path / "files"), "SQLALCHEMY_ENGINE_OPTIONS": {}}
    return create_app({**base, **config})


def test_hsts_only_with_session_cookie_secure(tmp_path):
    secure = _app(tmp_path, SESSION_COOKIE_SECURE=True).test_client()
    over_https = secure.get("/login", base_url="https://compromisos.example")
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    behind_proxy = secure.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    api = secure.get("/api/v1/commitments", headers={"X-Forwarded-Proto": "https"})
    assert api.status_code == 401 and "Strict-Transport-Security" in api.headers
    # Browsers ignore HSTS over plain HTTP; Talisman sends it only over HTTPS.
    assert "Strict-Transport-Security" not in secure.get("/login").headers

    plain = _app(tmp_path, SESSION_COOKIE_SECURE=False).test_client()
    response = plain.get("/login", base_url="https://compromisos.example")
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_settings(tmp_path):
    client = _app(tmp_path, SESSION_COOKIE_SECURE=True, HSTS_MAX_AGE=600,
                  HSTS_INCLUDE_SUBDOMAINS=False).test_client()
    response = client.get("/login", base_url="https://compromisos.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=600"


def test_talisman_neither_redirects_to_https_nor_touches_cookie_settings(tmp_path):
    app = _app(tmp_path, SESSION_COOKIE_SECURE=False, SESSION_COOKIE_SAMESITE="Strict")
    response = app.test_client().get("/login")
    assert response.status_code == 200  # no redirect to https://
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Strict" in cookie and "Secure" not in cookie

    secure = _app(tmp_path, SESSION_COOKIE_SECURE=True)
    response = secure.test_client().get("/login")  # plain HTTP reaching the app behind the proxy
    assert response.status_code == 200
    assert "Secure" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]


# -- the sources: nothing the CSP would refuse ------------------------------------------------

def _web_templates():
    return [p for p in (ROOT / "templates").rglob("*.html") if "emails" not in p.relative_to(ROOT).parts]


def test_templates_have_no_inline_scripts_handlers_or_javascript_urls():
    offenders = []
    for path in _web_templates():
        text = path.read_text("utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, re.compile(r"javascript:", re.IGNORECASE)):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:60]}")
    assert not offenders, "\n".join(offenders)


def test_scripts_do_not_evaluate_strings():
    """No eval, new Function, string timers or inline handlers set from JavaScript."""
    bad = re.compile(r"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['\"]|setInterval\s*\(\s*['\"]"
                     r"|\.setAttribute\s*\(\s*['\"]on|\.innerHTML\s*=|javascript:")
    offenders = []
    for path in (ROOT / "gore_tracker" / "static" / "js").glob("*.js"):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if bad.search(line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
