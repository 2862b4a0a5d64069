"""Security headers on every response: Flask-Talisman, configured here and nowhere else.

Talisman sets the Content-Security-Policy, ``X-Frame-Options``, ``X-Content-Type-Options``,
``Referrer-Policy``, ``Permissions-Policy`` and (with ``SESSION_COOKIE_SECURE``) HSTS. Two
things it does not do are added by one ``after_request`` hook of ours, which runs after
Talisman's:

- ``Cache-Control: no-store`` on every response except static files and the OpenAPI
  document, so no page, API answer or download of a signed-in account stays in a browser's
  or a proxy's cache (the anonymous pages get it too: one rule cannot miss a page);
- the locked-down policy ``default-src 'none'; sandbox`` on the answers of views marked
  ``@file_download`` (stored files: evidence, source actas, import PDFs) when they send the
  file (2xx, 304). Their redirects and error pages (403, 404) keep the ordinary page policy,
  so those still look like the app.

Talisman is created per application (not in ``extensions``): it keeps its settings on the
instance, and the tests build many applications with different settings in one process.
It must not redirect to HTTPS (TLS ends at the reverse proxy) nor touch the session cookie
settings, which stay the app's own (``SESSION_COOKIE_*`` in ``config.py``).
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_talisman import Talisman

# The pages: scripts and styles only from the app itself (no inline script, no eval, no
# inline event handler; style attributes are allowed), images also as data: URIs (Bootstrap's
# icons), nothing embedded, no framing by anyone, forms post only to the app.
PAGE_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# A stored file shown by the browser (a PDF or an image) runs nothing and loads nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox"
# Features the app never uses, refused to every page (and to anything it might embed).
PERMISSIONS_POLICY = {
    "browsing-topics": "()", "camera": "()", "geolocation": "()", "microphone": "()",
    "payment": "()", "usb": "()",
}
# Endpoints whose answers may be cached: the same bytes for everyone, nothing private.
CACHEABLE_ENDPOINTS = {"static", "api.openapi_document"}


def file_download(view):
    """Mark a view that answers with a stored file's bytes: the answers that carry the file
    (2xx, 304) get ``DOWNLOAD_CSP``. Put it right under the route decorators."""
    view.file_download = True
    return view


def init_app(app: Flask) -> None:
    """Wire the headers into ``app`` (called once from ``create_app``)."""
    # Registered before Talisman's own hook, so it runs after it (Flask runs
    # after_request functions in reverse order of registration).
    app.after_request(_cache_and_downloads)
    talisman = Talisman()
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the reverse proxy
        frame_options="DENY",
        content_security_policy=PAGE_CSP,
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
        # HSTS only when the installation says it is served over HTTPS; Talisman sends it on
        # requests that came over HTTPS (directly, or X-Forwarded-Proto: https from the proxy).
        strict_transport_security=bool(app.config.get("SESSION_COOKIE_SECURE")),
        strict_transport_security_max_age=int(app.config.get("HSTS_MAX_AGE", 31536000)),
        strict_transport_security_include_subdomains=bool(app.config.get("HSTS_INCLUDE_SUBDOMAINS", True)),
        strict_transport_security_preload=False,
        # Leave the cookie settings as the app has them: Talisman would otherwise force
        # SESSION_COOKIE_SECURE on and overwrite SESSION_COOKIE_SAMESITE.
        session_cookie_secure=False,
        session_cookie_http_only=bool(app.config.get("SESSION_COOKIE_HTTPONLY", True)),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE"),
    )
    app.extensions["talisman"] = talisman


def _cacheable(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint in CACHEABLE_ENDPOINTS or endpoint.endswith(".static"))


def _cache_and_downloads(response):
    endpoint = request.endpoint
    if not _cacheable(endpoint):
        response.headers["Cache-Control"] = "no-store"
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if getattr(view, "file_download", False) and (response.status_code < 300 or response.status_code == 304):
        response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
