"""The explorer's web app: the page, its static files and one JSON route.

``GET /`` is the page; ``GET /static/...`` its script and style (package
data, nothing from the network); ``GET /api/explore?<query>`` answers the
page's data for a state (the query names of the page's URL), or 400 with
``{"error": message, "param": name}``: tconv's own message and the query
parameter it is about.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ._compute import explore, param_of
from ._params import ParamError, parse

STATIC = resources.files("tconv.explore") / "static"

# The page sends the same state many times while one scrubs; the answers are small.
_CACHE_SIZE = 64


@lru_cache(maxsize=_CACHE_SIZE)
def _answer(query: tuple) -> tuple[int, dict]:
    try:
        return 200, explore(parse(dict(query)))
    except ParamError as error:
        return 400, {"error": str(error), "param": error.param}
    except (ValueError, TypeError) as error:
        message = str(error)
        return 400, {"error": message, "param": param_of(message)}


async def _page(request):
    return FileResponse(str(STATIC / "index.html"), media_type="text/html")


async def _api(request):
    status, body = _answer(tuple(sorted(request.query_params.items())))
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def create_app() -> Starlette:
    """The explorer as a Starlette app (serve it with uvicorn).

    Returns
    -------
    starlette.applications.Starlette
        Routes ``/``, ``/static/*`` and ``/api/explore``.

    Examples
    --------
    >>> from starlette.testclient import TestClient
    >>> from tconv.explore import create_app
    >>> client = TestClient(create_app())
    >>> client.get("/api/explore?input=2x2&kernel=2x2&x=55,52,57,50&w=1,2,2,1").json()["output"]
    [[55.0, 162.0, 104.0], [167.0, 323.0, 152.0], [114.0, 157.0, 50.0]]
    """
    routes = [Route("/", _page), Route("/api/explore", _api),
              Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static")]
    return Starlette(routes=routes)
