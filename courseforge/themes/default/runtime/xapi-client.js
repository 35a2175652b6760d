/*
 * cf.xapi: a small xAPI 1.0.3 client shared by the Tin Can (xapi.js) and cmi5 (cmi5.js) adapters.
 * Statements are never lost and never sent twice: each gets its UUID id and timestamp once, when it is
 * created, and waits in a queue persisted in localStorage (one per endpoint + scope) until the LRS has
 * answered for it; a re-sent id is answered idempotently by the LRS. No framework, ES5, fetch only.
 *
 * API (stable; cmi5.js depends on it):
 *
 *   cf.xapi.VERSION                       "1.0.3", sent as X-Experience-API-Version on every request
 *   cf.xapi.uuid() -> string              a random (v4) UUID
 *   cf.xapi.timestamp(?Date) -> string    ISO 8601 UTC with milliseconds, "2024-05-01T10:00:00.000Z"
 *   cf.xapi.duration(ms) -> string        ISO 8601 duration, "PT1H2M3.45S" (hundredths of a second)
 *   cf.xapi.query(search) -> Object       a location.search string decoded into {name: value}
 *                                         (first value wins; "+" is a space)
 *   cf.xapi.langMap(lang, text) -> Object {lang: text}, or null for an empty text
 *
 *   cf.xapi.client(options) -> Client
 *     options.endpoint   the LRS endpoint (a "/" is added when missing)
 *     options.auth       the Authorization header value ("Basic ..."); "" sends none (setAuth later)
 *     options.scope      what else names the queue besides the endpoint (the registration); the queue's
 *                        localStorage key is "courseforge.xapi " + endpoint + " " + scope
 *     options.batch      statements per POST (default 50)
 *     options.retryMs    first retry delay (default 1000; doubles per failure up to 30000)
 *
 *   Client:
 *     setAuth(value)                     the Authorization value from now on (cmi5 fetches it at launch)
 *     statement(Object) -> Statement     gives it an id and timestamp unless it has them, queues it
 *                                        (persisted at once) and returns it; sends nothing by itself
 *     send(Object) -> Promise<Statement> statement() then flush(); resolves once the LRS took it or the
 *                                        queue is waiting for a retry (never rejects)
 *     flush() -> Promise<void>           POSTs the queue in batches, in order; resolves when the queue is
 *                                        empty, or when the LRS is unreachable / answers 5xx or 429 (a
 *                                        retry is then scheduled with backoff, and the queue stays
 *                                        persisted). A 4xx other than 409/429 is a bug in a statement:
 *                                        the batch is split to find it, and that statement is dropped
 *                                        with a console error naming its id and verb. 409 (the LRS has
 *                                        that id already) counts as delivered. Never rejects.
 *     pending() -> number                statements not yet acknowledged by the LRS
 *     flushKeepalive()                   for pagehide: POSTs what is queued with fetch keepalive, within
 *                                        the browser's 64 KB keepalive budget (the rest, and anything
 *                                        whose answer never comes, stays queued for the next launch);
 *                                        also PUTs pending state documents; returns nothing, awaits nothing
 *     getState(params) -> Promise<*>     State API GET; params {activityId, agent, registration?, stateId}.
 *                                        Resolves with the document (parsed when JSON, else text), null
 *                                        when the LRS has none (404); rejects with an Error when the LRS
 *                                        cannot be reached or refuses, after a few quick tries
 *     putState(params, doc) -> Promise<void>  State API PUT of doc (an object is sent as JSON). The last
 *                                        document per stateId is kept in the persisted queue and written
 *                                        with the same retries as statements; resolves once written or
 *                                        queued for a retry (never rejects)
 *     getAgentProfile(agent, profileId) -> Promise<*>  Agent Profile API GET (cmi5LearnerPreferences);
 *                                        resolves/rejects like getState
 *     idle() -> Promise<void>            resolves when nothing is queued or in flight (tests, finish)
 *
 *   Interactions as xAPI (the neutral Interaction of tracking.js; shared so both adapters agree):
 *     cf.xapi.interactionActivity(record, id, lang, texts) -> Activity
 *                                        {objectType, id, definition: {type cmi.interaction, name,
 *                                        description, interactionType, correctResponsesPattern (every
 *                                        accepted answer; left out when any answer is right), choices |
 *                                        source + target | scale, each {id, description: langMap}}}.
 *                                        texts: the item's localized texts from course data (see
 *                                        stages/render/runtime_data.py, ``texts``), or null
 *     cf.xapi.interactionResult(record) -> Result  {response (SCORM 2004 pattern syntax), success
 *                                        (quiz questions only), duration (the latency)}
 *     cf.xapi.interactionTexts(data, record) -> ?{path, texts}  the item's path "<activity>/<item>" (the
 *                                        object id is the course IRI + "/" + path) and its texts
 */
