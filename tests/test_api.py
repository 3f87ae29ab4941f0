"""The Referential object: typed look-ups, traversal, search, queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from refsi_graph.api import (
    Activity,
    Actor,
    MacroProcess,
    Process,
    Referential,
    UnknownConceptError,
)
from refsi_graph.engines import QueryTimeoutError
from refsi_graph.errors import InputError, UsageError
from refsi_graph.paths import ontology_file
from refsi_graph.queries import QuerySyntaxError

RSSI = "https://w3id.org/refsi/id/acteur/rssi"


@pytest.fixture(scope="module")
def ref() -> Referential:
    return Referential.load()


def test_counts(ref: Referential) -> None:
    assert len(ref.macro_processes()) == 9
    assert len(ref.processes()) == 32
    assert len(ref.activities()) == 86
    assert len(ref.actors()) == 39
    assert len(ref.glossary()) == 24
    assert {a.category for a in ref.actors()} == {
        "MetierSI",
        "RoleSI",
        "ProfilUtilisateur",
    }
    assert sum(a.category == "MetierSI" for a in ref.actors()) == 13


def test_typed_objects(ref: Referential) -> None:
    actor = ref.actor(RSSI)
    assert isinstance(actor, Actor)
    assert actor.notation == "2.1"
    assert actor.label == "Responsable de la sécurité des systèmes d'information"
    assert actor.label_en == "Chief information security officer"
    assert "RSSI" in actor.alt_labels
    activity = ref.activity("3.2.4")
    assert isinstance(activity, Activity)
    assert activity.process == "https://w3id.org/refsi/id/processus/3.2"
    assert [ref.get(i).notation for i in activity.actors] == ["2.4", "3.1", "3.2"]
    assert not activity.all_actors
    process = ref.process("3.2")
    assert isinstance(process, Process)
    assert process.activities[-1].endswith("/3.2.13")  # by number, not as text
    assert isinstance(ref.macro_process("3"), MacroProcess)


@pytest.mark.parametrize(
    "key",
    [
        RSSI,
        f"<{RSSI}>",
        "2.1",
        "RSSI",
        "rssi",
        "CISO",
        "Responsable de la sécurité des systèmes d'information",
        "responsable de la securite des systemes d'information",
        "  RESPONSABLE   DE LA SÉCURITÉ des systèmes d'information ",
    ],
)
def test_actor_by_any_name(ref: Referential, key: str) -> None:
    assert ref.actor(key).iri == RSSI


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("Expert cyber sécurité", "expert-cybersecurite"),
        ("expert en cybersecurite", "expert-cybersecurite"),
        ("DPD", "dpd"),
        ("dpo", "dpd"),
        ("Délégué à la protection des données", "dpd"),
        ("Cadres", "cadre"),
        ("chef de projet informatique", "chef-de-projet-informatique"),
    ],
)
def test_actor_variants(ref: Referential, key: str, slug: str) -> None:
    actor = ref.actor(key)
    assert actor.iri.endswith(f"/acteur/{slug}"), actor.iri


def test_same_notation_different_kinds(ref: Referential) -> None:
    assert ref.process("2.1").iri.endswith("/processus/2.1")
    assert ref.actor("2.1").iri == RSSI
    assert {c.kind for c in ref.find("2.1")} == {"process", "actor"}


def test_unknown_actor_suggests(ref: Referential) -> None:
    with pytest.raises(
        UnknownConceptError,
        match=r"unknown actor 'RSSSI'; closest actors: "
        r"\"Responsable de la sécurité des systèmes d'information\"",
    ):
        ref.actor("RSSSI")
    with pytest.raises(
        UsageError,
        match=r"unknown activity '3\.2\.99'; closest activities: \"3\.2\.9 ",
    ):
        ref.activity("3.2.99")


def test_an_iri_of_another_kind_is_refused(ref: Referential) -> None:
    with pytest.raises(UnknownConceptError, match="unknown activity 'https://"):
        ref.activity(RSSI)


def test_activity_by_label_ignores_case_and_accents(ref: Referential) -> None:
    label = ref.activity("3.2.4").label
    folded = label.upper().replace("É", "E")
    assert ref.activity(folded).notation == "3.2.4"


def test_hierarchy_traversal(ref: Referential) -> None:
    activity = ref.activity("3.2.4")
    process = ref.parent(activity)
    assert process is not None and process.notation == "3.2"
    macro = ref.parent(process)
    assert macro is not None and macro.notation == "3"
    assert ref.parent(macro) is None
    assert [c.notation for c in ref.children(macro)] == ["3.1", "3.2", "3.3"]
    assert len(ref.activities_of(macro)) == 20


def test_walk_is_the_outline_query(ref: Referential) -> None:
    walked = [(depth, c.notation, c.label) for depth, c in ref.walk()]
    rows = ref.query("hierarchy_outline").values()
    assert walked == [
        (depth, notation, label) for notation, depth, _, _, label, _ in rows
    ]


def test_activities_of_an_actor_match_the_query(ref: Referential) -> None:
    for actor in ref.actors():
        by_api = [a.iri for a in ref.activities_of(actor)]
        by_query = ref.query("activities_of_actor", actor=actor.iri).column("activity")
        assert by_api == by_query, actor.label


def test_actors_of(ref: Referential) -> None:
    assert [a.notation for a in ref.actors_of(ref.activity("3.2.4"))] == [
        "2.4",
        "3.1",
        "3.2",
    ]
    everyone = next(a for a in ref.activities() if a.all_actors)
    assert len(ref.actors_of(everyone)) == 39
    assert (
        len(ref.actors_of(ref.macro_process(ref.parent(ref.parent(everyone)).iri)))
        == 39
    )


def test_search_ignores_case_and_accents(ref: Referential) -> None:
    found = ref.search("SECURITE")
    assert ref.macro_process("5") in found
    assert ref.actor("RSSI") in found
    assert found == ref.search("sécurité")
    assert ref.search("oeuvre") and ref.search("oeuvre") == ref.search("œuvre")


@pytest.mark.parametrize("text", ["securite", "oeuvre", "projet", "DPO", "transfert"])
def test_search_agrees_with_the_label_search_query(ref: Referential, text: str) -> None:
    by_api = sorted(c.iri for c in ref.search(text))
    by_query = sorted(
        str(i) for i in ref.query("label_search", text=text).column("concept")
    )
    assert by_api == by_query


def test_empty_search(ref: Referential) -> None:
    with pytest.raises(UsageError, match="the search text is empty"):
        ref.search("  ")


def test_query_forms(ref: Referential, tmp_path: Path) -> None:
    by_kwargs = ref.query("actors_of_activity", activity="3.2.4")
    by_mapping = ref.query("actors_of_activity", {"activity": "3.2.4"})
    assert by_kwargs.rows == by_mapping.rows
    path = tmp_path / "mine.rq"
    path.write_text(
        "SELECT ?n WHERE { ?a <http://www.w3.org/2004/02/skos/core#notation>"
        " ?n FILTER (?n = '3.2.4') }\n",
        encoding="utf-8",
    )
    assert ref.query(str(path)).values() == [("3.2.4",)]
    assert ref.query(path.read_text()).values() == [("3.2.4",)]
    assert by_kwargs.dicts()[0]["label"] == "Chef de projet informatique"


def test_unknown_query(ref: Referential) -> None:
    with pytest.raises(UsageError, match="unknown query 'nope'"):
        ref.query("nope")


def test_rdflib_referential_is_the_same() -> None:
    a = Referential.load()
    b = Referential.load(ontology_file(), engine="rdflib")
    assert [c for _, c in a.walk()] == [c for _, c in b.walk()]
    assert a.actors() == b.actors()


# -- Regressions of the fix round ---------------------------------------------

HUGE_QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


def test_a_whole_answer_is_not_truncated(ref: Referential) -> None:
    assert ref.query("hierarchy_outline").truncated is None


def test_max_rows_is_told_on_the_result(ref: Referential) -> None:
    result = ref.query(HUGE_QUERY, max_rows=5)
    assert len(result) == 5
    assert result.truncated == (
        "oxigraph: stopped reading the results at 5 rows, the row limit "
        "(max_rows, --max-rows); the query has more"
    )
    assert result.select("a").truncated == result.truncated
    assert ref.query("hierarchy_outline", max_rows=127).truncated is None


def test_an_endpoint_that_cuts_is_told_on_the_result(live_server: str) -> None:
    endpoint = live_server + "/sparql"
    with Referential.load(endpoint) as remote:
        result = remote.query(HUGE_QUERY)
        assert len(result) == 50
        assert result.truncated is not None
        assert result.truncated.startswith(f"the endpoint {endpoint} cut the results")
        # The names cannot be looked up in a cut list of labels.
        with pytest.raises(InputError, match="it needs the whole answer"):
            remote.actor("RSSI")


def test_a_timeout_stops_an_api_query() -> None:
    with Referential.load(timeout=1) as limited:
        assert limited.actor("RSSI").notation == "2.1"  # looked up in the child
        with pytest.raises(QueryTimeoutError, match="ran longer than 1 s"):
            limited.query(HUGE_QUERY)
        # A new child takes the next query.
        assert len(limited.query("actors_of_activity", activity="3.2.4")) == 3


@pytest.mark.parametrize("text", ["", "   ", "# nothing\n"])
def test_an_empty_query(ref: Referential, text: str) -> None:
    with pytest.raises(QuerySyntaxError, match="the query is empty"):
        ref.query(text)


def test_unknown_names_have_one_wording(ref: Referential) -> None:
    with pytest.raises(
        UnknownConceptError,
        match=r"^unknown actor 'nobody'; no actor has a close name "
        r"\(refsi search TEXT lists names\)$",
    ):
        ref.actor("nobody")
    with pytest.raises(
        UnknownConceptError,
        match=r"^unknown activity '99\.9'; no activity has a close name",
    ):
        ref.activity("99.9")
    with pytest.raises(
        UnknownConceptError,
        match=r"^unknown process 'securite du SI'; closest processes: "
        r"'5\.1 Définition de la sécurité du SI'",
    ):
        ref.process("securite du SI")
