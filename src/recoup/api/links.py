"""``GET /l/{token}``: the tracked payment link: record the open, redirect to billing's page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import RedirectResponse

from recoup.api.deps import RuntimeDep
from recoup.tracking import open_link

router = APIRouter()


@router.get("/l/{token}")
def follow_link(token: str, runtime: RuntimeDep) -> RedirectResponse:
    """Count the open and send the customer to the secure payment page."""
    target = open_link(runtime.db, runtime.clock, token)
    if target is None:
        raise HTTPException(status_code=404, detail="unknown link")
    return RedirectResponse(target, status_code=303)
