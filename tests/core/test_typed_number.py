"""One number a person typed (a form field, ``--input age=...``): read by the file reader's rules
where they apply, refused with a reason that says how to write it where it could be read two ways."""

import pytest

from mlp_desktop.core.reading.values import could_become_number, parse_typed_number, read_typed_number


@pytest.mark.parametrize("text, value, note", [
    ("1000", 1000.0, ""),
    (" 2.5 ", 2.5, ""),  # spaces around are fine
    ("\u00a0-3\t", -3.0, ""),
    (".5", 0.5, ""),
    ("+5.", 5.0, ""),
    ("1e6", 1e6, ""),
    ("2.5E-3", 0.0025, ""),
    ("0e5", 0.0, ""),
    # thousands separators, as a file reads them: never 1.0
    ("1,000", 1000.0, "read as 1000"),
    ("-1,000", -1000.0, "read as -1000"),
    ("1,000,000", 1e6, "read as 1000000"),
    ("12,345,678.5", 12345678.5, "read as 12345678.5"),
    ("1 000 000", 1e6, "read as 1000000"),
    ("1'000", 1000.0, "read as 1000"),
    ("1_000", 1000.0, "read as 1000"),
    ("1\u202f000", 1000.0, "read as 1000"),
    # a comma that cannot group thousands is a decimal comma
    ("1,5", 1.5, "read as 1.5 (a decimal comma)"),
    ("-12,25", -12.25, "read as -12.25 (a decimal comma)"),
    ("0,125", 0.125, "read as 0.125 (a decimal comma)"),  # no thousands group starts with 0
    (",5", 0.5, "read as 0.5 (a decimal comma)"),
    ("1,5e3", 1500.0, "read as 1500 (a decimal comma)"),
])
def test_numbers_people_type(text, value, note):
    assert read_typed_number(text) == (value, note)
    assert parse_typed_number(text) == value


@pytest.mark.parametrize("text, reason", [
    ("", "Nothing was typed"),
    ("   ", "Nothing was typed"),
    ("abc", "\u201cabc\u201d is not a number."),
    ("0.0x5", "is not a number."),
    ("1_0", "is not a number."),
    ("\u0661\u0662", "is not a number."),  # Python's float() takes Arabic-Indic digits; a person's field does not
    ("1e400", "\u201c1e400\u201d is too large: the largest number that can be used is about 1.8e308."),
    ("-1e400", "too far below zero"),
    ("1,000e400", "not a number as written"),
    ("1e-400", "too close to zero"),
    ("inf", "not a number that can be used"),
    ("-Infinity", "not a number that can be used"),
    ("nan", "not a number that can be used"),
    # could be read two ways: refused, with both ways written out
    ("1234,567", "could be read two ways: write 1234567 for a whole number, or 1234.567 with a dot for decimals"),
    ("1.000,5", "mixes a dot and a comma; write it as 1000.5"),
    ("-12.345.678,25", "write it as -12345678.25"),
    ("1,00,000", "commas may only separate groups of three digits"),
    ("1,000,5", "commas may only separate groups of three digits"),
    ("1,000 000", "commas may only separate groups of three digits"),  # one kind of separator throughout
])
def test_what_is_not_a_number_is_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError) as error:
        read_typed_number(text)
    assert reason in str(error.value)
    with pytest.raises(ValueError):
        parse_typed_number(text)


def test_one_thousand_is_never_one():
    for text in ("1,000", " 1,000 ", "1,000.0", "1,000."):
        assert parse_typed_number(text) == 1000.0


@pytest.mark.parametrize("text, partial", [
    ("", True), ("-", True), ("+", True), (".", True), ("2e", True), ("2e-", True), ("1,", True),
    ("1,000,", True), ("1,000,0", True), ("1,000,00", True), ("1 000 0", True),
    ("abc", False), ("1,00,0", False), ("0.0x", False),
])
def test_numbers_being_typed(text, partial):
    assert could_become_number(text) is partial


# -- what was typed, refused keys included (a number field drops keys that cannot make a number) ---
def test_typed_text_puts_refused_keys_back_where_they_were_typed():
    from mlp_desktop.core.reading.values import TypedText

    typing = TypedText()
    # "abc" over the selected "0.01": each key is refused, the selection stays, the next key goes over it again
    assert typing.key("0.01", 0, 4, "a", refused=True) == "a"
    assert typing.key("0.01", 0, 4, "b", refused=True) == "ab"
    assert typing.key("0.01", 0, 4, "c", refused=True) == "abc"
    assert typing.text("0.01") == "abc" and typing.text("0.02") == "0.02"  # (other text: not what was typed)
    typing.clear()
    # "ten" over "1000": t refused, e taken (the field shows "e"), n refused after it
    assert typing.key("1000", 0, 4, "t", refused=True) == "t"
    assert typing.key("1000", 0, 4, "e", refused=False) == "te"
    assert typing.key("e", 1, 0, "n", refused=True) == "ten"
    assert typing.text("e") == "ten"
    typing.clear()
    # typed at the end of what the field shows
    assert typing.key("0.0", 3, 0, "x", refused=True) == "0.0x"
    assert typing.key("0.0", 3, 0, "5", refused=False) == "0.0x5"
    # a key typed elsewhere starts afresh; taken keys alone are the field's own text
    assert typing.key("0.05", 0, 0, "1", refused=False) == "10.05" and typing.text("10.05") == "10.05"
