"""The chart's earlier quarters are computed with one shared indicator computer (the
residents read once, issue 15); each equals that quarter computed on its own."""

from __future__ import annotations

from tests.worklist_demo import LOGIN, make_demo
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import station
from ygt_desktop.reports.report_export import chart_codes
from ygt_desktop.storage.reporting import Reporting


def test_earlier_quarters_equal_each_quarter_computed_alone(tmp_path):
    path = make_demo(tmp_path / "demo.db", residents=300)
    with station.opened(path, login=LOGIN) as run:
        reporting = Reporting(run.ws)
        now = reporting.compute(Period(2026, 4)).report
        codes = chart_codes(now)
        assert codes
        shared = reporting.earlier(now.period, codes)
        assert [r.period for r in shared] == [Period(2026, q) for q in (1, 2, 3)]
        for report in shared:
            alone = reporting.compute(report.period, codes=codes).report
            assert dict(report.values) == dict(alone.values), report.period
        assert any(v.value for r in shared for v in r.values.values())  # not all empty
