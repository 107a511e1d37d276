"""The main window fits a 1366×768 screen with its 40-pixel taskbar (1366×728) on every
page, also once a page's lines fill with a big station's figures (issue 12: it grew to
1424 px after 家医签约 and never shrank)."""

from __future__ import annotations

from ygt_desktop.ui.shell import MainWindow

SCREEN_W, SCREEN_H = 1366, 728


def test_every_page_fits_the_screen(qtbot, ws):
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.resize(SCREEN_W, SCREEN_H)
    window.show()
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        qtbot.wait(20)
    window.nav.setCurrentRow(window.stack.indexOf(window.contracts_page))
    contracts = window.contracts_page.contracts
    contracts.counts.setText(
        "共 123,456 份：有效 98,765，到期 12,345，已续约 54,321，已解约 9,876" * 2
    )
    qtbot.wait(20)
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN_W, hint
    assert hint.height() <= SCREEN_H, hint
    assert window.width() <= SCREEN_W
