"""Request counters the supervisor keeps and ``get_session_statistics`` reports."""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs


@attrs.define
class RequestCounters:
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    rejected_at_edge: int = 0
    inline: int = 0
    client_tasks_started: int = 0
    client_tasks_restarted: int = 0
    client_tasks_idled_out: int = 0
    by_command: Counter[str] = attrs.field(factory=Counter)
    errors_by_type: Counter[str] = attrs.field(factory=Counter)

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "rejected_at_edge": self.rejected_at_edge,
            "inline": self.inline,
            "client_tasks_started": self.client_tasks_started,
            "client_tasks_restarted": self.client_tasks_restarted,
            "client_tasks_idled_out": self.client_tasks_idled_out,
            "by_command": dict(self.by_command),
            "errors_by_type": dict(self.errors_by_type),
        }
