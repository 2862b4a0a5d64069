"""Fixtures for the meetings pages: signed-in clients and the acta form's field names."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_from


def acta_form_data(doc: dict, csrf: str) -> dict:
    """What a browser sends for ``doc`` (gore-acta/1 + optional extensions) through the acta form."""
    m = doc["meeting"]
    ext = doc.get("extensions") or {}
    details = {(e["region"], e["number"]): e for e in ext.get("commitments") or []}
    data = {
        "csrf_token": csrf,
        "_save": "1",
        "body": ext.get("body", "GORE Ejecutivo"),
        "edition": "" if ext.get("edition") is None else str(ext["edition"]),
        "title": m["title"] or "",
        "session_type": m["session_type"],
        "date": m["date"] or "",
        "place": m["place"] or "",
        "modality": ext.get("modality", "presencial"),
        "sector": m["sector"] or "",
        "moderator": m["moderator"] or "",
        "observations": doc.get("observations") or "",
        "absent_regions": list(ext.get("absent_regions") or []),
    }
    for i, a in enumerate(doc["attendees"]):
        p = f"attendees-{i}-"
        data.update({p + "honorific": a["honorific"] or "", p + "name": a["name"],
                     p + "position": a["position"] or "", p + "side": a["side"],
                     p + "region": a["region"] or ""})
    for i, block in enumerate(doc["regions"]):
        data[f"regions-{i}-region"] = block["region"]
        for j, t in enumerate(block["topics"]):
            p = f"regions-{i}-topics-{j}-"
            data.update({p + "number": str(t["number"]), p + "text": t["text"]})
            for k, c in enumerate(t["commitments"]):
                q = f"{p}commitments-{k}-"
                extra = details.get((block["region"], c["number"]), {})
                data.update({
                    q + "number": str(c["number"]), q + "text": c["text"],
                    q + "responsible": c["responsible"] or "", q + "due": c["due"] or "",
                    q + "deliverable": extra.get("deliverable") or "",
                    q + "target": "" if extra.get("target") is None else str(extra["target"]),
                    q + "cui": extra.get("cui") or "",
                })
    for i, o in enumerate(doc["other_topics"]):
        data.update({f"other_topics-{i}-region": o["region"] or "", f"other_topics-{i}-text": o["text"]})
    return data


@pytest.fixture
def post_acta(client):
    """POST ``doc`` through /sesiones/nueva (or an edit URL) with the CSRF token of the page."""

    def _post(doc: dict, url: str = "/sesiones/nueva", **overrides):
        form = client.get(url)
        assert form.status_code == 200, form.status_code
        data = acta_form_data(doc, csrf_from(form.get_data(as_text=True)))
        data.update(overrides)
        return client.post(url, data=data)

    return _post
