"""The errors the report writers raise, in a module that imports nothing heavy.

``ops.base`` lists them among the errors shown to a user; importing the writers
themselves for that would load openpyxl and its friends at every start of the window
(about 0.2 s). The writers raise these and re-export them under their old names.
"""

from __future__ import annotations


class LineListError(ValueError):
    """A line list that cannot be written; the message says why (Chinese)."""


class WorkbookError(ValueError):
    """The report cannot be written as a workbook; the message says why (Chinese)."""
