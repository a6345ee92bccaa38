"""One status palette on screen: every status chart of the Portfolio draws a status in labels.STATUS_COLOURS."""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.core.labels import STATUS_COLOURS
from ui.figures import portfolio_trend_figure, region_status_figure, status_counts_figure
from ui.formats import status_label


def _colours(fig) -> dict[str, str]:
    return {trace.name: (trace.marker.color if trace.type == "bar" else trace.fillcolor) for trace in fig.data}


def test_region_bars_trend_and_counts_use_the_one_palette() -> None:
    rollup = pd.DataFrame({"region_code": ["E", "N"], "region_name": ["East", "North"], "live": [1, 0],
                           "green": [2, 1], "amber": [0, 3], "red": [4, 0], "no_plan": [0, 1]})
    trend = pd.DataFrame({"week": [date(2026, 11, 15), date(2026, 11, 22)], "live": [1, 2], "green": [3, 3],
                          "amber": [2, 1], "red": [1, 1], "no_plan": [0, 0]})
    counts = pd.DataFrame({"region_code": ["E", "E"], "status": ["red", "live"], "branches": [4, 1]})
    for fig, statuses in ((region_status_figure(rollup), STATUS_COLOURS),
                          (portfolio_trend_figure(trend), ("live", "green", "amber", "red")),
                          (status_counts_figure(counts, "region_code"), ("red", "live"))):
        assert _colours(fig) == {status_label(s): STATUS_COLOURS[s] for s in statuses}
    # the region bars hold the roll-up's counts, red first
    bars = {t.name: list(t.x) for t in region_status_figure(rollup).data}
    assert bars[status_label("red")] == [4, 0] and region_status_figure(rollup).data[0].name == status_label("red")
