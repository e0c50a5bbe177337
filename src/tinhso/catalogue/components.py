"""Which dossier components (thành phần hồ sơ) an applicant must bring: a pure rule, no Django.

The catalogue writes every condition into the component's own text: "Văn bản ủy quyền (nếu ủy
quyền)", "Biên bản về việc trẻ bị bỏ rơi (nếu có)", "Giấy xác nhận khuyết tật (đối với người
khuyết tật)", "Trường hợp … thì nộp …". `requirement_of` reads that text once, when the catalogue
is loaded; an administrator corrects the few it gets wrong in the admin.

- **required** (bắt buộc): every dossier has it; a receipt without it is refused.
- **conditional** (nếu có, trường hợp …): only some applicants have it; ticked when handed in.
- **optional** (không bắt buộc, nếu có nhu cầu …): at the applicant's wish; ticked when handed in.

A condition counts only where it governs the whole component: the text starts with it ("Trường
hợp …", "Nếu …", "Đối với …"), a parenthesis starts with it ("(nếu ủy quyền)", "(đối với
trường hợp …)"), or a trailing clause carries it (", nếu có"). A condition on a detail inside a
required component — "Bản gốc Giấy chứng nhận (bản sao nếu đồng thời chuyển quyền)", "… (kèm bản
dịch nếu văn bản bằng tiếng nước ngoài)", "giấy tờ chứng minh thuộc trường hợp xóa đăng ký" —
leaves it required.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class RequirementKind(StrEnum):
    REQUIRED = "required"
    CONDITIONAL = "conditional"
    OPTIONAL = "optional"


# Words that open a condition; matched after lower-casing and NFC normalisation.
_OPTIONAL = ("không bắt buộc", "tùy chọn", "tuỳ chọn", "nếu có nhu cầu", "nếu muốn")
_CONDITIONAL = ("nếu", "trường hợp", "trong trường hợp", "đối với", "áp dụng đối với", "áp dụng cho", "khi có")
_ANYWHERE_CONDITIONAL = ("(nếu có)", ", nếu có", "đối với trường hợp", "trong trường hợp")

_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_TRAILING = re.compile(r"[,;–-]\s*((?:nếu|trường hợp|trong trường hợp|đối với)\b[^,;()]*)$")


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _opens_with(clause: str, words: tuple[str, ...]) -> bool:
    return any(clause == w or clause.startswith(w + " ") or clause.startswith(w + ",") for w in words)


def _clauses(text: str) -> list[str]:
    """The places where a condition governs the whole component: the start, each parenthesis,
    a trailing clause."""
    clauses = [text]
    clauses += [m.group(1).strip() for m in _PARENTHESIS.finditer(text)]
    trailing = _TRAILING.search(text)
    if trailing:
        clauses.append(trailing.group(1).strip())
    return clauses


def requirement_of(name: str, notes: str = "") -> RequirementKind:
    """The requirement a component's name (and notes) states; `required` unless it says otherwise.

    >>> requirement_of("Văn bản ủy quyền (nếu ủy quyền)")
    <RequirementKind.CONDITIONAL: 'conditional'>
    """
    texts = [_normal(t) for t in (name, notes) if t and t.strip()]
    clauses = [c for t in texts for c in _clauses(t)]
    if any(_opens_with(c, _OPTIONAL) for c in clauses) or any(w in t for t in texts for w in _OPTIONAL[:3]):
        return RequirementKind.OPTIONAL
    if any(_opens_with(c, _CONDITIONAL) for c in clauses) or any(w in t for t in texts for w in _ANYWHERE_CONDITIONAL):
        return RequirementKind.CONDITIONAL
    return RequirementKind.REQUIRED
