"""User-level operations: one plain function per thing a user does that takes a while
or that the window and ``ygt`` both do (report files, line lists, submit, worklist
export, bureau import/status/report/receipts, roster, backup/check/restore, demo).

Every operation takes a :class:`~ygt_desktop.ops.base.Run` — the workspace, the acting
user, a progress callback and a cancel check — plus its own arguments, and returns a
plain result. ``cli.py`` calls them directly; the window runs them only through
``ui/jobs.py`` on a worker thread with its own database connection. Permissions are
checked here (:meth:`Run.require`), never by hiding buttons.
"""
