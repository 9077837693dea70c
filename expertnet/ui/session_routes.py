"""The two HTTP routes that set and clear the sign-in cookie (mounted by serve.py).

A page of a Streamlit app runs over a websocket and cannot set an HttpOnly cookie; a plain
HTTP response can. The signed-in page posts its one-time code (accounts.cookie_grant) to
/session/start, whose response sets the cookie HttpOnly, SameSite=Strict, and Secure when
the dashboard is reached over https. /session/end clears it.
"""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from expertnet.access import accounts

SESSION_COOKIE = "expertnet_session"
_MAX_BODY = 256


def _secure(request: Request) -> bool:
    # behind a TLS-terminating proxy uvicorn takes the scheme from X-Forwarded-Proto
    return request.url.scheme == "https"


async def start_session(request: Request) -> Response:
    body = await request.body()
    # in a worker thread: the app state's lock may be held by a page run, and waiting for it on
    # the event loop would stall every websocket of this process
    token = await run_in_threadpool(accounts.redeem_cookie_grant, body[:_MAX_BODY].decode("ascii", "replace").strip())
    if token is None:
        return Response("unknown or used code", status_code=403, media_type="text/plain")
    response = Response(status_code=204)
    response.set_cookie(SESSION_COOKIE, token, max_age=accounts.SESSION_HOURS * 3600, path="/",
                        httponly=True, samesite="strict", secure=_secure(request))
    return response


async def end_session(request: Request) -> Response:
    # Only the cookie: the session itself is ended by the page that signs out (a late request
    # here must not end a session signed into since).
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response
