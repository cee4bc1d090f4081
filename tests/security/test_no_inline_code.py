"""Every page template is free of inline script and style, as the Content-Security-Policy
(no 'unsafe-inline') needs: no <script> without src, no <style>, no style= attribute, no
on...= handler, no javascript: URL. Email templates are exempt: mail clients need inline
styles, and no browser applies the site's policy to them."""

import re

import pytest

from tests.conftest import ROOT

RULES = {
    "a <script> without src": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "a <style> block": re.compile(r"<style\b", re.I),
    "a style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "an on...= handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def page_templates():
    skip = {".venv", "var", "node_modules", ".git"}
    for path in sorted(ROOT.rglob("*.html")):
        parts = path.relative_to(ROOT).parts
        if skip & set(parts) or "templates" not in parts or "emails" in parts:
            continue
        yield path


def offences(text: str) -> list[str]:
    found = []
    for name, rule in RULES.items():
        for match in rule.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"line {line}: {name}")
    return found


def test_the_rules_catch_what_they_should():
    assert offences('<div style="width: 3%">')
    assert offences("<script>alert(1)</script>")
    assert offences('<button type="button" onclick="go()">')
    assert offences("<style>p { color: red }</style>")
    assert offences('<a href="javascript:void(0)">')
    assert not offences('<script src="/static/x.js" defer></script>')
    assert not offences("&lt;iframe style=&quot;border:0&quot;&gt;")
    assert not offences('<progress class="progress" max="100" value="3">')


def test_there_are_templates_to_check():
    assert len(list(page_templates())) > 50


@pytest.mark.parametrize(
    "path", list(page_templates()), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_inline_script_or_style(path):
    assert offences(path.read_text()) == []
