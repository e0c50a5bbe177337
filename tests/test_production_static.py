"""Production's static files: `collectstatic` with the storage production uses (whitenoise's
compressed manifest storage, see STORAGES in settings.py) must succeed, and its manifest must
name every file the templates ask for with `{% static %}`; otherwise `tinhso setup` fails and
every page answers 500 ("Missing staticfiles manifest entry").

A vendored file whose comment or `url(...)` names a file that is not there (a source map left
out of the copy) breaks the post-processing; this test catches it on SQLite and PostgreSQL
alike, without a database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

import tinhso

PACKAGE_DIR = Path(tinhso.__file__).resolve().parent
STATIC_TAG = re.compile(r"""\{%\s*static\s+(['"])(?P<name>[^'"]+)\1\s*(?:as\s+\w+\s*)?%\}""")


def template_static_names() -> dict[str, list[str]]:
    """Every literal `{% static '…' %}` name in tinhso's templates → the templates naming it."""
    names: dict[str, list[str]] = {}
    for path in sorted(PACKAGE_DIR.rglob("templates/**/*")):
        if not path.is_file() or path.suffix not in {".html", ".txt", ".xml", ".svg", ".js", ".css"}:
            continue
        for match in STATIC_TAG.finditer(path.read_text(encoding="utf-8")):
            names.setdefault(match["name"], []).append(str(path.relative_to(PACKAGE_DIR)))
    return names


@pytest.fixture
def manifest_root(settings, tmp_path) -> Path:
    """Static files collected as production collects them, into a temporary STATIC_ROOT."""
    root = tmp_path / "static"
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Changing STORAGES and STATIC_ROOT resets the lazy staticfiles_storage (Django's
    # setting_changed receiver), so collectstatic and {% static %} use the manifest storage.
    call_command("collectstatic", interactive=False, verbosity=0)
    assert isinstance(staticfiles_storage, CompressedManifestStaticFilesStorage)
    assert Path(staticfiles_storage.path("staticfiles.json")) == root / "staticfiles.json"
    return root


def test_the_templates_name_static_files():
    # Guard the grep below: if it found nothing, the next test would pass vacuously.
    names = template_static_names()
    assert {"vendor/pico.min.css", "vendor/htmx.min.js", "tinhso/tinhso.css"} <= set(names)


def test_collectstatic_with_manifest_storage_covers_every_template_reference(manifest_root):
    manifest = json.loads((manifest_root / "staticfiles.json").read_text(encoding="utf-8"))
    paths = manifest["paths"]

    missing = {name: where for name, where in template_static_names().items() if name not in paths}
    assert not missing, f"not in staticfiles.json: {missing}"

    # Every manifest entry was written, hashed name included, and the lookup the templates do
    # at render time answers the hashed URL.
    absent = [hashed for hashed in paths.values() if not (manifest_root / hashed).is_file()]
    assert not absent, f"in the manifest but not on disk: {absent[:10]}"
    for name in template_static_names():
        url = staticfiles_storage.url(name)
        assert url.startswith("/static/") and url != f"/static/{name}", (name, url)
