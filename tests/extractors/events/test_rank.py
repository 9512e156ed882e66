"""The main-event score's weights come from configs/ranking.toml."""

from __future__ import annotations

from extractors.events.rank import RANKING, load_ranking


def test_ranking_weights_are_read_from_the_config_and_discounts_only_lower_a_score():
    ranking = load_ranking()
    assert ranking == RANKING
    weights = (
        ranking.position,
        ranking.title,
        ranking.salience,
        ranking.complete,
        ranking.factual,
        ranking.main_clause,
    )
    assert all(w > 0 for w in weights)
    assert abs(ranking.total - sum(weights)) < 1e-12
    for discount in (
        ranking.statement,
        ranking.generic_actor,
        ranking.background,
        ranking.preamble,
    ):
        assert 0 < discount <= 1
    assert ranking.background_days > 0
