"""The dashboard's own HTTP routes, served beside Streamlit's by ``st.App`` (dashboard.py):
they set and clear the log-in cookie, which a Streamlit script run cannot do.

``POST /_lagebild/session`` with the JSON body ``{"grant": "…"}`` exchanges the single-use
grant of a log-in (``reports.privacy.sessions``) for the session token in a cookie that
scripts cannot read (HttpOnly), that no other site's request carries (SameSite=Strict) and,
over HTTPS, that travels only encrypted (Secure). ``POST /_lagebild/logout`` revokes the
cookie's session and deletes the cookie. Both answer only same-origin JSON requests, so
another site can neither log a browser in nor out; no secret ever appears in a URL.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reports.privacy import sessions

SESSION_PATH = "/_lagebild/session"
LOGOUT_PATH = "/_lagebild/logout"


@functools.cache
def _store():
    from reports.storage.store import Store

    return Store.open()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin", "")
    return bool(origin) and urlsplit(origin).netloc == request.headers.get("host", "")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or \
        request.headers.get("x-forwarded-proto", "") == "https"


async def _grant(request: Request) -> str | None:
    if "application/json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    grant = body.get("grant") if isinstance(body, dict) else None
    return grant if isinstance(grant, str) else None


async def open_session(request: Request) -> Response:
    if not _same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    grant = await _grant(request)
    token = await run_in_threadpool(sessions.exchange_grant, _store(), grant or "")
    if token is None:
        return JSONResponse({"ok": False}, status_code=403)
    response = JSONResponse({"ok": True})
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


async def close_session(request: Request) -> Response:
    if not _same_origin(request):
        return JSONResponse({"ok": False}, status_code=403)
    token = request.cookies.get(sessions.COOKIE)
    if token:
        await run_in_threadpool(sessions.revoke, _store(), None, token)
    response = JSONResponse({"ok": True})
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict",
                           secure=_secure(request))
    return response


def routes() -> list[Route]:
    return [Route(SESSION_PATH, open_session, methods=["POST"]),
            Route(LOGOUT_PATH, close_session, methods=["POST"])]
