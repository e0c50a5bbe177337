"""What an audit entry says about a changed object: its fields as short strings, and for a change
the fields that moved, each `{"from": old, "to": new}`.

Secrets (a password hash, an API key's digest, an OTP digest, a report's links) are never
written: a secret that changed is recorded as the word `"changed"`, one that was set on creation
as `"set"`, and nothing else about it. Snapshots are taken by the services and the admin alike,
so an object's history reads the same whoever changed it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.utils import timezone

# Fields never recorded by value, whatever the model.
SECRET_FIELDS = frozenset({"password", "digest", "code_digest", "token", "survey_token"})
CHANGED = "changed"
SET = "set"
_SECRET_MARK = "\x00secret:"


def object_label(obj: Any) -> str:
    """How an object is named in an audit entry: its code (agencies, units, procedures…), a
    user's username, a permission as `app_label.codename`, else its text."""
    if hasattr(obj, "codename") and hasattr(obj, "content_type_id"):
        return f"{obj.content_type.app_label}.{obj.codename}"
    if hasattr(obj, "get_username"):
        return str(obj.get_username())
    code = getattr(obj, "code", None)
    if isinstance(code, str) and code:
        return code
    return str(obj)


def audit_value(value: Any) -> str | None:
    """A field's value as a string (None stays None)."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return object_label(value)
    if isinstance(value, datetime):
        # In the province's time, to the second: a form round-trip drops microseconds, which is
        # no change anyone made.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def recorded_fields(model: type[models.Model], *, exclude: Iterable[str] = ()) -> list[Any]:
    """The fields an audit entry speaks of: editable concrete fields and many-to-many fields,
    not the primary key and not bookkeeping the database fills (`auto_now`, derived paths)."""
    skip = set(exclude)
    fields: list[Any] = []
    for f in model._meta.get_fields():
        if f.name in skip or not getattr(f, "editable", False) or getattr(f, "primary_key", False):
            continue
        if getattr(f, "many_to_many", False) and not f.auto_created:
            fields.append(f)
        elif getattr(f, "concrete", False) and not f.auto_created:
            fields.append(f)
    return fields


def _secret_digest(value: Any) -> str:
    return _SECRET_MARK + hashlib.sha256(str(value).encode()).hexdigest() if value not in (None, "") else ""


def snapshot(
    obj: models.Model, *, secret: Iterable[str] = (), exclude: Iterable[str] = (),
    m2m: Mapping[str, Iterable[Any]] | None = None,
) -> dict[str, Any]:
    """The object's recorded fields as strings (many-to-many ones as sorted lists). `m2m` gives
    many-to-many values not saved yet (a form's cleaned data). Secret fields hold an in-memory
    fingerprint, only for comparing; `public_fields` and `field_changes` never let it out."""
    secrets = SECRET_FIELDS | set(secret)
    out: dict[str, Any] = {}
    for f in recorded_fields(type(obj), exclude=exclude):
        if f.many_to_many:
            if m2m is not None and f.name in m2m:
                related: Iterable[Any] = m2m[f.name]
            elif obj.pk is not None:
                related = getattr(obj, f.name).all()
            else:
                related = []
            out[f.name] = sorted(object_label(r) for r in related)
            continue
        if f.is_relation:
            try:
                value = getattr(obj, f.name)
            except f.related_model.DoesNotExist:
                value = getattr(obj, f.attname)
        else:
            value = getattr(obj, f.attname)
        out[f.name] = _secret_digest(value) if f.name in secrets else audit_value(value)
    return out


def public_fields(snap: Mapping[str, Any], *, secret: Iterable[str] = ()) -> dict[str, Any]:
    """A snapshot fit to be written: a secret appears only as `"set"` when it has a value."""
    secrets = SECRET_FIELDS | set(secret)
    out: dict[str, Any] = {}
    for name, value in snap.items():
        if name in secrets:
            if value:
                out[name] = SET
        else:
            out[name] = value
    return out


def field_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, secret: Iterable[str] = ()
) -> dict[str, Any]:
    """`{field: {"from": old, "to": new}}` for every field whose value differs; a secret that
    differs is `{field: "changed"}`."""
    secrets = SECRET_FIELDS | set(secret)
    out: dict[str, Any] = {}
    for name in after:
        if name not in before or before[name] == after[name]:
            continue
        if name in secrets:
            out[name] = CHANGED
        else:
            out[name] = {"from": before[name], "to": after[name]}
    return out
