"""Which dossier components (thành phần hồ sơ) an applicant must bring: pure rules on the text
(Django only for the lazily translated labels of `DOCUMENT_TYPES`).

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

The same text says what kind of document a component is and how many copies to bring, read by
`document_type_of` and `copies_of` on load (and corrected in the admin the same way):

- **document type**: the first of a small vocabulary of documents a citizen keeps in their
  store, named anywhere in the text — "Bản sao Giấy khai sinh" → `giay_khai_sinh`, "Giấy tờ tùy
  thân (hộ chiếu/thẻ căn cước/CCCD)" → `cccd` (an identity paper; the card comes first), "Bản sao
  hộ chiếu" → `ho_chieu`. Forms to fill in ("Tờ khai …", "Đơn …", "Phiếu …", "… đề nghị …") are
  no stored document, even when they name one ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân").
  The codes are those of `citizens.Document.document_type`.
- **copies**: the counts written before "bản" or "bộ", added up — "02 bộ bản vẽ" → 2, "01 bản
  chính và 01 bản sao" → 2; 1 when the text states none.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from tinhso.core.text import search_key


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


class DocumentKind(StrEnum):
    """The document types a component can be matched to (`citizens.Document.document_type`)."""

    CCCD = "cccd"
    GIAY_KHAI_SINH = "giay_khai_sinh"
    CHUNG_SINH = "chung_sinh"
    CU_TRU = "cu_tru"
    KET_HON = "ket_hon"
    TINH_TRANG_HON_NHAN = "tinh_trang_hon_nhan"
    HO_CHIEU = "ho_chieu"
    GIAY_PHEP_LAI_XE = "giay_phep_lai_xe"


def issues_certified_copies(procedure_name: str) -> bool:
    """The procedure certifies copies from originals ("Chứng thực bản sao từ bản chính …"):
    its result, issued electronically, is an electronic certified copy."""
    return search_key(procedure_name).startswith("chung thuc ban sao")


# The document-type vocabulary, codes and labels, in the order a citizen is offered them: the
# citizen's store (`citizenweb.forms`), the component's `document_type` choices and the loader
# all use these codes.
DOCUMENT_TYPES: list[tuple[str, Any]] = [
    (DocumentKind.CCCD.value, _("Căn cước / Căn cước công dân")),
    (DocumentKind.GIAY_KHAI_SINH.value, _("Giấy khai sinh")),
    (DocumentKind.CHUNG_SINH.value, _("Giấy chứng sinh")),
    (DocumentKind.CU_TRU.value, _("Giấy xác nhận thông tin cư trú")),
    (DocumentKind.KET_HON.value, _("Giấy chứng nhận kết hôn")),
    (DocumentKind.TINH_TRANG_HON_NHAN.value, _("Giấy xác nhận tình trạng hôn nhân")),
    (DocumentKind.HO_CHIEU.value, _("Hộ chiếu")),
    (DocumentKind.GIAY_PHEP_LAI_XE.value, _("Giấy phép lái xe")),
]

# What names each kind, in the folded text (no diacritics, lower case); the earliest in the text wins.
_KIND_PATTERNS: dict[DocumentKind, re.Pattern[str]] = {
    DocumentKind.CCCD: re.compile(
        r"\b(cccd|can cuoc cong dan|the can cuoc|can cuoc|giay to tuy than|chung minh nhan dan|cmnd)\b"),
    DocumentKind.GIAY_KHAI_SINH: re.compile(r"\bgiay khai sinh\b"),
    DocumentKind.CHUNG_SINH: re.compile(r"\bgiay chung sinh\b"),
    DocumentKind.CU_TRU: re.compile(r"\b(xac nhan thong tin (ve )?cu tru|chung minh noi cu tru)\b"),
    DocumentKind.KET_HON: re.compile(r"\b(giay chung nhan ket hon|giay dang ky ket hon)\b"),
    DocumentKind.TINH_TRANG_HON_NHAN: re.compile(r"\bgiay xac nhan tinh trang hon nhan\b"),
    DocumentKind.HO_CHIEU: re.compile(r"\bho chieu\b"),
    DocumentKind.GIAY_PHEP_LAI_XE: re.compile(r"\bgiay phep lai xe\b"),
}
# A form the applicant fills in, not a document they keep.
_FORM = re.compile(r"^(to khai|don|phieu|mau)\b|^(giay|van ban|thong tin)?\s*de nghi\b")

_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
                 "muoi": 10}
_COPIES = re.compile(r"\b(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")\s*\(?\s*(?:ban|bo)\b")
MAX_COPIES = 20


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^\w()]+", " ", search_key(text)).split())


def document_type_of(name: str, notes: str = "") -> str:
    """The document type a component's text names (a `DocumentKind` value), or "" if none.

    >>> document_type_of("Bản sao Giấy khai sinh hợp lệ")
    'giay_khai_sinh'
    """
    text = _folded(name)
    if _FORM.search(text):
        return ""
    for source in (text, _folded(notes)):
        found = [(m.start(), kind) for kind, pattern in _KIND_PATTERNS.items() if (m := pattern.search(source))]
        if found:
            return min(found, key=lambda hit: hit[0])[1].value
    return ""


def copies_of(name: str, notes: str = "") -> int:
    """How many copies the text asks for (the counts before "bản"/"bộ" added up), 1 if it says none.

    >>> copies_of("01 bản chính và 01 bản sao Giấy khai sinh")
    2
    """
    total = 0
    for text in (name, notes):
        for match in _COPIES.finditer(_folded(text)):
            word = match.group(1)
            total += int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return min(max(total, 1), MAX_COPIES)
