"""The review LMS as one Starlette app: API, pages, the preview harness's LMS page and sides, package files.

Routes, first match wins::

    /api/v1/...              the HTTP API (api.py), token auth
    /login, /logout, /, /latest, /versions/<sha256>[/launch|/play|/reset]   pages (pages.py), login required
    /review-static/...       the pages' stylesheet
    <extra_routes>           another module's routes (live reload's /__live/...), login required unless open
    /lms/..., /__lms/...     the preview harness's LMS page, scripts, commits, events and each standard's side
    /packages/<sha256>/...   the extracted packages (the harness app's static root), login required
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from courseforge.lms.review.api import api_routes
from courseforge.lms.review.auth import RequireLogin
from courseforge.lms.review.pages import CatalogHead, PageHead, Settled, page_routes
from courseforge.lms.review.service import ReviewLms
from courseforge.stages.preview.harness.app import create_harness_app
from courseforge.stages.preview.harness.profiles import PROFILES
from courseforge.stages.preview.harness.runtime import LmsRuntime

STATIC = Path(__file__).parent / "static"


def create_review_app(lms: ReviewLms, runtime: LmsRuntime, *, extra_routes: Sequence[BaseRoute] = (),
                      page_head: PageHead | None = None, open_paths: Sequence[str] = (),
                      catalog_head: CatalogHead | None = None, settled: Settled | None = None) -> Starlette:
    """``extra_routes`` are mounted before the harness's catch-all, behind the login like the pages unless their
    path starts with one of ``open_paths``; ``page_head(package)`` returns trusted markup put in the head of a
    version's page and its player page (live reload's script tag), ``catalog_head()`` in the catalog's."""
    sides = {prefix: side.routes for prefix, side in lms.launches.mounts.items() if side.routes}
    harness = create_harness_app(lms.database, runtime, lms.store.www, PROFILES, sides)
    routes: list[BaseRoute] = [
        *api_routes(lms),
        *page_routes(lms, page_head, catalog_head, settled),
        Mount("/review-static", app=StaticFiles(directory=STATIC)),
        *extra_routes,
        Mount("/", app=harness),
    ]
    login = Middleware(RequireLogin, database=lms.database, open_paths=tuple(open_paths), public_urls=(lms.base_url,))
    return Starlette(routes=routes, middleware=[login])
