"""The document resources: State, Activity Profile and Agent Profile (one handler, three descriptions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from courseforge.lms.lrs.documents import DocumentContent, DocumentKey, DocumentKind, DocumentScope, Precondition
from courseforge.lms.lrs.errors import Rejected
from courseforge.lms.lrs.params import agent_param, iri, required, single_values, timestamp_param, uuid_param
from courseforge.lms.lrs.store import LrsStore
from courseforge.lms.lrs.timestamps import http_date_from_us


@dataclass(frozen=True)
class DocumentResource:
    kind: DocumentKind
    id_param: str
    activity: bool
    agent: bool
    registration: bool

    @property
    def allowed(self) -> frozenset[str]:
        names = {self.id_param, "since"}
        names |= {"activityId"} if self.activity else set()
        names |= {"agent"} if self.agent else set()
        names |= {"registration"} if self.registration else set()
        return frozenset(names)


STATE = DocumentResource(DocumentKind.STATE, "stateId", activity=True, agent=True, registration=True)
ACTIVITY_PROFILE = DocumentResource(DocumentKind.ACTIVITY_PROFILE, "profileId", activity=True, agent=False,
                                    registration=False)
AGENT_PROFILE = DocumentResource(DocumentKind.AGENT_PROFILE, "profileId", activity=False, agent=True,
                                 registration=False)


def scope_of(resource: DocumentResource, values: Mapping[str, str]) -> DocumentScope:
    activity_id = iri(required(values, "activityId"), "activityId") if resource.activity else ""
    agent = agent_param(required(values, "agent"))[1] if resource.agent else ""
    registration = uuid_param(values["registration"], "registration") if "registration" in values else ""
    return DocumentScope(resource.kind, activity_id, agent, registration)


def precondition_of(request: Request, resource: DocumentResource) -> Precondition:
    """Profiles need If-Match or If-None-Match to overwrite (409 otherwise); the State resource does not."""
    return Precondition(request.headers.get("if-match"), request.headers.get("if-none-match"),
                        required_for_overwrite=resource.kind is not DocumentKind.STATE)


class DocumentEndpoints:
    def __init__(self, store: LrsStore, resource: DocumentResource) -> None:
        self.store = store
        self.resource = resource

    def _parse(self, request: Request) -> tuple[DocumentScope, dict[str, str]]:
        values = single_values(request.query_params, self.resource.allowed)
        return scope_of(self.resource, values), values

    async def get(self, request: Request) -> Response:
        scope, values = self._parse(request)
        if self.resource.id_param not in values:
            since = timestamp_param(values["since"], "since") if "since" in values else None
            ids = await run_in_threadpool(self.store.list_document_ids, scope, since)
            return JSONResponse(list(ids))
        if "since" in values:
            raise Rejected(f"since lists ids: it cannot be combined with {self.resource.id_param}")
        document = await run_in_threadpool(self.store.get_document, DocumentKey(scope, values[self.resource.id_param]))
        if document is None:
            return Response("no such document", 404, media_type="text/plain")
        return Response(document.content, 200, {"ETag": document.etag,
                                                "Last-Modified": http_date_from_us(document.updated_us)},
                        media_type=document.content_type)

    async def _key(self, request: Request) -> DocumentKey:
        scope, values = self._parse(request)
        if "since" in values:
            raise Rejected("since is only for listing ids with GET")
        return DocumentKey(scope, required(values, self.resource.id_param))

    async def put(self, request: Request) -> Response:
        key = await self._key(request)
        content = DocumentContent(await request.body(),
                                  request.headers.get("content-type", "application/octet-stream"))
        document = await run_in_threadpool(self.store.put_document, key, content,
                                           precondition_of(request, self.resource))
        return Response(status_code=204, headers={"ETag": document.etag})

    async def post(self, request: Request) -> Response:
        key = await self._key(request)
        content = DocumentContent(await request.body(), request.headers.get("content-type", ""))
        document = await run_in_threadpool(self.store.merge_document, key, content,
                                           precondition_of(request, self.resource))
        return Response(status_code=204, headers={"ETag": document.etag})

    async def delete(self, request: Request) -> Response:
        scope, values = self._parse(request)
        if self.resource.id_param in values:
            key = DocumentKey(scope, values[self.resource.id_param])
            precondition = Precondition(request.headers.get("if-match"), request.headers.get("if-none-match"))
            await run_in_threadpool(self.store.delete_document, key, precondition)
        elif self.resource.kind is DocumentKind.STATE:
            await run_in_threadpool(self.store.delete_documents, scope)
        else:
            raise Rejected(f"parameter {self.resource.id_param!r} is required")
        return Response(status_code=204)
