"""Amounts of đồng as a page shows them, in the reader's language.

Forms 01–07 are legal documents and always write Vietnamese (`dossiers.forms.data.fmt_money`:
"1.500.000 đồng"); a page follows the language the reader chose: "1.500.000 đồng" in
Vietnamese, "1,500,000 dong" in English.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def grouped(amount: int) -> str:
    """`amount` with thousands grouped the way the reader's language writes them."""
    text = f"{amount:,}"
    return text if (get_language() or "vi").startswith("en") else text.replace(",", ".")


def money_text(amount: int) -> str:
    """`amount` đồng, grouped and named in the reader's language."""
    return _("%(amount)s đồng") % {"amount": grouped(amount)}
