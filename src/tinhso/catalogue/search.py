"""Finding a procedure of the catalogue the way a citizen types its name (tra cứu thủ tục).

"khai sinh", "Khai Sinh" and "khai sinh" typed with its marks find the same procedures: the
query and `Procedure.name_search` are both folded by `fold` (no diacritics, đ → d, case folded)
and cut into words, so the search is a plain `LIKE` on one column on SQLite and PostgreSQL alike,
with no `unaccent` extension. `Procedure.save()`, its manager's `bulk_create` and the catalogue
loader keep the column up to date; migration 0004 filled it for the procedures already stored.

Ranking, best first, ties by code:

0. the whole query, as typed words in order, starts a word of the name ("đăng ký khai sinh" in
   "Thủ tục đăng ký khai sinh");
1. every word of the query starts a word of the name, in any order;
2. every word of the query is inside the name;
3. only the procedure's code contains the query ("001193").

`fields()` lists the fields (lĩnh vực) for a filter; `allows_online` is the rule the citizen's
space applies before it offers an online submission.
"""

from __future__ import annotations

import re
from functools import reduce
from operator import and_

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from tinhso.catalogue.models import OnlineLevel, Procedure, ProcedureLevel
from tinhso.core.errors import InvalidInput
from tinhso.core.text import search_key

# The online levels at which a citizen may submit a dossier online (`online="online"`).
ONLINE_LEVELS: tuple[str, ...] = (OnlineLevel.FULL, OnlineLevel.PARTIAL)
ANY_ONLINE = "online"

# A query is cut to this many characters and words: enough for any procedure's name, and it
# keeps the SQL of a pasted paragraph bounded.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """`text` without diacritics (đ/Đ → d), case-folded, runs of white space made one space.

    >>> fold("  Đăng ký KHAI   SINH ")
    'dang ky khai sinh'
    """
    return search_key(text)


def search_words(*texts: str) -> list[str]:
    """The folded words of the texts, punctuation dropped: "Đăng ký, quản lý" → dang ky quan ly."""
    return [word for text in texts for word in _WORD.findall(fold(text or ""))]


def name_search_of(*, name: str, name_en: str = "", code: str = "") -> str:
    """The value of `Procedure.name_search`: the folded words of name, English name and code."""
    return " ".join(search_words(name, name_en, code))[: Procedure._meta.get_field("name_search").max_length]


def allows_online(procedure: Procedure) -> bool:
    """Whether a citizen may submit this procedure's dossier online (full or partial online level)."""
    return procedure.is_active and procedure.online_level in ONLINE_LEVELS


def _at_word_start(text: str) -> Q:
    return Q(name_search__startswith=text) | Q(name_search__contains=" " + text)


def _checked_filters(level: str, online: str) -> None:
    fields: dict[str, str] = {}
    if level and level not in ProcedureLevel.values:
        fields["level"] = _("Phải là một trong: %(expected)s.") % {"expected": ", ".join(ProcedureLevel.values)}
    if online and online not in (*OnlineLevel.values, ANY_ONLINE):
        fields["online"] = _("Phải là một trong: %(expected)s.") % {
            "expected": ", ".join((*OnlineLevel.values, ANY_ONLINE))}
    if fields:
        raise InvalidInput(_("Bộ lọc không hợp lệ."), fields=fields)


def procedure_search(
    *, q: str = "", field: str = "", level: str = "", online: str = "", active_only: bool = True
) -> QuerySet[Procedure]:
    """The procedures matching the query and filters, best first (see the module), each with `rank`.

    `level` is a `ProcedureLevel` value, `online` an `OnlineLevel` value or "online" (any level
    that allows an online submission), `field` a field exactly as `fields()` lists it; "" means
    any. An unknown level or online value raises `InvalidInput` naming the filter. Without a
    query, everything the filters let through, by code (`rank` 0).
    """
    _checked_filters(level, online)
    qs = Procedure.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if field:
        qs = qs.filter(field=field)
    if level:
        qs = qs.filter(level=level)
    if online == ANY_ONLINE:
        qs = qs.filter(online_level__in=ONLINE_LEVELS)
    elif online:
        qs = qs.filter(online_level=online)
    text = (q or "")[:MAX_QUERY_CHARS].strip()
    if not text:
        return qs.annotate(rank=Value(0, output_field=IntegerField())).order_by("code")
    words = search_words(text)[:MAX_QUERY_WORDS]
    if not words:
        return qs.none().annotate(rank=Value(0, output_field=IntegerField()))
    phrase = " ".join(words)
    every_word_starts = reduce(and_, (_at_word_start(w) for w in words))
    every_word_inside = reduce(and_, (Q(name_search__contains=w) for w in words))
    code_match = Q(code__icontains=text)
    return (
        qs.filter(every_word_inside | code_match)
        .annotate(rank=Case(
            When(_at_word_start(phrase), then=Value(0)),
            When(every_word_starts, then=Value(1)),
            When(every_word_inside, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ))
        .order_by("rank", "code")
    )


def fields() -> list[str]:
    """The distinct fields (lĩnh vực) of the active procedures, in alphabetical order of their folded name."""
    values = Procedure.objects.filter(is_active=True).exclude(field="").values_list("field", flat=True).distinct()
    return sorted(set(values), key=lambda f: (fold(f), f))
