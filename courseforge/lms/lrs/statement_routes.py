"""The Statement resource: POST (single, batch, multipart with attachments), PUT by statementId, GET by id
or by filters with ``more`` paging on a stable cursor."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from courseforge.lms.lrs.auth import Client
from courseforge.lms.lrs.errors import Rejected
from courseforge.lms.lrs.formats import canonical_format, ids_format, parse_accept_language
from courseforge.lms.lrs.multipart import Part, is_multipart, parse_multipart, write_multipart
from courseforge.lms.lrs.params import (
    agent_param,
    boolean_param,
    count_param,
    iri,
    single_values,
    timestamp_param,
    uuid_param,
)
from courseforge.lms.lrs.service import LrsService
from courseforge.lms.lrs.store import Attachment, Cursor, StatementQuery, StoredStatement
from courseforge.lms.lrs.timestamps import http_date_from_us, iso_from_us

MAX_PAGE = 500
FILTERS = frozenset({"agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
                     "until", "limit", "format", "attachments", "ascending"})
BY_ID = frozenset({"statementId", "voidedStatementId", "format", "attachments"})
FORMATS = ("exact", "ids", "canonical")
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


def client_of(request: Request) -> Client:
    client: Client = request.scope["state"]["lrs_client"]
    return client


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise Rejected(f"{what} is not valid JSON") from None


def read_statements(content_type: str, body: bytes) -> tuple[Any, list[Attachment]]:
    """The JSON content and the attachment parts of a statement request."""
    if not is_multipart(content_type):
        return _json(body, "the request body"), []
    parts = parse_multipart(content_type, body)
    if not parts or parts[0].content_type.split(";")[0].strip().lower() != "application/json":
        raise Rejected("the first part of a multipart/mixed statement request must be application/json")
    attachments: list[Attachment] = []
    for part in parts[1:]:
        sha2 = part.headers.get("x-experience-api-hash")
        if not sha2:
            raise Rejected("every attachment part needs an X-Experience-API-Hash header")
        attachments.append(Attachment(sha2.strip().lower(), part.content_type, part.content))
    return _json(parts[0].content, "the statement part"), attachments


@dataclass(frozen=True)
class Presentation:
    """How statements are returned: the format, with attachments or not, the preferred languages."""

    format: str
    attachments: bool
    languages: tuple[str, ...]


class StatementEndpoints:
    def __init__(self, service: LrsService, prefix: str) -> None:
        self.service = service
        self.store = service.store
        self.prefix = prefix

    async def post(self, request: Request) -> Response:
        single_values(request.query_params, frozenset())
        data, parts = read_statements(request.headers.get("content-type", ""), await request.body())
        statements = data if isinstance(data, list) else [data]
        result = await run_in_threadpool(self.service.save_statements, statements, client_of(request), parts)
        return JSONResponse(list(result.ids))

    async def put(self, request: Request) -> Response:
        values = single_values(request.query_params, frozenset({"statementId"}))
        if "statementId" not in values:
            raise Rejected("parameter 'statementId' is required")
        statement_id = uuid_param(values["statementId"], "statementId")
        data, parts = read_statements(request.headers.get("content-type", ""), await request.body())
        if not isinstance(data, dict):
            raise Rejected("PUT takes a single statement (a JSON object)")
        await run_in_threadpool(self.service.save_statements, [data], client_of(request), parts, statement_id)
        return Response(status_code=204)

    async def get(self, request: Request) -> Response:
        names = set(request.query_params.keys())
        if names & {"statementId", "voidedStatementId"}:
            return await run_in_threadpool(self._by_id, request)
        if "more" in names:
            return await run_in_threadpool(self._more, request)
        values = single_values(request.query_params, FILTERS)
        return await run_in_threadpool(self._page, values, None, request)

    def _presentation(self, values: Mapping[str, str], request: Request) -> Presentation:
        chosen = values.get("format", "exact")
        if chosen not in FORMATS:
            raise Rejected(f"format must be one of {', '.join(FORMATS)}")
        attachments = boolean_param(values["attachments"], "attachments") if "attachments" in values else False
        return Presentation(chosen, attachments, tuple(parse_accept_language(request.headers.get("accept-language",
                                                                                                   ""))))

    def _by_id(self, request: Request) -> Response:
        values = single_values(request.query_params, BY_ID)
        if ("statementId" in values) == ("voidedStatementId" in values):
            raise Rejected("give statementId or voidedStatementId, not both")
        voided = "voidedStatementId" in values
        wanted = uuid_param(values["voidedStatementId" if voided else "statementId"],
                            "voidedStatementId" if voided else "statementId")
        presentation = self._presentation(values, request)
        through = self.store.consistent_through_us()
        stored = self.store.get_statement(wanted)
        if stored is None or stored.voided != voided:
            return Response(f"no {'voided ' if voided else ''}statement {wanted}", 404, media_type="text/plain")
        body = self._render(stored, presentation).encode()
        headers = {CONSISTENT_THROUGH: iso_from_us(through), "Last-Modified": http_date_from_us(stored.stored_us)}
        return self._respond(body, [stored], presentation, headers)

    def _more(self, request: Request) -> Response:
        values = single_values(request.query_params, frozenset({"more"}))
        try:
            token = json.loads(base64.urlsafe_b64decode(values["more"].encode()))
            original, cursor = dict(token["q"]), Cursor(int(token["b"]), int(token["a"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise Rejected("the more parameter is not one this LRS handed out") from None
        return self._page(original, cursor, request)

    def _query(self, values: Mapping[str, str]) -> StatementQuery:
        flags = {name: boolean_param(values[name], name) for name in ("related_activities", "related_agents",
                                                                      "ascending") if name in values}
        return StatementQuery(
            agent=agent_param(values["agent"])[1] if "agent" in values else None,
            verb=iri(values["verb"], "verb") if "verb" in values else None,
            activity=iri(values["activity"], "activity") if "activity" in values else None,
            registration=uuid_param(values["registration"], "registration") if "registration" in values else None,
            since_us=timestamp_param(values["since"], "since") if "since" in values else None,
            until_us=timestamp_param(values["until"], "until") if "until" in values else None,
            limit=count_param(values["limit"], "limit") if "limit" in values else 0,
            **flags)

    def _page(self, values: Mapping[str, str], cursor: Cursor | None, request: Request) -> Response:
        query = self._query(values)
        presentation = self._presentation(values, request)
        through = self.store.consistent_through_us()
        page_size = query.limit if 0 < query.limit <= MAX_PAGE else MAX_PAGE
        page = self.store.query_statements(query, cursor, page_size)
        more = ""
        if page.next is not None:
            token = json.dumps({"q": dict(values), "b": page.next.bound_seq, "a": page.next.after_seq})
            more = (f"{request.scope.get('root_path', '')}/statements?more="
                    f"{base64.urlsafe_b64encode(token.encode()).decode()}")
        rendered = ",".join(self._render(stored, presentation) for stored in page.statements)
        body = f'{{"statements":[{rendered}],"more":{json.dumps(more)}}}'.encode()
        return self._respond(body, list(page.statements), presentation, {CONSISTENT_THROUGH: iso_from_us(through)})

    def _render(self, stored: StoredStatement, presentation: Presentation) -> str:
        if presentation.format == "exact":
            return stored.json
        statement = json.loads(stored.json)
        if presentation.format == "ids":
            return json.dumps(ids_format(statement), ensure_ascii=False)
        return json.dumps(canonical_format(statement, list(presentation.languages), self.store.activity_definition),
                          ensure_ascii=False)

    def _respond(self, body: bytes, statements: list[StoredStatement], presentation: Presentation,
                 headers: dict[str, str]) -> Response:
        if not presentation.attachments:
            return Response(body, 200, headers, media_type="application/json")
        hashes = sorted({sha2 for stored in statements for sha2 in stored.attachment_hashes})
        found = self.store.get_attachments(hashes)
        parts = [Part({"Content-Type": "application/json"}, body)]
        parts.extend(Part({"Content-Type": item.content_type, "Content-Transfer-Encoding": "binary",
                           "X-Experience-API-Hash": item.sha2}, item.content) for item in found.values())
        content_type, multipart_body = write_multipart(parts)
        return Response(multipart_body, 200, {**headers, "Content-Type": content_type})
