"""Text folded for searching: Vietnamese names found however they are typed.

`search_key("Nguyễn Văn  A")` → `"nguyen van a"`: diacritics dropped (đ/Đ → d, which Unicode
does not decompose), case folded, runs of white space made one space. Stored beside the text it
folds (`Dossier.applicant_name_search`) so a search is a plain indexed prefix match on every
database, rather than an accent-stripping function at query time. No Django.
"""

from __future__ import annotations

import unicodedata

# Letters Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"})


def search_key(text: str) -> str:
    """`text` without diacritics, case-folded, with single spaces and no spaces at its ends."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
