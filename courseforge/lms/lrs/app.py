"""The LRS as a Starlette app: ``create_lrs_app(store, credentials, policies=..., prefix="/xAPI")``.

- ``store``: an ``LrsStore`` (``store.open_store(path)`` for SQLite).
- ``credentials``: anything with ``authenticate(key, secret) -> Client | None`` (``auth.StaticCredentials``
  holds key/secret pairs and can ``add``/``remove`` clients while the server runs, e.g. cmi5 launch tokens).
- ``policies``: ``StatementPolicy`` callables that see each validated batch and may refuse it (400/403,
  nothing stored); see ``policy``.
- ``prefix``: where the resources live inside this app. To put the LRS inside another app, build it
  with ``prefix=""`` and mount it; the ``more`` links follow the mount point::

      lrs = create_lrs_app(store, credentials, prefix="")
      host = Starlette(routes=[Mount("/xAPI", app=lrs), ...])

  ``lrs.state.lrs`` is the ``LrsContext`` (service, store, credentials) for in-process calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from courseforge.lms.lrs.auth import Credentials
from courseforge.lms.lrs.document_routes import ACTIVITY_PROFILE, AGENT_PROFILE, STATE, DocumentEndpoints
from courseforge.lms.lrs.errors import Rejected
from courseforge.lms.lrs.middleware import AlternateSyntax, VersionAndAuth, XapiHeaders
from courseforge.lms.lrs.policy import StatementPolicy
from courseforge.lms.lrs.resource_routes import ResourceEndpoints, about
from courseforge.lms.lrs.service import LrsService, StatementObserver
from courseforge.lms.lrs.statement_routes import StatementEndpoints
from courseforge.lms.lrs.store import LrsStore

DOCUMENT_METHODS = ["GET", "PUT", "POST", "DELETE"]


@dataclass(frozen=True)
class LrsContext:
    service: LrsService
    store: LrsStore
    credentials: Credentials
    prefix: str


async def rejected(request: Request, error: Exception) -> Response:
    assert isinstance(error, Rejected)
    return PlainTextResponse(error.reason, error.status)


def lrs_routes(service: LrsService, prefix: str) -> list[BaseRoute]:
    statements = StatementEndpoints(service, prefix)
    resources = ResourceEndpoints(service.store)
    routes: list[BaseRoute] = [
        Route("/about", about, methods=["GET"]),
        Route("/statements", statements.get, methods=["GET"]),
        Route("/statements", statements.post, methods=["POST"]),
        Route("/statements", statements.put, methods=["PUT"]),
        Route("/activities", resources.activity, methods=["GET"]),
        Route("/agents", resources.person, methods=["GET"]),
    ]
    for path, resource in (("/activities/state", STATE), ("/activities/profile", ACTIVITY_PROFILE),
                           ("/agents/profile", AGENT_PROFILE)):
        documents = DocumentEndpoints(service.store, resource)
        routes.extend(Route(path, getattr(documents, method.lower()), methods=[method]) for method in DOCUMENT_METHODS)
    return routes


def create_lrs_app(store: LrsStore, credentials: Credentials, *, policies: Sequence[StatementPolicy] = (),
                   prefix: str = "/xAPI", observers: Sequence[StatementObserver] = ()) -> Starlette:
    prefix = prefix.rstrip("/")
    service = LrsService(store, policies, observers)
    routes = lrs_routes(service, prefix)
    app = Starlette(
        routes=[Mount(prefix, routes=routes)] if prefix else routes,
        middleware=[Middleware(XapiHeaders), Middleware(AlternateSyntax),
                    Middleware(VersionAndAuth, credentials=credentials, about_path=f"{prefix}/about")],
        exception_handlers={Rejected: rejected},
    )
    app.state.lrs = LrsContext(service, store, credentials, prefix)
    return app
