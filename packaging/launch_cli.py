"""Entry point frozen by PyInstaller for the ``ygt`` command."""

from ygt_desktop.cli import main

raise SystemExit(main())
