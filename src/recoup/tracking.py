"""Payment-link tracking: every link we send points at ``/l/{token}``, which records the open
and redirects to billing's secure page. The open is a fact in ``messages.opened_at``, which is
what the link-open metric counts.
"""

from __future__ import annotations

from sqlalchemy import select

from recoup.ports import ClockPort
from recoup.store import repo
from recoup.store.db import Database
from recoup.store.tables import MessageRow


def open_link(db: Database, clock: ClockPort, token: str) -> str | None:
    """Record the first open of the link with ``token``; its target URL, or None if unknown."""
    with db.session() as s:
        row = s.scalars(select(MessageRow).where(MessageRow.tracking_token == token)).first()
        if row is None:
            return None
        if row.opened_at is None:
            row.opened_at = clock.now()
            repo.audit(
                s,
                f"{row.key}:opened",
                row.case_id,
                row.opened_at,
                "link_opened",
                {"channel": row.channel},
                actor="customer",
            )
        return row.link_url
