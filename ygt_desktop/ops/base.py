"""What every operation receives and raises.

Threading: a :class:`Run` belongs to one thread. The job runner makes one per job on
its worker thread, around a workspace opened on that thread; ``progress`` may be
called from there (the runner forwards it to the window through a queued signal), and
``cancelled`` must be safe to call from it (a ``threading.Event.is_set``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..core import roles
from ..core.forms import FormFileError
from ..core.report_model import PeriodError, TemplateError
from ..reports.atomic import ExportError
from ..reports.errors import LineListError, WorkbookError
from ..storage import audit
from ..storage.db import ReadOnlyStoreError, StoreError
from ..storage.workspace import Workspace

Progress = Callable[[int, int, str], None]
"""``progress(done, total, text)``: ``total`` 0 means "unknown, keep the bar moving";
``text`` is a Chinese phrase saying what is being done now."""


class OpError(Exception):
    """A refusal or a failure the user can act on; ``str(exc)`` is a Chinese sentence."""


class OpCancelled(OpError):
    """The user pressed 取消 (or closed the window). Nothing half-done is left behind:
    the operation stops between steps, and files are written whole or not at all."""

    def __init__(self, message: str = "已取消。") -> None:
        super().__init__(message)


class PermissionRefused(OpError, StoreError):
    """The acting user's role may not do this; the attempt is in the audit log. Also a
    StoreError, so every screen that shows a refused save shows this too."""


# Errors whose message is meant for the user as it stands (Chinese, names the file,
# field or period and says what to do). Anything else is a bug: logged, and the user
# gets a short note instead of a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    OpError,
    StoreError,
    ExportError,
    WorkbookError,
    LineListError,
    FormFileError,
    TemplateError,
    PeriodError,
)


@dataclass(frozen=True)
class Actor:
    """Who acts: the logged-in user. ``name`` goes into the audit log; ``role`` (录入员,
    医生, 站长, 管理员 or 审核员) decides what :meth:`Run.require` allows; None is
    nobody logged in, who may do nothing protected."""

    name: str
    role: str | None = None

    @classmethod
    def of(cls, ws: Workspace) -> Actor:
        """The user logged in on ``ws`` (see :meth:`Workspace.login`)."""
        return cls(ws.store.user, ws.store.role)

    def may(self, permission: str) -> bool:
        return roles.allowed(self.role, permission)


def _quiet(_done: int, _total: int, _text: str) -> None:
    return None


def _never() -> bool:
    return False


@dataclass
class Run:
    """One operation's context: workspace, acting user, progress and cancel check."""

    ws: Workspace
    actor: Actor
    progress: Progress = _quiet
    cancelled: Callable[[], bool] = _never
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Whatever the run writes is audited as its actor.
        self.ws.store.user = self.actor.name
        self.ws.store.role = self.actor.role

    @classmethod
    def plain(cls, ws: Workspace, actor: Actor | None = None) -> Run:
        """A run with no progress display and no cancel (the command line)."""
        return cls(ws, actor or Actor.of(ws))

    def check(self) -> None:
        """Raise :class:`OpCancelled` if the user asked to stop. Call between steps."""
        if self.cancelled():
            raise OpCancelled()

    def step(self, done: int, total: int, text: str) -> None:
        """Say what comes next, after checking for a cancel."""
        self.check()
        self.progress(done, total, text)

    def require(self, permission: str) -> None:
        """Refuse with :class:`PermissionRefused` when the actor may not do
        ``permission`` (e.g. ``"report.correct"``; the table is
        :data:`ygt_desktop.core.roles.PERMISSIONS`). Every operation that changes data
        or shows what is masked calls this first. A refusal is written to the audit log
        (action ``refused``) before it is raised."""
        if self.actor.may(permission):
            return
        message = roles.refusal(self.actor.name, self.actor.role, permission)
        note_refusal(self.ws, self.actor, permission)
        raise PermissionRefused(message)


def note(
    ws: Workspace,
    actor: Actor,
    *,
    table: str,
    action: str,
    reason: str,
    record_id: int | None = None,
    new: dict[str, object] | None = None,
) -> None:
    """One audit row of something ``actor`` did that changes no record (a refusal, an
    unmasking, an export), in its own transaction. StoreError when it cannot be kept."""
    with ws.store.write("audit") as conn:
        audit.record(
            conn,
            user=actor.name,
            table=table,
            record_id=record_id,
            action=action,
            new=new,
            reason=reason,
        )


def note_refusal(ws: Workspace, actor: Actor, permission: str) -> None:
    """Audit a refused attempt (not possible on a file opened read-only)."""
    try:
        note(
            ws,
            actor,
            table="permissions",
            action="refused",
            new={"permission": permission, "role": actor.role},
            reason=f"无权{roles.label(permission)}",
        )
    except (ReadOnlyStoreError, StoreError):
        pass
