"""Filling an admin page's form the way a browser would: every field with the value the page
shows (inline rows and their management forms included), ready to be changed and posted."""

from __future__ import annotations

from typing import Any

from django import forms


def _put(data: dict[str, Any], form: forms.BaseForm, name: str) -> None:
    field = form.fields[name]
    if field.disabled:
        return
    key = form.add_prefix(name)
    value = field.prepare_value(form[name].value())
    if isinstance(field.widget, forms.MultiWidget):
        parts = field.widget.decompress(value)
        for i, part in enumerate(parts):
            data[f"{key}_{i}"] = "" if part is None else str(part)
    elif isinstance(field, forms.BooleanField):
        if value:
            data[key] = "on"
    elif isinstance(value, list | tuple):
        data[key] = [str(v) for v in value]
    else:
        data[key] = "" if value is None else str(value)


def page_data(response: Any) -> dict[str, Any]:
    """The POST body of an admin add or change page as it stands."""
    assert response.status_code == 200, response.status_code
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = str(formset.management_form[name].value())
        for row in formset.forms:
            for name in row.fields:
                _put(data, row, name)
    return data


def add_inline_row(data: dict[str, Any], prefix: str, values: dict[str, Any]) -> None:
    """Append one new row to the inline formset `prefix` (as the "add another" link does)."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
