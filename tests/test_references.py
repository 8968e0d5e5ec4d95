"""Tests for ingest.references, written from the reference lists in the corpus.

000 is Sage (lines 247-303), 001 Harvard (lines 197-274), 003 Chicago author-date
(ch. 11 lines 11248-11712, ch. 16 lines 15961-16003). Entries are joined the way a
reader joins them: 000/001 continuation lines are appended with a space; 003's
print lines are joined keeping a ``- `` compound hyphen and dropping a ``-`` that
breaks a word at the line end.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.references import (
    Reference,
    is_reference_start,
    parse_reference,
    repair_url,
    work_key,
)

CORPUS = Path(__file__).parent.parent / "corpus"


def corpus_lines(prefix: str) -> list[str]:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").split("\n")


def entries_000() -> list[str]:
    """52 entries on lines 247-303; line 289 continues the entry begun on 287."""
    out: list[str] = []
    for line in corpus_lines("000")[246:303]:
        if not line.strip():
            continue
        if line.startswith("- "):
            out.append(line)
        else:
            out[-1] += " " + line.strip()
    return out


def entries_001() -> list[str]:
    """Lines 197-274: continuations start with a space or are false bullets."""
    out: list[str] = []
    for line in corpus_lines("001")[196:274]:
        if not line.strip():
            continue
        if line.startswith("- ") and is_reference_start(line):
            out.append(line)
        else:
            out[-1] += " " + line.strip().removeprefix("- ")
    return out


def join_print(lines: list[str]) -> str:
    out = ""
    for i, text in enumerate(lines):
        text = text.lstrip(" ")
        if i == len(lines) - 1:
            return out + text.rstrip()
        if text.endswith("- ") and not text.endswith(" - "):
            out += text[:-1]  # a real compound: keep the hyphen
        elif text.endswith("-"):
            out += text[:-1]  # a word broken at the line end
        else:
            out += text.rstrip() + " "
    return out


def entries_003(first: int, last: int) -> list[str]:
    """Print lines ``first``-``last``; an entry ends on a line without a trailing space.

    Raw-URL lines and running heads are dropped. A line that starts lower-case
    continues the previous entry (``growing_canada_`` lost its trailing space).
    """
    out: list[str] = []
    current: list[str] = []
    for text in corpus_lines("003")[first - 1 : last]:
        if not text.strip() or re.match(r"^\s?https?://\S+$", text):
            continue
        if re.match(r"^(?:\d{1,3} .+|.+ \d{1,3})$", text):
            continue  # running head
        if not current and out and text[:1].islower():
            current = [out.pop()]
        current.append(text)
        if not text.endswith((" ", "-")):
            out.append(join_print(current))
            current = []
    return out


def by_author(refs: list[Reference], family: str, year: str | None) -> Reference:
    found = [r for r in refs if r.authors and r.authors[0] == family and r.year == year]
    assert len(found) == 1, (family, year, found)
    return found[0]


# --- Sage (000) ----------------------------------------------------------------------------


def test_sage_journal_article() -> None:
    r = parse_reference(
        "- Howcroft D and Bergvall-Kåreborn B (2019) A typology of crowdwork platforms. "
        "Work, Employment and Society 33(1): 21–38."
    )
    assert r.authors == ["Howcroft", "Bergvall-Kåreborn"]
    assert not r.et_al
    assert (r.year, r.year_suffix) == ("2019", "")
    assert r.title == "A typology of crowdwork platforms"
    assert r.container == "Work, Employment and Society"
    assert (r.volume, r.issue, r.pages) == ("33", "1", "21–38")
    assert r.kind == "article-journal"


def test_sage_et_al_report_with_broken_url() -> None:
    r = parse_reference(
        "- Berg J, Furrer M, Harmon E, et al. (2018) Digital labour platforms and the future "
        "of work: Towards decent work in the online world. Report. Geneva: ILO. Available at: "
        "http://www.ilo. org/global/publications/books/WCMS_645337/lang-en/index. htm "
        "(accessed 31 July 2024)."
    )
    assert r.authors == ["Berg", "Furrer", "Harmon"]
    assert r.et_al
    assert r.year == "2018"
    assert r.title == (
        "Digital labour platforms and the future of work: Towards decent work in the online world"
    )
    assert r.url == "http://www.ilo.org/global/publications/books/WCMS_645337/lang-en/index.htm"
    assert r.kind == "report"
    assert r.container == "ILO"


def test_sage_reader_may_strip_the_bullet() -> None:
    line = "Huang Y (2008) Capitalism with Chinese Characteristics: Entrepreneurship and the State."
    assert parse_reference(line).authors == parse_reference("- " + line).authors == ["Huang"]


def test_sage_book_with_italics() -> None:
    r = parse_reference(
        "- Gray M and Suri S (2019) *Ghost Work: How to Stop Silicon Valley* from Building a "
        "New Global Underclass. New York: Houghton Mifflin Harcourt."
    )
    assert r.authors == ["Gray", "Suri"]
    assert r.title == "Ghost Work: How to Stop Silicon Valley from Building a New Global Underclass"
    assert r.container == "Houghton Mifflin Harcourt"
    assert r.kind == "book"


def test_sage_chapter_in_edited_book() -> None:
    r = parse_reference(
        "- Hu W (2023) Machine learning in medical systems: Toward a sociological agenda. In: "
        "Schüßler U, Whittington R and Krücken G (eds) *The Oxford Handbook of the Sociology of "
        "Machine Learning*. Oxford: Oxford University Press, pp. 483–508."
    )
    assert r.authors == ["Hu"]
    assert r.title == "Machine learning in medical systems: Toward a sociological agenda"
    assert r.container == "The Oxford Handbook of the Sociology of Machine Learning"
    assert r.pages == "483–508"
    assert r.kind == "chapter"


def test_sage_accented_author_and_proceedings() -> None:
    r = parse_reference(
        "- Díaz M, Kivlichan I, Rosen R, et al. (2022) Crowdworksheets: Accounting for "
        "individual and collective identities underlying crowdsourced dataset annotation. In "
        "*Proceedings of the 2022* ACM Conference on Fairness, Accountability, and Transparency. "
        "2342–2351."
    )
    assert r.authors == ["Díaz", "Kivlichan", "Rosen"]
    assert r.et_al
    assert r.container == (
        "Proceedings of the 2022 ACM Conference on Fairness, Accountability, and Transparency"
    )
    assert r.pages == "2342–2351"
    assert r.kind == "paper-conference"
    assert work_key(r.authors, r.year, r.year_suffix, r.title) == "diaz-2022-crowdworksheets"


@pytest.mark.parametrize(
    ("line", "doi"),
    [
        (  # 000:291
            "- Posada J (2021) The coloniality of data work in Latin America. In Proceedings of "
            "the 2021 AAAI/ACM Conference on AI, Ethics, and Society, 21 July 2021, 277–278. "
            "DOI: 10.1145/ 3461702.3462471.",
            "10.1145/3461702.3462471",
        ),
        (  # 000:303
            "- Xia B and Wu T (2025) The space-time game: Workers with disabilities and mediating "
            "organizations in China's AI data labeling industry. *New Media & Society*. "
            "DOI: 10.1177/ 14614448251320114.",
            "10.1177/14614448251320114",
        ),
        (  # 000:285
            "- Passi S and Jackson SJ (2018) Trust in data science: Collaboration, translation, "
            "and accountability in corporate data science projects. In *Proceedings of ACM "
            "Human-Computer Interaction 2*, CSCW (Nov 2018), 1–28. https://doi.org/10. "
            "1145/3274405 (accessed 31 July 2024).",
            "10.1145/3274405",
        ),
    ],
)
def test_sage_broken_dois_are_repaired(line: str, doi: str) -> None:
    r = parse_reference(line)
    assert r.doi == doi
    assert r.title is not None and "DOI" not in r.title


def test_sage_doi_url_keeps_the_repaired_url() -> None:
    r = parse_reference(
        "- Passi S and Jackson SJ (2018) Trust in data science: Collaboration, translation, and "
        "accountability in corporate data science projects. In *Proceedings of ACM "
        "Human-Computer Interaction 2*, CSCW (Nov 2018), 1–28. https://doi.org/10. 1145/3274405 "
        "(accessed 31 July 2024)."
    )
    assert r.url == "https://doi.org/10.1145/3274405"
    assert r.authors == ["Passi", "Jackson"]


def test_sage_year_suffixes() -> None:
    refs = [parse_reference(e) for e in entries_000()]
    suffixed = {(r.authors[0], r.year, r.year_suffix) for r in refs if r.year_suffix}
    assert suffixed == {
        ("Miceli", "2022", "a"),
        ("Miceli", "2022", "b"),
        ("Muldoon", "2024", "a"),
        ("Muldoon", "2024", "b"),
        ("White House", "2022", "a"),
        ("White House", "2022", "b"),
    }


@pytest.mark.parametrize(
    ("line", "author"),
    [
        (
            "- Cyberspace Administration of China (2025) Generative artificial intelligence "
            "service license released. cyberspace administration of China, April 2, 2024. "
            "Available at: https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm "
            "(accessed 27 January 2025).",
            "Cyberspace Administration of China",
        ),
        (
            "- National Bureau of Statistics of China (2023) Data development and governance in "
            "the AI era. Available at: https://www. sohu.com/a/733822239_121106854 (accessed 31 "
            "July 2024).",
            "National Bureau of Statistics of China",
        ),
        (
            "- Alitech (2023) OpenAI runs out of training data for GPT-5: Running out of "
            "high-quality data and its impact. Available at: https://alitech.io/blog/openai-runs-"
            "out-of-training-data-for-gpt-5/ (accessed 25 January 2025).",
            "Alitech",
        ),
    ],
)
def test_sage_organisation_authors(line: str, author: str) -> None:
    r = parse_reference(line)
    assert r.authors == [author]
    assert r.kind == "webpage"
    assert r.url is not None and " " not in r.url


def test_sage_white_house_url_split_after_slash() -> None:
    r = parse_reference(
        "- White House (2022a) Remarks by President Biden in Meeting with CEOs and Labor Leaders "
        "on the Importance of Passing the CHIPS Act. 26 July 2022. Available at: https://www. "
        "whitehouse.gov/briefing-room/speeches-remarks/2022/07/26/ remarks-by-president-biden-"
        "in-meeting-with-ceos-and-laborleaders-on-the-importance-of-passing-the-chips-act."
    )
    assert r.authors == ["White House"]
    assert (r.year, r.year_suffix) == ("2022", "a")
    assert r.url == (
        "https://www.whitehouse.gov/briefing-room/speeches-remarks/2022/07/26/remarks-by-"
        "president-biden-in-meeting-with-ceos-and-laborleaders-on-the-importance-of-passing-"
        "the-chips-act"
    )


def test_sage_entry_split_over_two_lines() -> None:
    perrigo = [e for e in entries_000() if e.startswith("- Perrigo")]
    assert len(perrigo) == 1
    r = parse_reference(perrigo[0])
    assert r.title == (
        "Exclusive: OpenAI USed Kenyan Workers on Less Than $2 Per Hour to Make ChatGPT Less Toxic"
    )
    assert r.container == "Time Magazine"
    assert r.url == "https://time.com/6247678/openaichatgpt-kenya-workers/"


def test_sage_lower_case_title_without_venue() -> None:
    r = parse_reference(
        "- Lei YW (2023) the gilded cage: technology, development, and state capitalism in China."
    )
    assert r.authors == ["Lei"]
    assert r.title == "the gilded cage: technology, development, and state capitalism in China"
    assert r.container is None


# --- Harvard (001) -------------------------------------------------------------------------


def test_harvard_journal_article_with_doi() -> None:
    r = parse_reference(
        "- Coase, R.H., 1937. The nature of the firm. Economica, 4: 386-405, DOI: "
        "10.1111/j.1468-0335.1937.tb00002.x."
    )
    assert r.authors == ["Coase"]
    assert r.year == "1937"
    assert r.title == "The nature of the firm"
    assert r.container == "Economica"
    assert (r.volume, r.issue, r.pages) == ("4", None, "386–405")
    assert r.doi == "10.1111/j.1468-0335.1937.tb00002.x"
    assert r.kind == "article-journal"


def test_harvard_no_comma_before_year() -> None:
    r = parse_reference(
        "- Muldoon, J., Cant, C., Wu, B., and Graham, M. 2024. A typology of artificial "
        "intelligence data work. Big data & society, 11(1), DOI: 10.1177/20539517241232632"
    )
    assert r.authors == ["Muldoon", "Cant", "Wu", "Graham"]
    assert r.year == "2024"
    assert (r.container, r.volume, r.issue) == ("Big data & society", "11", "1")
    assert r.doi == "10.1177/20539517241232632"


def test_harvard_particles_and_editors() -> None:
    morgan = parse_reference(
        "- Morgan, R.A., van Zoonen, W., and ter Hoeven, C., 2023. Lost in the crowd? An "
        "investigation into where microwork is conducted and classifying worker types. "
        "European journal of industrial relations, 29(3), 301-322, DOI: 10.1177/09596801231."
    )
    assert morgan.authors == ["Morgan", "van Zoonen", "ter Hoeven"]
    assert morgan.pages == "301–322"
    eds = parse_reference(
        "- Graham, M., and Ferrari, F., eds, 2022. Digital work in the planetary market. "
        "Cambridge (MA): MIT Press."
    )
    assert eds.authors == ["Graham", "Ferrari"]
    assert eds.title == "Digital work in the planetary market"
    assert eds.container == "MIT Press"


@pytest.mark.parametrize(
    ("line", "authors", "kind"),
    [
        (
            "- Cognilytica, 2022. Data labeling market: Research snapshot Dec. 2021. Report, New "
            "York: Cognilytica.",
            ["Cognilytica"],
            "report",
        ),
        (
            "- ILO (International Labour Organization), 2021. World employment and social outlook "
            "2021: The role of digital labour platforms in transforming the world of work. "
            "Report, Geneva: ILO.",
            ["ILO"],
            "report",
        ),
        (
            "- OIF (Organisation Internationale de la Francophonie), 2022. La langue française "
            "dans le monde : 2019-2022. Paris: Gallimard.",
            ["OIF"],
            "book",
        ),
        (
            "- UNCTAD (United Nations Conference on Trade and Development) Statistical Service, "
            "2022. General Profile: Venezuela (Bolivarian Republic of). Website, URL "
            "http://unctadstat.unctad.org/countryprofile/generalprofile/en-gb/862/index.html "
            "[Accessed 13 February 2023].",
            ["UNCTAD Statistical Service"],
            "webpage",
        ),
    ],
)
def test_harvard_organisation_authors(line: str, authors: list[str], kind: str) -> None:
    r = parse_reference(line)
    assert r.authors == authors
    assert r.year == ("2021" if authors == ["ILO"] else "2022")
    assert r.title is not None and "(" not in r.authors[0]
    assert r.kind == kind


def test_harvard_contributors_in_parentheses_are_not_authors() -> None:
    r = parse_reference(
        "- Datta, N., and Chen, R. (with Singh, S., Stinshoff, C., Iacob, N., Simachew Nigatu, "
        "N., Nxumalo, M., Klimaviciute, L., et al.), 2023. Working without borders: The promise "
        "and peril of online gig work. Report, Washington, DC: World Bank."
    )
    assert r.authors == ["Datta", "Chen"]
    assert not r.et_al
    assert r.container == "World Bank"


def test_harvard_chapter_rejoined_after_false_bullet() -> None:
    johnston = [e for e in entries_001() if e.startswith("- Johnston")]
    r = parse_reference(johnston[0])
    assert r.kind == "chapter"
    assert r.container == "Digital work in the planetary market"
    assert r.pages == "157–173"
    assert r.doi == "10.7551/mitpress/13835.003.0013"


@pytest.mark.parametrize(
    "line",
    [
        "- Conference on Web Search and Data Mining, New York, NY: Association for Computing "
        "Machinery, 135-143, DOI: 10.1145/3159652.3159661.",
        "- market, Cambridge, MA: MIT Press, 157-173, DOI: 10.7551/mitpress/13835.003.0013.",
        "- European journal of industrial relations, 29(3), 301-322, DOI: 10.1177/09596801231.",
        "- Nationalökonomie und Statistik, 239(3), 565-597, DOI: 10.1515/jbnst-2018-0019.",
        " Cambridge (MA): MIT Press.",
        " Report, Geneva: ILO.",
        # 003: continuations of spaced-out URLs and of wrapped titles
        "sadvantageinartificialintelligence . html .",
        "/ jair . 1 . 11854 .",
        "Talent in the United States: Findings and Policy Options for International Graduate "
        "Student Retention. ",
    ],
)
def test_false_bullets_are_not_reference_starts(line: str) -> None:
    assert not is_reference_start(line)


@pytest.mark.parametrize(
    "line",
    [
        "- Coase, R.H., 1937. The nature of the firm. Economica, 4: 386-405, DOI: "
        "10.1111/j.1468-0335.1937.tb00002.x.",
        "- Cognilytica, 2022. Data labeling market: Research snapshot Dec. 2021. Report, New "
        "York: Cognilytica.",
        "- Muldoon, J., Cant, C., Wu, B., and Graham, M. 2024. A typology of artificial "
        "intelligence data work. Big data & society, 11(1), DOI: 10.1177/20539517241232632",
        "- White House (2022b) FACT SHEET: CHIPS and Science Act Will Lower Costs, Create Jobs, "
        "Strengthen Supply Chains, and Counter China.",
        "Coursera. n.d. “Google IT Support Professional Certificate.” Accessed September 10, 2021.",
        "Ricardo, David, 1817. On the Principles of Political Economy and Taxation. London: John "
        "Murray.",
        # 003:11572, an entry that prints no year
        "Shoham, Yoav, Raymond Perrault, Erik Brynjolfsson, Jack Clark, and Calvin LeGassick. The ",
    ],
)
def test_reference_starts(line: str) -> None:
    assert is_reference_start(line)


@pytest.mark.parametrize(("first", "last", "count"), [(11248, 11712, 69), (15961, 16003, 11)])
def test_003_lines_after_an_entry_end_start_entries(first: int, last: int, count: int) -> None:
    """A print reader asks about the line after each entry-ending line (no trailing space).

    Every such line starts an entry, including author lists whose year wraps to the
    next line (``Muller, Michael, ..., Casey``), except the URL fragment that lost its
    trailing space (L11391).
    """
    after_end: list[str] = []
    ended = True
    for ln in corpus_lines("003")[first - 1 : last]:
        if not ln.strip() or re.match(r"^https?://\S+$", ln):
            continue
        if re.match(r"^(?:\d{1,3} .+|.+ \d{1,3})$", ln):
            continue  # running head
        if ended:
            after_end.append(ln.strip())
        ended = not ln.endswith((" ", "-"))
    not_starts = [ln for ln in after_end if not is_reference_start(ln)]
    fragments = ["sadvantageinartificialintelligence . html ."] if first == 11248 else []
    assert not_starts == fragments
    assert len(after_end) - len(fragments) == count == len(entries_003(first, last))


@pytest.mark.parametrize(
    "line",
    [  # 003 first print lines whose year wraps to the next line
        "Muller, Michael, Ingrid Lange, Dakuo Wang, David Piorkowski, Jason Tsay, Q.\u00a0Vera "
        "Liao, Casey ",
        "Tuggener, Lukas, Mohammadreza Amirian, Katharina Rombach, Stefan Lörwald, Anastasia "
        "Varlet, ",
        "Vassallo, Trae, Ellen Levy, Michele Madansky, Hillary Mickell, Bennett Porter, Monica "
        "Leas, and Julie ",
    ],
)
def test_author_list_line_starts_an_entry(line: str) -> None:
    assert is_reference_start(line)


def test_001_bullets_are_46_entries_and_4_fragments() -> None:
    bullets = [ln for ln in corpus_lines("001")[196:274] if ln.startswith("- ")]
    assert len(bullets) == 50
    fragments = [ln for ln in bullets if not is_reference_start(ln)]
    assert [ln.split(",")[0] for ln in fragments] == [
        "- Conference on Web Search and Data Mining",
        "- market",
        "- European journal of industrial relations",
        "- Nationalökonomie und Statistik",
    ]


# --- Chicago author-date (003) -------------------------------------------------------------


def test_chicago_journal_article() -> None:
    r = parse_reference(
        "Berg, Janine, Miriam Cherry, and Uma Rani. 2019. “Digital Labour Platforms: A Need for "
        "International Regulation?” Revista de Economía Laboral [Spanish Journal of Labor "
        "Economics] 16 (2): 104– 128."
    )
    assert r.authors == ["Berg", "Cherry", "Rani"]
    assert r.year == "2019"
    assert r.title == "Digital Labour Platforms: A Need for International Regulation?"
    assert r.container == "Revista de Economía Laboral"
    assert (r.volume, r.issue, r.pages) == ("16", "2", "104–128")
    assert r.kind == "article-journal"


def test_chicago_organisation_and_comma_before_year() -> None:
    ilo = parse_reference(
        "ILO. 2019. Work for a Brighter Future. Geneva: International Labour Organization."
    )
    assert (ilo.authors, ilo.year, ilo.title) == (["ILO"], "2019", "Work for a Brighter Future")
    ricardo = parse_reference(
        "Ricardo, David, 1817. On the Principles of Political Economy and Taxation. London: John "
        "Murray."
    )
    assert (ricardo.authors, ricardo.year) == (["Ricardo"], "1817")
    assert ricardo.container == "John Murray"


def test_chicago_spaced_urls_are_repaired() -> None:
    refs = [parse_reference(e) for e in entries_003(15961, 16003)]
    urls = {r.authors[0] + " " + (r.year or ""): r.url for r in refs if r.url}
    assert urls == {
        "Barboza 2010": "https://www.nytimes.com/2010/07/06/technology/06iphone.html",
        "ILO 1919": (
            "https://www.ilo.org/dyn/normlex/en/f?p=1000:62:0::NO:62:P62_LIST_ENTRIE_ID:2453907:NO"
        ),
        "King-Dejardin 2021": (
            "https://www.ilo.org/global/publications/working-papers/WCMS_775013/lang--en/index.htm"
        ),
        "Tempest 1996": "https://www.latimes.com/archives/la-xpm-1996-09-22-mn-46610-story.html",
    }


def test_chicago_doi_split_over_two_lines() -> None:
    refs = [parse_reference(e) for e in entries_003(11248, 11712)]
    r = by_author(refs, "Zöller", "2021")
    assert r.authors == ["Zöller", "Huber"]
    assert r.doi == "10.1613/jair.1.11854"
    assert (r.container, r.volume, r.pages) == (
        "Journal of Artificial Intelligence Research",
        "70",
        "409–472",
    )


def test_chicago_variants() -> None:
    refs = [parse_reference(e) for e in entries_003(11248, 11712)]
    assert by_author(refs, "Marx", "1990").title == "Capital Volume I"  # (1867) 1990
    coursera = by_author(refs, "Coursera", None)  # n.d.
    assert coursera.title == "Google IT Support Professional Certificate"
    shoham = by_author(refs, "Shoham", None)  # the entry prints no year
    assert shoham.authors == ["Shoham", "Perrault", "Brynjolfsson", "Clark", "LeGassick"]
    cummings = by_author(refs, "Cummings", "2018")  # "M.\u00a0L." with a no-break space
    assert cummings.authors == ["Cummings", "Roff", "Cukier", "Parakilas", "Bryce"]
    assert by_author(refs, "Getoor", "2016").authors[2] == "de Sturler"
    assert by_author(refs, "Lee", "2018").title == (
        "AI Superpowers: China, Silicon Valley, and the New World Order"
    )
    walker = by_author(refs, "Walker", "2020")
    assert walker.url == (
        "https://blog.google/outreach-initiatives/grow-with-google/digital-jobs-program-help-"
        "americas-economic-recovery/"
    )
    finance = by_author(refs, "Finance Canada", "2017")
    assert finance.url == (
        "https://www.canada.ca/en/department-finance/news/2017/03/growing_canada_"
        "sadvantageinartificialintelligence.html"
    )


def test_chicago_missing_comma_after_given_name() -> None:
    r = parse_reference(
        "Aleksynska, Mariya Anastasia Bastrakova, and Natalia Kharchenko. 2018. Work on Digital "
        "Labour Platforms in Ukraine: Issues and Policy Perspectives. Geneva: International "
        "Labour Organization."
    )
    assert r.authors == ["Aleksynska", "Bastrakova", "Kharchenko"]


def test_chicago_reader_normalised_text() -> None:
    """The print reader may already have closed up ``King- Dejardin`` and ``ilo . org``."""
    r = parse_reference(
        "King-Dejardin, Amelita. 2021. “Homeworking in the Philippines: Bad Job? Good Job.” ILO "
        "Working Paper no. 25. Geneva: International Labour Organization. https:// www . "
        "ilo.org / global / publications / working - papers / WCMS_775013 / lang -  - en / "
        "index . htm ."
    )
    assert r.authors == ["King-Dejardin"]
    assert r.title == "Homeworking in the Philippines: Bad Job? Good Job"
    assert r.kind == "report"
    assert r.url == (
        "https://www.ilo.org/global/publications/working-papers/WCMS_775013/lang--en/index.htm"
    )


# --- repair_url and work_key ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("https:// www . x . com / a - b", "https://www.x.com/a-b"),
        (
            "https:// doi . org / 10 . 1613 / jair . 1 . 11854 .",
            "https://doi.org/10.1613/jair.1.11854",
        ),
        ("http://www.ilo. org/global/", "http://www.ilo.org/global/"),
        ("10.1177/ 14614448251320114", "10.1177/14614448251320114"),
        ("https://doi.org/10. 1145/3274405", "https://doi.org/10.1145/3274405"),
    ],
)
def test_repair_url(raw: str, fixed: str) -> None:
    assert repair_url(raw) == fixed


def test_work_key_merges_one_work_across_sources() -> None:
    def keys(entries: list[str]) -> set[str]:
        refs = [parse_reference(e) for e in entries]
        return {work_key(r.authors, r.year, r.year_suffix, r.title) for r in refs}

    keys_000, keys_001 = keys(entries_000()), keys(entries_001())
    keys_003 = keys(entries_003(11248, 11712))
    assert "gray-2019-ghost-work" in keys_000 & keys_001 & keys_003
    assert "muller-2019-data-science-workers" in keys_000 & keys_003
    # 000 calls it Muldoon et al. 2024a, 001 Muldoon et al. 2024: one work, one key.
    assert "muldoon-2024-typology-artificial-intelligence" in keys_000 & keys_001
    assert len(keys_000 & keys_001) == 8


def test_work_key_shape() -> None:
    assert work_key(["Díaz", "Kivlichan"], "2022", "", "Crowdworksheets: Accounting") == (
        "diaz-2022-crowdworksheets"
    )
    assert work_key(["Le Ludec"], "2023", "", "The problem with annotation. Human labour") == (
        "le-ludec-2023-problem-annotation"
    )
    assert work_key(["White House"], "2022", "a", None) == "white-house-2022a"
    assert work_key([], None, "", None) == "anon-nd"


# --- differential: every entry of the three lists ------------------------------------------


def test_all_000_entries() -> None:
    entries = entries_000()
    assert len(entries) == 52
    refs = [parse_reference(e) for e in entries]
    assert all(r.authors and r.year and r.title for r in refs)
    assert sum(r.et_al for r in refs) == 8
    assert sum(r.doi is not None for r in refs) == 6
    assert all(r.url is None or " " not in r.url for r in refs)


def test_all_001_entries() -> None:
    entries = entries_001()
    assert len(entries) == 46
    refs = [parse_reference(e) for e in entries]
    assert all(r.authors and r.year and r.title for r in refs)
    assert not any(r.et_al for r in refs)
    assert sum(r.doi is not None for r in refs) == 25
    assert [r.authors[0] for r in refs] == sorted(
        (r.authors[0] for r in refs), key=lambda a: a.lower().replace(" ", "")
    )


def test_all_003_entries() -> None:
    ch11 = [parse_reference(e) for e in entries_003(11248, 11712)]
    ch16 = [parse_reference(e) for e in entries_003(15961, 16003)]
    assert (len(ch11), len(ch16)) == (69, 11)
    assert all(r.authors and r.title for r in ch11 + ch16)
    undated = sorted(r.authors[0] for r in ch11 + ch16 if r.year is None)
    assert undated == ["Coursera", "Shoham", "Vassallo"]
    assert all(r.url is None or " " not in r.url for r in ch11 + ch16)
    assert sum(r.url is not None for r in ch11) == 45
