"""Entry point frozen by PyInstaller for the window."""

from ygt_desktop.ui.app import main

raise SystemExit(main())
