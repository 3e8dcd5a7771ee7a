import numpy as np
import pytest

from reports.charts import labels_chart, shares_chart

LABELS = ["a", "b", "c"]


@pytest.mark.parametrize("count", [0, 1, 4])
def test_both_charts_draw_for_no_one_or_several_periods(tmp_path, count):
    """An all-undated archive has no time axis, and a lone period has no band; both still draw."""
    periods = [f"2025-0{m + 1}" for m in range(count)]
    shares = np.tile([0.5, 0.3, 0.2], (count, 1))
    shares_chart(tmp_path / "shares.png", periods, LABELS, shares, "shares")
    labels_chart(tmp_path / "labels.png", periods, LABELS, shares, shares - 0.05, shares + 0.05, "labels")
    for name in ("shares.png", "labels.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
