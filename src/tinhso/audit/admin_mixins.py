"""`AuditedAdmin`: every add, change and delete made through the admin leaves an audit entry.

Every `ModelAdmin` and every inline of the project mixes it in (a test walks the admin registry
and fails on one that does not). Through the admin:

- an add writes `admin.add` with the new object's fields;
- a change writes `admin.change` with the fields that moved, `{"from": old, "to": new}` as
  strings (many-to-many fields as sorted lists: a user's groups and permissions); a save that
  changes nothing writes nothing;
- a delete, from the delete page or the bulk "delete selected" action (`delete_queryset`), writes
  `admin.delete` with the fields the object had, one entry per object;
- each inline row added, changed or deleted (`save_formset`) writes its own entry, naming the
  parent object it was edited in.

The actor is the signed-in administrator (`Principal.for_user`); the object type is the model's
name (`apikey`, `agency`, `user`…), the same as the services use, so an object's whole history is
one lookup whoever changed it. Secrets are never written (`tinhso.audit.changes`): a password
or a key digest that changed is recorded as `"changed"`.

Where a service is the door for a write (staff roles, API keys, a report's public flag), the
admin overrides the hook (`save_model`, `delete_model`, `save_inline_object`…) to call it, and
the service writes the entry. Everything runs in the admin's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest

from tinhso.agencies.principals import Principal
from tinhso.audit.changes import field_changes, public_fields, snapshot
from tinhso.audit.models import AuditEntry
from tinhso.audit.services import audit_record

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Base = ModelAdmin
else:
    _Base = object

ADD = "admin.add"
CHANGE = "admin.change"
DELETE = "admin.delete"


class AuditedAdmin(_Base):
    """Mix in before `admin.ModelAdmin` or an inline class: `class X(AuditedAdmin, admin.ModelAdmin)`."""

    # Fields recorded only as "changed" / "set", never by value (beyond `changes.SECRET_FIELDS`).
    audit_secret_fields: tuple[str, ...] = ()
    # Fields not worth recording at all (bookkeeping).
    audit_exclude: tuple[str, ...] = ()

    # --- the entries ----------------------------------------------------------------------

    def audit_principal(self, request: HttpRequest) -> Principal | None:
        cached = getattr(request, "_audit_principal", None)
        if cached is None:
            cached = Principal.for_user(request.user)
            request._audit_principal = cached  # type: ignore[attr-defined]
        return cached

    def audit_snapshot(self, obj: models.Model, form: Any = None) -> dict[str, Any]:
        """The object's recorded fields; many-to-many ones from the form when it carries them
        (the admin saves them after `save_model`)."""
        m2m = None
        cleaned = getattr(form, "cleaned_data", None) if form is not None else None
        if cleaned:
            m2m = {f.name: cleaned[f.name] for f in obj._meta.many_to_many if f.name in cleaned}
        return snapshot(obj, secret=self.audit_secret_fields, exclude=self.audit_exclude, m2m=m2m)

    def audit_stored(self, obj: models.Model) -> dict[str, Any] | None:
        """The snapshot of the object as the database holds it (before a change is saved)."""
        if obj.pk is None:
            return None
        stored = type(obj)._base_manager.filter(pk=obj.pk).first()
        return self.audit_snapshot(stored) if stored is not None else None

    def audit_write(
        self, request: HttpRequest, action: str, obj: models.Model, *, object_id: Any = None, label: str | None = None,
        before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, parent: models.Model | None = None,
    ) -> AuditEntry | None:
        data: dict[str, Any] = {"model": obj._meta.label_lower, "object": label if label is not None else str(obj)}
        if action == CHANGE:
            changes = field_changes(before or {}, after or {}, secret=self.audit_secret_fields)
            if not changes:
                return None
            data["changes"] = changes
        else:
            data["fields"] = public_fields((after if action == ADD else before) or {}, secret=self.audit_secret_fields)
        if parent is not None:
            data["parent"] = {"type": parent._meta.model_name, "id": str(parent.pk), "object": str(parent)}
        return audit_record(
            principal=self.audit_principal(request), action=action, object_type=obj._meta.model_name or "",
            object_id=object_id if object_id is not None else obj.pk, data=data,
        )

    # --- the object edited on the page ----------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = self.audit_stored(obj) if change else None
        super().save_model(request, obj, form, change)
        after = self.audit_snapshot(obj, form)
        if before is None:
            self.audit_write(request, ADD, obj, after=after)
        else:
            self.audit_write(request, CHANGE, obj, before=before, after=after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before, pk, label = self.audit_snapshot(obj), obj.pk, str(obj)
        super().delete_model(request, obj)
        self.audit_write(request, DELETE, obj, object_id=pk, label=label, before=before)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic(using=queryset.db):
            gone = [(obj, obj.pk, str(obj), self.audit_snapshot(obj)) for obj in queryset]
            super().delete_queryset(request, queryset)
            for obj, pk, label, before in gone:
                self.audit_write(request, DELETE, obj, object_id=pk, label=label, before=before)

    # --- inline rows ----------------------------------------------------------------------

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Save an inline formset object by object, each through its inline's hooks (deleted
        rows first, so a row deleted and added again in one save does not collide)."""
        parent = form.instance
        inline = self._audited_inline(request, formset)
        formset.save(commit=False)
        forms = {id(f.instance): f for f in formset.forms}
        for obj in formset.deleted_objects:
            inline.delete_inline_object(request, obj, parent=parent)
        for obj, _names in formset.changed_objects:
            inline.save_inline_object(request, obj, forms.get(id(obj)), change=True, parent=parent)
        for obj in formset.new_objects:
            inline.save_inline_object(request, obj, forms.get(id(obj)), change=False, parent=parent)
        formset.save_m2m()

    def _audited_inline(self, request: HttpRequest, formset: Any) -> AuditedAdmin:
        for inline in self.get_inline_instances(request, formset.instance):
            if inline.model is formset.model and isinstance(inline, AuditedAdmin):
                return inline
        return self

    def save_inline_object(self, request: HttpRequest, obj: Any, form: Any, *, change: bool,
                           parent: models.Model) -> None:
        """Save one inline row and write its entry (override to go through a service)."""
        before = self.audit_stored(obj) if change else None
        obj.save()
        after = self.audit_snapshot(obj, form)
        if before is None:
            self.audit_write(request, ADD, obj, after=after, parent=parent)
        else:
            self.audit_write(request, CHANGE, obj, before=before, after=after, parent=parent)

    def delete_inline_object(self, request: HttpRequest, obj: Any, *, parent: models.Model) -> None:
        """Delete one inline row and write its entry (override to go through a service)."""
        before, pk, label = self.audit_snapshot(obj), obj.pk, str(obj)
        obj.delete()
        self.audit_write(request, DELETE, obj, object_id=pk, label=label, before=before, parent=parent)


def reregister_audited(*models: type[models.Model], site: Any = None, exclude: tuple[str, ...] = ()) -> None:
    """Register another app's admins again with the audit mixed in (django-axes' sign-in
    records: deleting an access attempt unlocks a sign-in). An admin already audited is left
    as it is."""
    from django.contrib import admin

    site = site or admin.site
    for model in models:
        current = site._registry.get(model)
        if current is None or isinstance(current, AuditedAdmin):
            continue
        base = type(current)
        site.unregister(model)
        site.register(model, type(f"Audited{base.__name__}", (AuditedAdmin, base),
                                  {"__module__": __name__, "audit_exclude": exclude}))
