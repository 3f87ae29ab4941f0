"""The importer on the real publication: counts, and each quirk of the source."""

from __future__ import annotations

import pytest

from refsi_graph.loader import Framework, slugify


def by_notation(framework: Framework, notation: str):  # type: ignore[no-untyped-def]
    for item in [*framework.processes(), *framework.activities()]:
        if item.notation == notation:
            return item
    raise KeyError(notation)


def slugs(framework: Framework, notation: str) -> list[str]:
    return [a.slug for a in by_notation(framework, notation).actors]


def test_declared_totals(framework: Framework) -> None:
    assert framework.declared == (11, 35, 97)


def test_totals_present(framework: Framework) -> None:
    assert len(framework.macro_processes) == 9
    assert len(framework.processes()) == 32
    assert len(framework.activities()) == 86
    assert len(framework.actors) == 39
    assert len(framework.glossary) == 24


# Counted by hand from the table of section 1.4.
PER_MACRO = {
    "1": (3, 10),
    "2": (6, 10),
    "3": (3, 20),
    "4": (6, 14),
    "5": (4, 7),
    "6": (1, 4),
    "7": (3, 4),
    "8": (5, 13),
    "9": (1, 4),
}


@pytest.mark.parametrize("notation", sorted(PER_MACRO), ids=lambda n: f"macro-{n}")
def test_counts_per_macro_process(framework: Framework, notation: str) -> None:
    macro = next(m for m in framework.macro_processes if m.notation == notation)
    processes = len(macro.processes)
    activities = sum(len(p.activities) for p in macro.processes)
    assert (processes, activities) == PER_MACRO[notation]


# Activities of a few actors, read off the source table by hand; 7.3.1 is the
# "Tous les métiers" row.
HAND_COUNTED = {
    "dpd": ["3.2.13", "6.1.1", "6.1.2", "6.1.3", "6.1.4", "7.3.1"],
    "formateur": ["7.3.1"],
    "gestionnaire-parc-logiciels": ["7.3.1", "8.2.1", "8.2.2", "8.2.3"],
    "cadre": ["5.4.1", "7.2.1", "7.3.1"],
    "auditeur-ssi": ["4.6.1", "5.1.3", "5.2.1", "7.3.1", "8.4.2", "9.1.2"],
    "directeur-numerique": ["1.1.2", "1.3.5", "2.2.1", "7.3.1"],
}


@pytest.mark.parametrize("slug", sorted(HAND_COUNTED))
def test_activities_of_actor(framework: Framework, slug: str) -> None:
    found = sorted(
        a.notation for a in framework.activities() if slug in [x.slug for x in a.actors]
    )
    assert found == HAND_COUNTED[slug]


def test_actor_categories(framework: Framework) -> None:
    categories = [a.category for a in framework.actors]
    assert categories.count("MetierSI") == 13
    assert categories.count("RoleSI") == 15
    assert categories.count("ProfilUtilisateur") == 11


def test_continuation_row_across_repeated_header(framework: Framework) -> None:
    # After the page break in macro-process 2 the row has no Processus cell:
    # it belongs to "Urbanisation", named above the repeated header.
    activity = by_notation(framework, "2.3.3")
    assert activity.label.startswith("Contrôle de la cohérence globale")
    assert by_notation(framework, "2.3").label == "Urbanisation"


def test_header_row_then_repeated_header(framework: Framework) -> None:
    # Macro-process 7 opens with a header row, then its title again.
    assert by_notation(framework, "7.1").label.startswith("Utilisation des outils")


def test_glossary_marks_stripped_and_linked(framework: Framework) -> None:
    cnil = by_notation(framework, "3.2.13")
    assert cnil.label == "Réalisation de la déclaration CNIL"
    assert [t.slug for t in cnil.mentions] == ["cnil"]
    transfer = by_notation(framework, "3.3.2")
    assert "<u>" not in transfer.label
    assert [t.slug for t in transfer.mentions] == ["transfert", "mco"]
    assert [t.slug for t in by_notation(framework, "4.2").mentions] == ["utilisateur"]


def test_marked_actor_names_resolve(framework: Framework) -> None:
    assert slugs(framework, "3.2.13") == [
        "chef-de-projet-informatique",
        "chef-de-projet-metier",
        "medecin-dim",
        "dpd",
    ]


@pytest.mark.parametrize(
    ("notation", "slug", "spelling"),
    [
        ("3.2.5", "expert-cybersecurite", "Expert cyber sécurité"),
        ("7.2.1", "chef-de-projet-informatique", "chef de projet informatique"),
        ("8.4.1", "expert-technique", "Expert technique (réseau, système, BDD,...)"),
        ("5.4.1", "cadre", "Cadres"),
        ("6.1.1", "dpd", "Délégué à la protection des données"),
        (
            "1.1.3",
            "responsable-si-eco-responsable",
            "Responsable de SI éco-responsable",
        ),
        ("4.5.1", "analyste-donnees", "Analyste / scientifique des données"),
    ],
    ids=[
        "cyber-sécurité",
        "lower-case",
        "BDD-comma",
        "plural",
        "full-name",
        "de-SI",
        "short-analyst",
    ],
)
def test_variant_spellings(
    framework: Framework, notation: str, slug: str, spelling: str
) -> None:
    activity = by_notation(framework, notation)
    assert (slug, spelling) in [(a.slug, s) for a, s in activity.spellings]


def test_slash_inside_a_name(framework: Framework) -> None:
    assert slugs(framework, "3.2.6") == ["integrateur-applications"]


def test_slash_joining_two_actors(framework: Framework) -> None:
    assert slugs(framework, "4.6.1") == [
        "rssi",
        "expert-cybersecurite",
        "auditeur-ssi",
        "exploitant-informatique",
        "referent-metier",
    ]


def test_same_actor_twice_counted_once(framework: Framework) -> None:
    names = slugs(framework, "7.2.1")
    assert names.count("expert-technique") == 1
    assert len(names) == len(set(names)) == 24


def test_all_actors_row(framework: Framework) -> None:
    activity = by_notation(framework, "7.3.1")
    assert activity.all_actors
    assert len(activity.actors) == 39
    assert sum(a.all_actors for a in framework.activities()) == 1


def test_completed_titles(framework: Framework) -> None:
    assert "rssi" in framework.completed_titles
    assert framework.completed_titles["rssi"].title == "RSSI : Responsable de la..."
    # Titles shown whole in the table of contents are not marked completed.
    assert "formateur" not in framework.completed_titles
    assert "expert-cybersecurite" not in framework.completed_titles


def test_issued_date(framework: Framework) -> None:
    assert framework.issued == "2020-01-20"


def test_slugify_is_ascii() -> None:
    assert slugify("Élaboration d'un « test » œuvre") == "elaboration-d-un-test-oeuvre"
