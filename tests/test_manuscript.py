"""Reading a manuscript's pandoc citations: what ``dwkg check`` proposes, it reads back."""

from __future__ import annotations

import pytest

from service.manuscript import Cite, citations, parse_locator


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p. 217", ("page", "217")),
        ("pp. 45-46", ("page", "45–46")),
        ("45 - 46", ("page", "45–46")),
        ("para. 12", ("paragraph", "12")),
        ("n. 3", ("note", "3")),
        ("{sec. Data labelling bases}", ("section", "Data labelling bases")),
        ("chap. 3", (None, None)),
    ],
)
def test_locators_as_writers_and_pandoc_write_them(
    text: str, expected: tuple[str | None, str | None]
) -> None:
    assert parse_locator(text) == expected


@pytest.mark.parametrize(
    ("label", "value"),
    [("page", "217"), ("page", "45–46"), ("paragraph", "12"), ("note", "3"),
     ("section", "Data labelling bases")],
)  # fmt: skip
def test_a_proposed_correction_reads_back_as_itself(label: str, value: str) -> None:
    proposed = Cite("wuGlobalDataEmpires2025", label, value, 1).pandoc()
    [(_, back)] = citations(f"As they write {proposed}.", 1)
    assert (back.key, back.label, back.value) == ("wuGlobalDataEmpires2025", label, value)


def test_several_citations_in_one_bracket_and_author_in_text() -> None:
    found = [c for _, c in citations("[see @a, p. 3; @b, pp. 4-5] and @c [para. 2]", 7)]
    assert [(c.key, c.label, c.value, c.line) for c in found] == [
        ("a", "page", "3", 7), ("b", "page", "4–5", 7), ("c", "paragraph", "2", 7),
    ]  # fmt: skip
