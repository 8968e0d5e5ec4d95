"""Mentions by label: variants that spelling allows, nothing that changes the name."""

from __future__ import annotations

import pytest

from ingest.curation import Entity
from ingest.mentions import Matcher, co_mentions, find_definitions, find_mentions
from ingest.model import Document


def entity(id_: str, type_: str, label: str, *alts: str, case_sensitive: bool = False) -> Entity:
    return Entity(id_, type_, label, list(alts), None, [], False, case_sensitive, None, [])


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(
        {
            e.id: e
            for e in [
                entity("hitl", "Company", "Humans in the Loop", case_sensitive=True),
                entity("amazon", "Company", "Amazon"),
                entity(
                    "amt", "PlatformCompany", "Amazon Mechanical Turk", "MTurk", "Mechanical Turk"
                ),
                entity("turk", "Artefact", "The Turk", "Mechanical Turk"),
                entity("kempelen", "Person", "Wolfgang von Kempelen", "Kempelen"),
                entity("deep-labour", "Concept", "deep labour"),
                entity("inland", "Concept", "inland-sourcing"),
                entity("platformisation", "Concept", "platformisation"),
                entity("dlb", "Concept", "data labelling base", "DLB"),
                entity("sama", "BPO", "Sama", "Samasource"),
                entity("sourcing", "Concept", "sourcing"),
            ]
        }
    )


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], "|".join(sorted(ids))) for s, e, _, ids in matcher.find(text)]


def test_company_named_like_a_phrase_matches_only_as_a_name(matcher: Matcher) -> None:
    assert found(matcher, "keeping humans in the loop of AI") == []
    assert found(matcher, "the firm Humans in the Loop trains refugees") == [
        ("Humans in the Loop", "hitl")
    ]


def test_spelling_variants_plurals_hyphens_and_case_of_terms(matcher: Matcher) -> None:
    text = "Deep labor, deep-labour; inland sourcing. Platformization of data labelling bases"
    assert found(matcher, text) == [
        ("Deep labor", "deep-labour"),
        ("deep-labour", "deep-labour"),
        ("inland sourcing", "inland"),
        ("Platformization", "platformisation"),
        ("data labelling bases", "dlb"),
    ]


def test_acronyms_and_names_keep_their_case(matcher: Matcher) -> None:
    assert found(matcher, "two DLBs; dlb; Samasource’s staff; sama") == [
        ("DLBs", "dlb"),
        ("Samasource", "sama"),
    ]


def test_the_longest_label_wins_and_parts_of_hyphenated_words_do_not_match(
    matcher: Matcher,
) -> None:
    assert found(matcher, "Amazon Mechanical Turk (MTurk) and Amazon") == [
        ("Amazon Mechanical Turk", "amt"),
        ("MTurk", "amt"),
        ("Amazon", "amazon"),
    ]
    assert found(matcher, "inland-sourcing is not sourcing-led") == [("inland-sourcing", "inland")]


class _Doc(Document):
    pass


def test_a_shared_label_counts_only_where_one_owner_is_named_unambiguously(
    matcher: Matcher,
) -> None:
    from ingest.model import Block, Kind
    from ingest.textspan import Span

    def doc(*texts: str) -> Document:
        d = Document("x", "x.txt", "plain", "\n".join(texts))
        start = 0
        for t in texts:
            d.blocks.append(Block(Kind.PARAGRAPH, Span.raw(t, start), (1, 1)))
            start += len(t) + 1
        d.finish()
        return d

    d = doc(
        "Kempelen built the Mechanical Turk in 1770.",
        "Amazon named its platform Mechanical Turk; MTurk pays little.",
        "The Mechanical Turk is a metaphor.",
    )
    near = {"turk": {"kempelen"}, "kempelen": {"turk"}}
    got = {(m.block.order, m.entity, m.count) for m in find_mentions([d], matcher, near)}
    assert got == {
        (1, "kempelen", 1),
        (1, "turk", 1),  # its inventor is named in the passage
        (2, "amazon", 1),
        (2, "amt", 2),  # "MTurk" names the platform unambiguously
        (3, "amt", 1),  # only the platform is named unambiguously elsewhere in the work
    }
    pairs = co_mentions(find_mentions([d], matcher, near))
    assert pairs[("amazon", "amt")] == 1 and pairs[("kempelen", "turk")] == 1
    # without a neighbour to tell them apart, the shared label in passage 1 goes to neither
    plain = {(m.block.order, m.entity) for m in find_mentions([d], matcher)}
    assert (1, "turk") not in plain and (1, "amt") in plain


def test_definition_patterns_find_the_term_and_its_sentence() -> None:
    from ingest.model import Block, Kind
    from ingest.textspan import Span

    text = (
        "Intro sentence. In a process we call ‘inland-sourcing’, firms channel tasks inland. "
        "The concept of data colonialism helps. ‘Heteromation’ refers to a new division of labour."
    )
    d = Document("x", "x.txt", "plain", text)
    d.blocks.append(Block(Kind.PARAGRAPH, Span.raw(text, 0), (1, 1)))
    d.finish()
    got = {(f.term, f.pattern, text[f.start : f.end]) for f in find_definitions([d])}
    unquoted = "data colonialism helps"  # up to four words; the known label is matched in them
    assert (
        "inland-sourcing",
        "what we call X",
        "In a process we call ‘inland-sourcing’, firms channel tasks inland.",
    ) in got
    assert (unquoted, "the concept of X", "The concept of data colonialism helps.") in got
    assert (
        "Heteromation",
        "X refers to",
        "‘Heteromation’ refers to a new division of labour.",
    ) in got


def test_everyday_words_do_not_stand_for_names() -> None:
    m = Matcher(
        {
            e.id: e
            for e in [
                entity("indeed", "Company", "Indeed", case_sensitive=True),
                entity("giants", "Company", "Chinese tech giants", "tech giants"),
                entity("blocks", "WorkPractice", "Flex blocks", "blocks", "offers"),
                entity("automation", "Concept", "automation"),
            ]
        },
        common_words=frozenset({"indeed", "blocks", "offers"}),
    )
    text = (
        "Indeed, automation spread. Reviews on Indeed praise it. US tech giants and "
        "Chinese tech giants compete. Drivers pick blocks and offers; Flex blocks vanish."
    )
    assert found(m, text) == [
        ("automation", "automation"),
        ("Indeed", "indeed"),
        ("Chinese tech giants", "giants"),
        ("Flex blocks", "blocks"),
    ]


def test_an_entity_can_opt_out_of_automatic_mentions() -> None:
    e = entity("the-global", "Concept", "the global", "global market")
    e.match = False
    assert Matcher({"the-global": e}).find("the global market of the global") == []
