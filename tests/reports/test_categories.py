"""Categories as the alliance files them (issue 20.5): several topics per category, a
"Sonstiges" per topic that every source accepts, proposals from free text, and the
sidebar's category list that follows topics and sources and is never empty."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from reports.ingest.importers import RawTable
from reports.ingest.profiles import ProfileError, load_profile, profile_from_dict
from reports.ingest.validate import to_reports
from reports.model import vocabulary
from reports.privacy.access import Role
from reports.views.source import filter_categories

# What residents and partners write, and the category the alliance would file it under.
SENTENCES = [
    ("Im Gebüsch am Rabet liegen wieder gebrauchte Spritzen", "soziales", "spritzenfund"),
    ("Auf dem Spielplatz lag heute früh eine Kanüle im Sand", "umwelt", "spritzenfund"),
    ("Seit Tagen liegt ein Haufen Sperrmüll und alte Matratzen vor der Eisenbahnstraße 50",
     "umwelt", "illegale_muellablagerung"),
    ("Die Straßenlaterne an der Ecke ist seit Wochen kaputt, abends ist es stockdunkel",
     "bau", "defekte_beleuchtung"),
    ("Jede Nacht laute Musik und Geschrei aus dem Hinterhof", "ordnung", "ruhestoerung"),
    ("Am Spielplatz wird offen gedealt, auch tagsüber", "ordnung", "drogenhandel"),
    ("Vor dem Netto sitzt täglich eine Gruppe und trinkt Bier", "ordnung",
     "alkohol_oeffentlich"),
    ("Ratten laufen am helllichten Tag über den Gehweg bei den Mülltonnen", "umwelt",
     "rattenbefall"),
    ("Ein Mann schläft seit Tagen im Schlafsack im Hauseingang", "soziales",
     "obdachlosigkeit"),
    ("Der Gehweg hat ein tiefes Loch, man stolpert leicht", "bau", "gefahrenstelle"),
    ("Die Hauswand wurde über Nacht mit Graffiti beschmiert", "umwelt", "graffiti"),
    ("Überall Hundekot auf dem Weg zur Schule", "umwelt", "hundekot"),
    ("Taschendiebstahl in der Straßenbahn", "ordnung", "sonstiges_ordnung"),
]


@pytest.mark.parametrize("text, topic, expected", SENTENCES)
def test_moderation_proposes_the_category_a_person_would_choose(text, topic, expected):
    proposals = vocabulary().propose(text, topic)
    assert proposals[0] == expected
    assert sorted(proposals) == sorted(vocabulary().categories)  # every category choosable


def test_a_category_of_several_topics_belongs_to_each():
    vocab = vocabulary()
    assert vocab.categories["spritzenfund"].topics == ("umwelt", "soziales", "ordnung")
    for topic in ("umwelt", "soziales", "ordnung"):
        assert "spritzenfund" in [c.key for c in vocab.categories_of(topic)]
    assert "spritzenfund" not in [c.key for c in vocab.categories_of("bau")]


def test_every_topic_has_its_sonstiges():
    vocab = vocabulary()
    for topic in vocab.topics:
        assert vocab.categories[vocab.other_of(topic)].topics == (topic,)


def _rows(source: str, category: str) -> pd.DataFrame:
    profile = replace(load_profile(source), id_column=None)  # identity from the content
    date_col, category_col = profile.columns["occurred_at"], profile.columns["category"]
    cells = pd.DataFrame([{date_col: "24.11.2026 10:00", category_col: category}])
    raw = RawTable(list(cells.columns), cells, np.asarray([2]))
    frame, rejects = to_reports(raw, profile, "x.csv", "b")
    assert rejects.empty, rejects["message"].tolist()
    return frame


def test_a_partner_files_a_shared_category_under_its_own_topic():
    assert _rows("suchthilfe", "Spritzenfund")["topic"].tolist() == ["soziales"]
    assert _rows("stadtreinigung", "Spritzen")["topic"].tolist() == ["umwelt"]


def test_every_source_accepts_sonstiges_so_no_row_is_stuck_in_the_quarantine():
    """A police "Taschendiebstahl" had no category at all; now it is corrected to
    "Sonstiges" (the source's own) or to a topic's Sonstiges by its label."""
    frame = _rows("polizei", "Sonstiges")
    assert (frame["category"].tolist(), frame["topic"].tolist()) == (
        ["sonstiges_ordnung"], ["ordnung"])
    for source in ("polizei", "stadtreinigung", "fachamt", "quartiersmanagement"):
        assert _rows(source, "Sonstiges (Bau)")["category"].tolist() == ["sonstiges_bau"]


def test_a_profile_cannot_file_a_category_under_a_foreign_topic():
    with pytest.raises(ProfileError, match="gehört nicht zu diesem Thema"):
        profile_from_dict({"source": "polizei", "topics": {"graffiti": "soziales"}})


@pytest.mark.parametrize("role", list(Role))
def test_the_sidebar_categories_follow_topics_and_sources_and_are_never_empty(role):
    vocab = vocabulary()
    for topics in [(), *((t,) for t in vocab.topics), ("umwelt", "ordnung")]:
        for sources in [(), *((s,) for s in vocab.sources), ("polizei", "stadtreinigung")]:
            keys = filter_categories(topics, sources, role)
            assert keys, (topics, sources)
            assert all(set(vocab.categories[k].topics) & set(topics or vocab.topics)
                       for k in keys)
    # the case: Ordnung from the Stadtreinigung
    assert filter_categories(("ordnung",), ("stadtreinigung",), role) == ["sonstiges_ordnung"]
    assert "spritzenfund" in filter_categories(("soziales",), ("suchthilfe",), role)
    assert "spritzenfund" not in filter_categories(("soziales",), ("stadtreinigung",), role)
    police = filter_categories(("ordnung",), ("polizei",), role)
    assert {"drogenhandel", "gewaltdelikt", "sonstiges_ordnung"} <= set(police)
    assert "ruhestoerung" in police and "graffiti" not in police
    restricted = set(filter_categories((), (), role)) & vocab.restricted_categories
    assert bool(restricted) == (role in (Role.EDITOR, Role.ADMIN))
