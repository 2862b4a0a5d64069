"""A tiny browser for tests: read a page's form back as the fields it would submit."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.template_depth = 0
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._option_value: str | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if tag == "template":
            self.template_depth += 1
        if not self.inside or self.template_depth:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if not a.get("name") or "disabled" in a or kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select, self._select_value, self._first_option = a["name"], None, None
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            self._option_text = ""
            if "selected" in a:
                self._select_value = a.get("value")
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._textarea_text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text += data
        if self._option_value is None and self._select:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth -= 1
        if tag == "form" and self.inside and not self.template_depth:
            self.inside = False
        if tag == "option" and self._select and self._first_option is None:
            self._first_option = self._option_value if self._option_value is not None else self._option_text
        if tag == "select" and self._select:
            value = self._select_value if self._select_value is not None else (self._first_option or "")
            self.fields.append((self._select, value))
            self._select = None
        if tag == "textarea" and self._textarea is not None:
            # The HTML spec drops one newline right after <textarea>.
            text = self._textarea_text[1:] if self._textarea_text.startswith("\n") else self._textarea_text
            self.fields.append((self._textarea, text))
            self._textarea = None


def form_fields(page_html: str, form_id: str = "acta-form") -> list[tuple[str, str]]:
    """(name, value) pairs a browser would submit for the form (no button, no file)."""
    reader = _FormReader(form_id)
    reader.feed(page_html)
    return reader.fields


def field_names(page_html: str, form_id: str = "acta-form") -> set[str]:
    """Every input/select/textarea name of the form (outside <template>s), submitted or not."""
    body = page_html.split(f'id="{form_id}"', 1)[1]
    body = re.sub(r"<template.*?</template>", "", body, flags=re.S)
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', body))


def error_beside(page_html: str, field_id: str) -> list[str]:
    """Messages shown beside the input ``field_id`` (its Bootstrap invalid-feedback)."""
    tag = re.search(r'<(?:input|select|textarea)[^>]*\bid="%s"[^>]*>' % re.escape(field_id), page_html)
    assert tag, f"no input {field_id!r} on the page"
    assert "is-invalid" in tag.group(0), f"{field_id} is not marked invalid"
    return [html.unescape(m) for m in re.findall(
        r'<div class="invalid-feedback" id="%s-err">(.*?)</div>' % re.escape(field_id), page_html)]
