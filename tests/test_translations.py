"""The English catalogue is complete and compiled, and the admin is branded and renders in English.

The product's msgids are Vietnamese; `locale/en/LC_MESSAGES/django.po` must hold an English
translation for every one of them (none untranslated, none fuzzy), every literal msgid in the code
and the templates must be in it (so a string added after the last `makemessages` fails here, not in
front of an English-speaking user), and the compiled `.mo` must say what the `.po` says.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "tinhso"
EN_PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"

# A letter only Vietnamese uses.
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)

_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
_TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+"([^"]+)"(?:\s+(?:as\s+\w+|noop))*\s*%\}""")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(EN_PO))


def _code_msgids() -> set[str]:
    """The literal msgids of `_()`, `gettext_lazy()`, `ngettext()` in Python and `{% translate "…" %}`
    in templates (what `makemessages` would extract, short of computed and block strings)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            first = node.args[0]
            if name in _GETTEXT_NAMES and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    for path in PACKAGE.rglob("*.html"):
        # Django looks a template string up with each "%" doubled, as `makemessages` writes it.
        found.update(m.replace("%", "%%") for m in _TEMPLATE_TRANSLATE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    live = [e for e in catalogue if not e.obsolete]
    assert len(live) > 500
    assert [e.msgid for e in live if not e.translated()] == []
    assert [e.msgid for e in live if "fuzzy" in e.flags] == []


def test_no_english_translation_is_left_in_vietnamese(catalogue):
    brand = "Tỉnh số"  # the product's name stays as it is
    left = [e.msgid for e in catalogue.translated_entries()
            if not e.msgid_plural and VIETNAMESE.search(re.sub(r"QĐ-\w+", "", e.msgstr.replace(brand, "")))]  # 12/QĐ-UBND
    assert left == []


def test_placeholders_are_kept(catalogue):
    placeholder = re.compile(r"%\(\w+\)[sdr]|%%")
    wrong = []
    for e in catalogue.translated_entries():
        if "python-format" not in e.flags:
            continue
        for text in ([e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())):
            if set(placeholder.findall(e.msgid)) != set(placeholder.findall(text)):
                wrong.append((e.msgid, text))
    assert wrong == []


def test_every_msgid_in_the_code_is_in_the_catalogue(catalogue):
    known = {e.msgid for e in catalogue if not e.obsolete}
    assert sorted(_code_msgids() - known) == []


def test_the_compiled_catalogue_says_what_the_po_says(catalogue):
    """The `.mo` is compiled from the current `.po` (gettext answers each msgid's msgstr)."""
    with translation.override("en"):
        stale = [e.msgid for e in catalogue.translated_entries()
                 if not e.msgid_plural and not e.msgctxt and translation.gettext(e.msgid) != e.msgstr]
    assert stale == []


def test_admin_is_branded_and_renders_in_english(admin_client):
    vi = admin_client.get("/admin/", headers={"Accept-Language": "vi"})
    assert "tinhso — Quản trị hệ thống một cửa" in vi.content.decode()

    en = admin_client.get("/admin/", headers={"Accept-Language": "en"})
    assert en.status_code == 200
    html = en.content.decode()
    assert "tinhso — One-stop shop administration" in html
    assert "<title>System administration | tinhso — Administration</title>" in html
    # The app and model list (the index's content, without the recent actions' data values).
    content = html[html.index('id="content-main"'):html.index('id="content-related"')]
    assert "<caption>" in content
    assert VIETNAMESE.findall(content) == [], re.findall(r"[^<>]*" + VIETNAMESE.pattern + r"[^<>]*", content, re.I)
