"""The search key of a name: diacritics, case and spacing do not matter."""

import pytest

from tinhso.core.text import search_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nguyễn Văn A", "nguyen van a"),
        ("nguyen van a", "nguyen van a"),
        ("NGUYỄN VĂN A", "nguyen van a"),
        ("Đặng Thị Đào", "dang thi dao"),
        ("đinh", "dinh"),
        ("  Trần   Thị\tBình ", "tran thi binh"),
        ("Lê Hoàng Ý Nhi", "le hoang y nhi"),
        # Precomposed and decomposed forms of the same letters fold alike.
        ("Nguy\u1ec5n", "nguyen"),
        ("Nguye\u0302\u0303n", "nguyen"),
        ("Công ty TNHH Ánh Dương", "cong ty tnhh anh duong"),
        ("Ｎｇｕｙｅｎ", "nguyen"),  # full-width letters
        ("", ""),
    ],
)
def test_search_key(text, key):
    assert search_key(text) == key


def test_the_key_of_a_key_is_itself():
    assert search_key(search_key("Phạm Đức Huỳnh")) == "pham duc huynh"
