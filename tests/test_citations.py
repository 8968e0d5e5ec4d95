"""Tests for ingest.citations, written from the paragraphs and notes of the corpus.

Paragraph strings are copied from the files; 003's hard-wrapped lines are joined
the way the print reader joins them (``Bergvall- Kåreborn`` -> ``Bergvall-Kåreborn``,
``137– 138`` -> ``137–138``, ``( Jones`` -> ``(Jones``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.citations import (
    Citation,
    NoteCitation,
    find_citations,
    match_reference,
    parse_note_citation,
    resolve_short_notes,
    same_name,
    split_notes,
)
from ingest.references import Reference, is_reference_start, parse_reference

CORPUS = Path(__file__).parent.parent / "corpus"


def corpus_lines(prefix: str) -> list[str]:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").split("\n")


def refs_000() -> list[Reference]:
    entries: list[str] = []
    for line in corpus_lines("000")[246:303]:
        if line.startswith("- "):
            entries.append(line)
        elif line.strip():
            entries[-1] += " " + line.strip()
    return [parse_reference(e) for e in entries]


def refs_001() -> list[Reference]:
    entries: list[str] = []
    for line in corpus_lines("001")[196:274]:
        if line.startswith("- ") and is_reference_start(line):
            entries.append(line)
        elif line.strip():
            entries[-1] += " " + line.strip().removeprefix("- ")
    return [parse_reference(e) for e in entries]


def one(text: str) -> Citation:
    found = find_citations(text)
    assert len(found) == 1, found
    return found[0]


def shape(c: Citation) -> tuple[list[str], bool, str, str, str | None, bool]:
    return c.authors, c.et_al, c.year, c.year_suffix, c.locator, c.narrative


def cited(refs: list[Reference], i: int | None) -> str | None:
    return None if i is None else f"{refs[i].authors[0]} {refs[i].year}{refs[i].year_suffix}"


# --- the forms of in-text citation ---------------------------------------------------------


def test_parenthetical_with_comma() -> None:
    text = (
        "with limited employment protections and strict systems of discipline and "
        "surveillance (Gray and Suri, 2019)."
    )
    c = one(text)
    assert shape(c) == (["Gray", "Suri"], False, "2019", "", None, False)
    assert c.text == "Gray and Suri, 2019"
    assert text[c.start : c.end] == c.text


def test_group_gives_each_item_its_own_span() -> None:
    text = "Eastern Europe (Miceli et al., 2020; Murgia, 2024), Latin America"
    first, second = find_citations(text)
    assert shape(first) == (["Miceli"], True, "2020", "", None, False)
    assert (first.text, first.start) == ("Miceli et al., 2020", text.index("Miceli"))
    assert shape(second) == (["Murgia"], False, "2024", "", None, False)
    assert second.text == "Murgia, 2024"


def test_same_authors_twice_in_a_group() -> None:
    text = (
        "A noticeable gap in this research is Chinese data annotation (Wu and Xia, 2023; Wu and "
        "Xia, 2025)."
    )
    a, b = find_citations(text)
    assert (a.text, a.year, b.text, b.year) == (
        "Wu and Xia, 2023",
        "2023",
        "Wu and Xia, 2025",
        "2025",
    )
    assert a.authors == b.authors == ["Wu", "Xia"]


def test_locator_after_colon() -> None:
    text = "particularly Jiang, Hu, and now Xi Jinping (Huang, 2008; Lei, 2023: 69–80)."
    huang, lei = find_citations(text)
    assert shape(huang) == (["Huang"], False, "2008", "", None, False)
    assert shape(lei) == (["Lei"], False, "2023", "", "69–80", False)
    assert lei.text == "Lei, 2023: 69–80"


def test_items_separated_by_a_comma() -> None:
    text = (
        "annotated and verified by human workers (Miceli et al., 2022a; Muldoon et al., 2024a, "
        "Shestakofsky, 2024)."
    )
    found = find_citations(text)
    assert [(c.authors[0], c.year, c.year_suffix) for c in found] == [
        ("Miceli", "2022", "a"),
        ("Muldoon", "2024", "a"),
        ("Shestakofsky", "2024", ""),
    ]


@pytest.mark.parametrize(
    ("text", "printed", "expected"),
    [
        (
            "Drawing on the case of China's medical image annotation, Hu (2023) illustrates",
            "Hu (2023)",
            (["Hu"], False, "2023", "", None, True),
        ),
        (
            "They are more commonly outsourced through what Casilli et al. (2019) call “deep "
            "labor” platforms",
            "Casilli et al. (2019)",
            (["Casilli"], True, "2019", "", None, True),
        ),
        (
            "For Ong (1999, 217), graduated sovereignty describes a situation",
            "Ong (1999, 217)",
            (["Ong"], False, "1999", "", "217", True),
        ),
        (
            "which Rani and Kumar Dhir (2024) call 'deceptive AI'.",
            "Rani and Kumar Dhir (2024)",
            (["Rani", "Kumar Dhir"], False, "2024", "", None, True),
        ),
        (
            "Ekbia, Nardi, and Šabanović (2015) further stretch this idea",
            "Ekbia, Nardi, and Šabanović (2015)",
            (["Ekbia", "Nardi", "Šabanović"], False, "2015", "", None, True),
        ),
        (
            "According to Irani (2015, 225), this platform was “born out of the failures",
            "Irani (2015, 225)",
            (["Irani"], False, "2015", "", "225", True),
        ),
        (
            "elucidated in David Ricardo’s (1817) theory of comparative advantage",
            "David Ricardo’s (1817)",
            (["David Ricardo"], False, "1817", "", None, True),
        ),
    ],
)
def test_narrative(
    text: str, printed: str, expected: tuple[list[str], bool, str, str, str | None, bool]
) -> None:
    c = one(text)
    assert c.text == printed
    assert text[c.start : c.end] == printed
    assert shape(c) == expected


def test_narrative_with_two_years() -> None:
    text = "Schmidt (2019, 2022) notes a shift from 'general-purpose' to 'specialised"
    first, second = find_citations(text)
    assert shape(first) == (["Schmidt"], False, "2019", "", None, True)
    assert shape(second) == (["Schmidt"], False, "2022", "", None, True)
    assert (first.text, second.text) == ("Schmidt (2019", "2022")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # Chicago author-date: no comma before the year
            "accessible to a multitude the inspection of a small number” (Foucault 1977, 216).",
            [(["Foucault"], False, "1977", "", "216", False)],
        ),
        (
            "by classifying and annotating images and videos (Anwar and Graham 2020). By 2017,",
            [(["Anwar", "Graham"], False, "2020", "", None, False)],
        ),
        (
            "with many major celebrities losing a large proportion of their followers (Leaver, "
            "Highfield, and Abidin 2020, 137–138). A recent",
            [(["Leaver", "Highfield", "Abidin"], False, "2020", "", "137–138", False)],
        ),
        (
            "partly by logging on as a crowdworker myself (Schmidt 2016, 2019). From the photos",
            [
                (["Schmidt"], False, "2016", "", None, False),
                (["Schmidt"], False, "2019", "", None, False),
            ],
        ),
        (
            "without direct contact between their clients and the crowdworkers (see also Tubaro "
            "and Casilli 2019).",
            [(["Tubaro", "Casilli"], False, "2019", "", None, False)],
        ),
        (
            "on some the workforce is nearly 75 percent Venezuelan (Schmidt 2019; see also "
            "chapter 8 in this volume).",
            [(["Schmidt"], False, "2019", "", None, False)],
        ),
        (
            "Beyond journalists’ reports (e.g., Clark 2015; Confessore et al. 2018), however,",
            [
                (["Clark"], False, "2015", "", None, False),
                (["Confessore"], True, "2018", "", None, False),
            ],
        ),
        (
            "to train Amazon’s speech recognition systems (Day, Turner, and Drozdiak 2019).",
            [(["Day", "Turner", "Drozdiak"], False, "2019", "", None, False)],
        ),
        (
            "and caloric value estimated in kcal (Rocha n.d.).",
            [(["Rocha"], False, "n.d.", "", None, False)],
        ),
        (
            "that now define the global economy (Hockenberry 2021). Indeed,",
            [(["Hockenberry"], False, "2021", "", None, False)],
        ),
        (
            "usually in an attempt to secure future orders (ILO 2016).",
            [(["ILO"], False, "2016", "", None, False)],
        ),
        (
            "“Top 10 Principles for Workers’ Data Privacy and Protection” (UNI Global Union 2017).",
            [(["UNI Global Union"], False, "2017", "", None, False)],
        ),
        (
            "to people’s information (European Commission 2016). They are also obliged to "
            "consult the workers (European Commission 2017).",
            [
                (["European Commission"], False, "2016", "", None, False),
                (["European Commission"], False, "2017", "", None, False),
            ],
        ),
        (
            "(ILO 1920, art. 427). It is time to recommit to that treaty",
            [(["ILO"], False, "1920", "", "art. 427", False)],
        ),
        (
            "its overall valuation (Bergvall-Kåreborn and Howcroft 2014; Srnicek 2016).",
            [
                (["Bergvall-Kåreborn", "Howcroft"], False, "2014", "", None, False),
                (["Srnicek"], False, "2016", "", None, False),
            ],
        ),
        (
            "in the eyes of some, unregulatable (Johnston and Land-Kazlauskas 2018). Indeed,",
            [(["Johnston", "Land-Kazlauskas"], False, "2018", "", None, False)],
        ),
        (
            "dictate the very trajectory of technological development (van Doorn and Badger "
            "2020). If the",
            [(["van Doorn", "Badger"], False, "2020", "", None, False)],
        ),
        (
            "the tasks they must perform (Diaz et al., 2022; Miceli et al., 2020; Muller et al., "
            "2019; Passi and Jackson, 2018; Paullada et al., 2021).",
            [
                (["Diaz"], True, "2022", "", None, False),
                (["Miceli"], True, "2020", "", None, False),
                (["Muller"], True, "2019", "", None, False),
                (["Passi", "Jackson"], False, "2018", "", None, False),
                (["Paullada"], True, "2021", "", None, False),
            ],
        ),
        (
            "(in 2021, 93 % of households had internet access in France, INSEE 2022), modern",
            [(["INSEE"], False, "2022", "", None, False)],
        ),
        (
            "fuel consumption (Jevons 1865; Illich 1973)",
            [
                (["Jevons"], False, "1865", "", None, False),
                (["Illich"], False, "1973", "", None, False),
            ],
        ),
        (
            "(Marx [1867] 1990, 270)",
            [(["Marx"], False, "1990", "", "270", False)],
        ),
        (
            "(Cummings et al. 2018, vi)",
            [(["Cummings"], True, "2018", "", "vi", False)],
        ),
        (
            "(J. Y. Chen 2020)",
            [(["Chen"], False, "2020", "", None, False)],
        ),
        (
            "(Fact.MR 2023)",
            [(["Fact.MR"], False, "2023", "", None, False)],
        ),
    ],
)
def test_forms(
    text: str, expected: list[tuple[list[str], bool, str, str, str | None, bool]]
) -> None:
    found = find_citations(text)
    assert [shape(c) for c in found] == expected
    assert all(text[c.start : c.end] == c.text for c in found)


@pytest.mark.parametrize(
    "text",
    [
        "But that is exactly what was happening there. In 2012, a foreign-owned company put a "
        "few computers into shipping containers,",
        "to its more advanced business-to-customer platform Tmall . com (in 2011).",
        "Impact of the COVID-19 Pandemic",
        "A study of data work in France (2018-19) initiated our efforts",
        "Therefore, in 2020-22 we expanded our fieldwork into Madagascar.",
        "(or what Donna Haraway [1985] might refer to as the informatics of domination)",
        "digital sweatshop labor (see Tai and Hu [2018]).",
        "(up to #123 in October 2020)",
        "We conducted a five-year multi-site ethnographic study (July 2019 to January 2024)",
        "(Otey v. CrowdFlower, class action lawsuit filed in 2012, settled in 2015)",
        "(at the end of 2020 it stood at more than a million workers)",
        "(ranging from one to six months and conducted between 2010 and 2020)",
        "which constituted only 0.02% of its exports in 2005-10.",
    ],
)
def test_not_citations(text: str) -> None:
    assert find_citations(text) == []


# --- matching against a reference list -----------------------------------------------------


def test_match_accent_insensitive_and_narrative() -> None:
    refs = refs_000()
    diaz = find_citations("(Diaz et al., 2022; Miceli et al., 2020)")[0]
    assert refs[match_reference(diaz, refs) or 0].authors[0] == "Díaz"
    assert cited(refs, match_reference(one("Drawing on this, Hu (2023) illustrates"), refs)) == (
        "Hu 2023"
    )


def test_match_year_suffix_and_second_author() -> None:
    refs = refs_000()
    text = (
        "(Miceli and Posada, 2022; Posada, 2021) (Miceli et al., 2022a) (Miceli et al., 2022b) "
        "(Muldoon et al., 2023; Muldoon et al., 2024b) (Kwet, 2019; Muldoon and Wu, 2023)"
    )
    got = [(c.text, cited(refs, match_reference(c, refs))) for c in find_citations(text)]
    assert got == [
        ("Miceli and Posada, 2022", "Miceli 2022"),
        ("Posada, 2021", "Posada 2021"),
        ("Miceli et al., 2022a", "Miceli 2022a"),
        ("Miceli et al., 2022b", "Miceli 2022b"),
        ("Muldoon et al., 2023", "Muldoon 2023"),
        ("Muldoon et al., 2024b", "Muldoon 2024b"),
        ("Kwet, 2019", "Kwet 2019"),
        ("Muldoon and Wu, 2023", "Muldoon 2023"),
    ]
    indices = [match_reference(c, refs) for c in find_citations(text)]
    assert indices[4] != indices[7]  # Muldoon et al. 2023 is not Muldoon and Wu 2023
    assert refs[indices[7] or 0].authors == ["Muldoon", "Wu"]


def test_match_without_suffix_takes_a_single_candidate_only() -> None:
    muldoon = one("(Muldoon et al., 2024)")
    assert match_reference(muldoon, refs_000()) is None  # 2024a and 2024b: no guess
    assert cited(refs_001(), match_reference(muldoon, refs_001())) == "Muldoon 2024"
    white_house = one("(White House, 2022)")
    assert match_reference(white_house, refs_000()) is None


def test_unresolved_citations_stay_unresolved() -> None:
    refs = refs_000()
    fact = one(
        "is expected to grow at a compound annual growth rate of 18% to reach over \\$13 billion "
        "by 2034 (Fact.MR 2023)."
    )
    assert match_reference(fact, refs) is None
    wu_xia = find_citations("(Wu and Xia, 2023; Wu and Xia, 2025)")
    assert cited(refs, match_reference(wu_xia[0], refs)) == "Wu 2023"
    assert match_reference(wu_xia[1], refs) is None  # the list has Xia and Wu (2025)
    weil = one("to outside contractors, suppliers, and subsidiaries (Weil 2014).")
    assert match_reference(weil, refs_001()) is None  # the list has Weil 2017


def test_match_organisation_short_name() -> None:
    refs = refs_001()
    unctad = one("only 0.02% of its exports in 2005-10 (UNCTAD 2022).")
    assert refs[match_reference(unctad, refs) or 0].authors == ["UNCTAD Statistical Service"]
    oif = one("often as a second language (OIF 2022), the African island nation")
    assert cited(refs, match_reference(oif, refs)) == "OIF 2022"


def test_same_name() -> None:
    assert same_name("Diaz", "Díaz")
    assert same_name("Dhir", "Kumar Dhir")
    assert same_name("o’mara", "O'Mara")
    assert same_name("Benjamin Bratton", "Bratton")
    assert not same_name("Wu", "Xia")
    assert not same_name("Lee", "Leeds")


def _body_citations(prefix: str, last: int) -> list[tuple[int, Citation]]:
    return [
        (no, c)
        for no, line in enumerate(corpus_lines(prefix)[:last], start=1)
        for c in find_citations(line)
    ]


def test_all_000_citations_resolve_except_the_two_known_gaps() -> None:
    refs = refs_000()
    found = _body_citations("000", 244)
    assert len(found) == 83
    unresolved = [(no, c.text) for no, c in found if match_reference(c, refs) is None]
    assert unresolved == [(21, "Fact.MR 2023"), (36, "Wu and Xia, 2025")]
    used = {match_reference(c, refs) for _, c in found}
    assert used - {None} == set(range(len(refs)))  # every entry is cited


def test_all_001_citations_resolve_except_weil() -> None:
    refs = refs_001()
    found = _body_citations("001", 194)
    assert len(found) == 59
    unresolved = [(no, c.text) for no, c in found if match_reference(c, refs) is None]
    assert unresolved == [(63, "Weil 2014")]
    used = {match_reference(c, refs) for _, c in found} - {None}
    assert {refs[i].authors[0] for i in set(range(len(refs))) - used} == {"Weil"}


def test_003_chapter_16_citations_resolve() -> None:
    refs = [
        parse_reference(e)
        for e in (
            "Aleksynska, Mariya Anastasia Bastrakova, and Natalia Kharchenko. 2018. Work on "
            "Digital Labour Platforms in Ukraine: Issues and Policy Perspectives. Geneva: "
            "International Labour Organization.",
            "ILO. 2019. Work for a Brighter Future. Geneva: International Labour Organization.",
            "King- Dejardin, Amelita. 2021. “Homeworking in the Philippines: Bad Job? Good Job.” "
            "ILO Working Paper no. 25. Geneva: International Labour Organization.",
        )
    ]
    text = (  # L15750, L15764 and L15797, as the print reader normalises them
        "via a third-party payment system (Aleksynska, Bastrakova, and Kharchenko 2018). In "
        "only verbal agreements (King-Dejardin, 2021). Workers in both countries reported their "
        "(and their clients) to respect certain minimum rights and protections” (ILO 2019, 44)."
    )
    found = find_citations(text)
    assert [c.locator for c in found] == [None, None, "44"]
    got = [cited(refs, match_reference(c, refs)) for c in found]
    assert got == ["Aleksynska 2018", "King-Dejardin 2021", "ILO 2019"]


# --- footnotes (002) -----------------------------------------------------------------------

NOTE_LINES = [11, *range(19, 32, 2), 41, 43, *range(49, 60, 2), *range(71, 78, 2)]
NOTE_LINES += [*range(83, 96, 2), *range(103, 118, 2), *range(125, 134, 2)]
NOTE_LINES += [*range(143, 150, 2), 155, 157]


def notes_002() -> list[tuple[int, str]]:
    lines = corpus_lines("002")
    return [note for no in NOTE_LINES for note in split_notes(lines[no - 1])]


def test_split_notes_handles_merged_and_latex_markers() -> None:
    lines = corpus_lines("002")
    merged = split_notes(lines[10])
    assert [n for n, _ in merged] == [1, 2]
    assert merged[0][1].startswith("Exec. Order No. 13859")
    assert merged[1][1].startswith("Mohamed Kande and Murat Sönmez")
    assert split_notes(lines[76]) == [
        (
            21,
            "Mary L. Gray and Siddharth Suri, Ghost Work: How to Stop Silicon Valley from "
            "Building a New Global Underclass (Boston: Houghton Mifflin Harcourt, 2019).",
        )
    ]
    assert [n for n, _ in notes_002()] == list(range(1, 48))


def test_full_note_book() -> None:
    (c,) = parse_note_citation(
        "¹² Mary L. Gray and Siddharth Suri, Ghost Work: How to Stop Silicon Valley from "
        "Building a New Global Underclass (Boston: Houghton Mifflin Harcourt, 2019)."
    )
    assert c.authors == ["Gray", "Suri"]
    assert c.title == "Ghost Work: How to Stop Silicon Valley from Building a New Global Underclass"
    assert (c.year, c.pages, c.short_form) == ("2019", None, False)
    assert c.container == "Houghton Mifflin Harcourt"


def test_full_note_with_several_works() -> None:
    items = parse_note_citation(
        "³ Department of Defense, Summary of the 2018 National Defense Strategy of the United "
        "States, January 2018, https://apps.dtic.mil/sti/pdfs/AD1045785.pdf; Satoru Mori, "
        '"US Technological Competition with China: the Military, Industrial and Digital Network '
        'Dimensions," Asia-Pacific Review 26, no. 1 (2019): 77-120); Graham Allison and Eric '
        'Schmidt, "Is China Beating the U.S. to AI Supremacy?," Belfer Center for Science and '
        "International Affairs, August 2020, https://www.belfercenter.org/publication/china-"
        "beating-us-ai-supremacy"
    )
    assert [c.authors for c in items] == [
        ["Department of Defense"],
        ["Mori"],
        ["Allison", "Schmidt"],
    ]
    dod, mori, allison = items
    assert (dod.title, dod.year) == (
        "Summary of the 2018 National Defense Strategy of the United States",
        "2018",
    )
    assert dod.url == "https://apps.dtic.mil/sti/pdfs/AD1045785.pdf"
    assert (mori.year, mori.pages, mori.container) == ("2019", "77-120", "Asia-Pacific Review")
    assert allison.title == "Is China Beating the U.S. to AI Supremacy?"


def test_note_pages_and_particles() -> None:
    (geller,) = parse_note_citation(
        '⁴⁴ Anja Geller, "How Comprehensive Is Chinese Data Protection Law? A Systematisation '
        'of Chinese Data Protection Law from a European Perspective," GRUR International 69, no. '
        "12 (2020): 1193, 1197, 1202."
    )
    assert (geller.year, geller.pages) == ("2020", "1193, 1197, 1202")
    zitt, _ = parse_note_citation(
        '⁵ Michael Zitt and Elise Bassecoulard, "Internationalisation in Science in the Prism '
        'of Bibliometric Indicators," in Handbook of Quantitative Science and Technology '
        "Research, eds. Henk F. Moed, Wolfgang Glänzel, Ulrich Schmoch, 407-436 (Dordrecht: "
        'Springer, 2004); Pari Patel and Modesto Vega, "Patterns of Internationalisation of '
        'Corporate Technology: Location vs. Home Country Advantages," Research Policy 28, no. '
        "2-3 (1999): 145-155."
    )
    assert (zitt.year, zitt.pages) == ("2004", "407-436")
    assert zitt.container == "Handbook of Quantitative Science and Technology Research"
    (dernis,) = parse_note_citation(notes_002()[6][1])
    assert dernis.authors[-2:] == ["van Beuzekom", "Vezzani"]
    assert dernis.year == "2019"


@pytest.mark.parametrize(
    ("text", "authors", "et_al", "title", "pages"),
    [
        (
            '¹⁸ Wang et al., "Crowdsourcing in China: Exploring the Work Experiences of Solo '
            'Crowdworkers and Crowdfarm Workers," 6-7.',
            ["Wang"],
            True,
            "Crowdsourcing in China: Exploring the Work Experiences of Solo Crowdworkers and "
            "Crowdfarm Workers",
            "6-7",
        ),
        (
            '²⁹ Kevin Lin, "Tech Worker Organizing in China," 58.',
            ["Lin"],
            False,
            "Tech Worker Organizing in China",
            "58",
        ),
        (
            '³⁶ Belton, "How Does It Feel to Be Watched at Work All the Time?"',
            ["Belton"],
            False,
            "How Does It Feel to Be Watched at Work All the Time?",
            None,
        ),
        (
            "⁴⁵ See Huang and Sharif, \"From 'Labour Dividend' to 'Robot Dividend.\"",
            ["Huang", "Sharif"],
            False,
            "From 'Labour Dividend' to 'Robot Dividend",
            None,
        ),
    ],
)
def test_short_notes(
    text: str, authors: list[str], et_al: bool, title: str, pages: str | None
) -> None:
    (c,) = parse_note_citation(text)
    assert (c.authors, c.et_al, c.title, c.pages) == (authors, et_al, title, pages)
    assert c.short_form
    assert c.year is None


def test_prose_notes() -> None:
    notes = dict(notes_002())
    (ibm,) = parse_note_citation(notes[13])
    assert (ibm.authors, ibm.title, ibm.container) == ([], "What is Computer Vision?", "IBM")
    assert parse_note_citation(notes[26]) == []


def test_resolve_short_notes_in_002() -> None:
    notes = notes_002()
    parsed = [parse_note_citation(text) for _, text in notes]
    resolved = resolve_short_notes(parsed)
    links: dict[int, tuple[int, str]] = {}
    for (number, _), items in zip(notes, resolved, strict=True):
        for c in items:
            if c.short_form:
                assert c.antecedent is not None, (number, c.text)
                i, j = c.antecedent
                links[number] = (notes[i][0], resolved[i][j].text[:20])
    assert links == {
        18: (16, "Yihong Wang et al., "),
        29: (25, 'Kevin Lin, "Tech Wor'),
        36: (33, 'Padraig Belton, "How'),
        45: (11, "Yu Huang and Naubaha"),
    }
    assert parsed[0][0].antecedent is None  # the input is not changed


def test_resolve_short_notes_needs_an_earlier_full_note() -> None:
    short = NoteCitation(
        'Belton, "How Does It Feel"', ["Belton"], False, "How Does It Feel", None, None, True
    )
    other = NoteCitation("x", ["Belton"], False, "Something Else", "2019", None, False)
    assert resolve_short_notes([[short], [other]])[0][0].antecedent is None
    assert resolve_short_notes([[other], [short]])[1][0].antecedent is None


def test_every_note_of_002_parses() -> None:
    parsed = {number: parse_note_citation(text) for number, text in notes_002()}
    without = sorted(n for n, items in parsed.items() if not items)
    assert without == [26]  # a prose note that cites nothing
    items = [c for cs in parsed.values() for c in cs]
    assert sum(c.short_form for c in items) == 4
    full = [c for c in items if not c.short_form]
    assert all(c.title for c in full)
    assert sum(c.year is not None for c in full) == len(full) - 5
    assert all(c.url is None or " " not in c.url for c in full)
    kantei = [c.url for c in full if c.url and "kantei" in c.url]
    assert kantei == ["https://www.kantei.go.jp/jp/singi/ai_senryaku/pdf/aistratagy2019en.pdf"]
