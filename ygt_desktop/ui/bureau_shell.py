"""The pages of the main window in bureau mode (a district or city): the roster, the
import of members' workbooks, who has reported, the summed report, the receipts. The
station pages (residents, services …) make no sense for a bureau and are not shown."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..storage.workspace import Workspace
from .audit_page import AuditPage
from .bureau_import_page import ImportPage
from .bureau_receipts_page import ReceiptsPage
from .bureau_report_page import BureauReportPage
from .bureau_roster_page import RosterPage
from .bureau_status_page import StatusPage
from .guard import may


class BureauPages:
    """The bureau pages of one window, in navigation order (``pages``)."""

    def __init__(self, ws: Workspace) -> None:
        self.roster = RosterPage(ws)
        self.imports = ImportPage(ws)
        self.status = StatusPage(ws)
        self.report = BureauReportPage(ws)
        self.receipts = ReceiptsPage(ws)
        self.pages: list[tuple[str, QWidget]] = [
            ("成员机构", self.roster),
            ("导入", self.imports),
            ("上报情况", self.status),
            ("汇总报表", self.report),
            ("回执", self.receipts),
        ]
        if may(ws, "audit.view"):  # 管理员
            self.audit = AuditPage(ws)
            self.pages.append(("审计日志", self.audit))

    def focus_search(self) -> None:
        self.roster.focus_search()
