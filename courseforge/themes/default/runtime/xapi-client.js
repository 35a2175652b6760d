/*
 * cf.xapi: a small xAPI 1.0.3 client shared by the Tin Can (xapi.js) and cmi5 (cmi5.js) adapters.
 * Statements are never lost and never sent twice: each gets its UUID id and timestamp once, when it is
 * created, and waits in a queue persisted in localStorage (one per endpoint + scope) until the LRS has
 * answered for it; a re-sent id is answered idempotently by the LRS. No framework, ES5, fetch only.
 *
 * API (stable; cmi5.js depends on it):
 *
 *   cf.xapi.VERSION                       "1.0.3", sent as X-Experience-API-Version on every request
 *   cf.xapi.TEXT_LIMIT                    4000, the longest text answer xAPI and cmi5 packages record
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
 *     options.batch      statements per POST at most (default 50; a POST also stays under 16,000 bytes)
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
 *     flushKeepalive(inOrder)            for pagehide: POSTs what is queued with fetch keepalive, within
 *                                        the browser's 64 KB keepalive budget (the rest, and anything
 *                                        whose answer never comes, stays queued for the next launch);
 *                                        also PUTs pending state documents; returns nothing, awaits nothing.
 *                                        inOrder: the POST carries every unacknowledged statement in
 *                                        order, those already in flight too (an LRS that judges by arrival
 *                                        order, as a cmi5 LMS may, then never sees a later one first; the
 *                                        LRS stores a re-sent id once)
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
 *     settled() -> Promise<void>         resolves when no request is in flight (each has had its answer
 *                                        or failed), or after 3 s: an exit must not overtake terminated,
 *                                        nor wait long on an LRS that does not answer
 *
 *   Interactions as xAPI (the neutral Interaction of tracking.js; shared so both adapters agree):
 *     cf.xapi.interactionActivity(record, id, lang, texts) -> Activity
 *                                        {objectType, id, definition: {type cmi.interaction, name,
 *                                        description, interactionType, correctResponsesPattern (every
 *                                        accepted answer; left out when any answer is right), choices |
 *                                        source + target | scale, each {id, description: langMap}}}.
 *                                        texts: the item's localized texts from course data
 *                                        (data.texts[<quiz or survey id>][<item id>]; runtime_data.py),
 *                                        or null
 *     cf.xapi.interactionResult(record) -> Result  {response (SCORM 2004 pattern syntax), success
 *                                        (quiz questions only), duration (the latency)}
 *     cf.xapi.interactionTexts(data, record) -> ?{path, texts}  the item's path "<activity>/<item>" (the
 *                                        object id is the course IRI + "/" + path) and its texts
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var VERSION = "1.0.3";
  /** Keepalive bytes in flight: Chrome allows 64 KiB of bodies, headers take some of it. */
  var BUDGET = 60000;
  /** The longest text answer a statement's result.response carries (standards/xapi.py TEXT_LIMIT). */
  var TEXT_LIMIT = 4000;
  /** A POST stays this small, so it rides keepalive and leaves room for what pagehide sends. */
  var BATCH_BYTES = 16000;
  /** How long an exit waits for the last answers of the LRS; keepalive requests go on after it. */
  var SETTLE_MS = 3000;
  var INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction";

  function log(level, message) {
    if (root.console) root.console[level]("courseforge xAPI: " + message);
  }

  function ok(status) {
    return status >= 200 && status < 300;
  }

  /** No answer, overloaded or failing: try later. Any other 4xx is a bug in what was sent. */
  function transient(status) {
    return status === 0 || status === 429 || status >= 500;
  }

  function bytes(text) {
    return unescape(encodeURIComponent(text)).length;
  }

  function uuid() {
    var random = root.crypto.getRandomValues(new Uint8Array(16));
    random[6] = (random[6] & 15) | 64;
    random[8] = (random[8] & 63) | 128;
    var text = "";
    for (var i = 0; i < 16; i++) text += (i === 4 || i === 6 || i === 8 || i === 10 ? "-" : "") + (random[i] + 256).toString(16).slice(1);
    return text;
  }

  function timestamp(date) {
    return (date || new Date()).toISOString();
  }

  function duration(ms) {
    var centis = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor(centis / 6000) % 60;
    return "PT" + (hours ? hours + "H" : "") + (minutes ? minutes + "M" : "") + (centis % 6000) / 100 + "S";
  }

  function query(search) {
    var values = {};
    new root.URLSearchParams(search || "").forEach(function (value, name) {
      if (!(name in values)) values[name] = value;
    });
    return values;
  }

  function langMap(lang, text) {
    if (!text) return null;
    var map = {};
    map[lang] = text;
    return map;
  }

  /** A query string of the values that are set; objects (agents) as JSON. */
  function params(values) {
    return Object.keys(values)
      .filter(function (name) {
        return values[name];
      })
      .map(function (name) {
        var value = values[name];
        return name + "=" + encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value));
      })
      .join("&");
  }

  function stateKey(p) {
    return params({ activityId: p.activityId, agent: p.agent, registration: p.registration, stateId: p.stateId });
  }

  /**
   * @constructor The queue (statements in creation order, the last document per state resource) is saved
   * in localStorage on every change. `flying` holds what rides a keepalive request (it arrives even if the
   * page goes away, so it is not sent again meanwhile): statement id or state key -> the item sent.
   */
  function Client(options) {
    this.endpoint = String(options.endpoint || "").replace(/\/?$/, "/");
    this.auth = options.auth || "";
    this.key = "courseforge.xapi " + this.endpoint + " " + (options.scope || "");
    this.size = options.batch || 50;
    this.first = this.wait = options.retryMs || 1000;
    this.spent = 0;
    this.flying = {};
    this.waiters = [];
    this.inFlight = 0;
    this.quietWaiters = [];
    var saved = null;
    try {
      saved = JSON.parse(root.localStorage.getItem(this.key));
    } catch (error) {
      log("warn", "no saved queue (" + error + ")");
    }
    this.queue = (saved && saved.statements) || [];
    this.states = (saved && saved.states) || {};
  }

  Client.prototype.save = function () {
    try {
      if (this.queue.length || Object.keys(this.states).length) {
        root.localStorage.setItem(this.key, JSON.stringify({ statements: this.queue, states: this.states }));
      } else {
        root.localStorage.removeItem(this.key);
      }
    } catch (error) {
      if (!this.unsaved) log("warn", "the queue lives in memory only (" + error + ")");
      this.unsaved = true;
    }
  };

  Client.prototype.setAuth = function (value) {
    this.auth = value || "";
  };

  /**
   * One request, resolved with {status, response} (status 0: no answer); never rejects. A body that fits
   * the keepalive budget goes with keepalive, and `sent` ([key, item] pairs) fly while it does.
   */
  Client.prototype.request = function (method, path, body, type, sent) {
    var self = this;
    var size = body ? bytes(body) : 0;
    var alive = Boolean(body) && size <= BUDGET - this.spent;
    var flying = this.flying;
    var mark = function (on) {
      (sent || []).forEach(function (pair) {
        if (on) flying[pair[0]] = pair[1];
        else if (flying[pair[0]] === pair[1]) delete flying[pair[0]];
      });
    };
    var headers = { "X-Experience-API-Version": VERSION };
    if (this.auth) headers.Authorization = this.auth;
    if (type) headers["Content-Type"] = type;
    if (alive) {
      this.spent += size;
      mark(true);
    }
    this.inFlight += 1;
    var done = function (status, response) {
      if (alive) {
        self.spent -= size;
        mark(false);
      }
      self.inFlight -= 1;
      if (!self.inFlight) self.quietWaiters.splice(0).forEach(function (resolve) {
        resolve();
      });
      return { status: status, response: response };
    };
    return new Promise(function (resolve) {
      resolve(root.fetch(self.endpoint + path, { method: method, headers: headers, body: body, keepalive: alive, cache: "no-store" }));
    }).then(
      function (response) {
        return done(response.status, response);
      },
      function () {
        return done(0, null);
      }
    );
  };

  Client.prototype.statement = function (statement) {
    statement.id = statement.id || uuid();
    statement.timestamp = statement.timestamp || timestamp();
    this.queue.push(statement);
    this.save();
    return statement;
  };

  Client.prototype.send = function (statement) {
    this.statement(statement);
    return this.flush().then(function () {
      return statement;
    });
  };

  Client.prototype.pending = function () {
    return this.queue.length;
  };

  /** What may be sent now: queued statements and state keys not already flying. */
  Client.prototype.ready = function () {
    var flying = this.flying;
    var states = this.states;
    return {
      statements: this.queue.filter(function (statement) {
        return flying[statement.id] !== statement;
      }),
      states: Object.keys(states).filter(function (key) {
        return flying[key] !== states[key];
      })
    };
  };

  Client.prototype.post = function (batch) {
    var sent = batch.map(function (statement) {
      return [statement.id, statement];
    });
    return this.request("POST", "statements", JSON.stringify(batch), "application/json", sent);
  };

  Client.prototype.put = function (key) {
    var doc = this.states[key];
    return this.request("PUT", "activities/state?" + key, doc.body, doc.type, [[key, doc]]).then(function (result) {
      result.doc = doc;
      return result;
    });
  };

  Client.prototype.remove = function (batch) {
    this.queue = this.queue.filter(function (statement) {
      return batch.indexOf(statement) < 0;
    });
    this.save();
  };

  /** A state document written (or refused): gone, unless a newer one replaced it meanwhile. */
  Client.prototype.settle = function (key, doc) {
    if (this.states[key] === doc) delete this.states[key];
    this.save();
  };

  /**
   * Sends what is ready, statements first, in order; resolves true when all went, false when the LRS must
   * be tried again later. A refused batch is split to find the statement at fault; 409 for one statement
   * means the LRS holds another statement with its id.
   */
  Client.prototype.drain = function (size) {
    var self = this;
    var ready = this.ready();
    var batch = [];
    var room = BATCH_BYTES;
    ready.statements.some(function (statement) {
      room -= bytes(JSON.stringify(statement));
      if (batch.length && room < 0) return true;
      batch.push(statement);
      return batch.length >= size;
    });
    var key = ready.states[0];
    if (batch.length) {
      return this.post(batch).then(function (result) {
        if (transient(result.status)) return false;
        if (!ok(result.status) && batch.length > 1) return self.drain(1);
        if (result.status === 409) log("warn", "the LRS holds another statement " + batch[0].id);
        else if (!ok(result.status)) log("error", "the LRS refused statement " + batch[0].id + " (" + batch[0].verb.id + ") with " + result.status + "; dropped");
        self.remove(batch);
        return self.drain(self.size);
      });
    }
    if (!key) return Promise.resolve(true);
    return this.put(key).then(function (result) {
      if (transient(result.status)) return false;
      if (!ok(result.status)) log("error", "the LRS refused state " + key + " with " + result.status + "; dropped");
      self.settle(key, result.doc);
      return self.drain(self.size);
    });
  };

  Client.prototype.flush = function () {
    var self = this;
    if (this.running) return this.running;
    root.clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain(this.size)
      .then(null, function (error) {
        log("warn", error);
        return false;
      })
      .then(function (sent) {
        self.running = null;
        if (!sent) return self.later();
        self.wait = self.first;
        var ready = self.ready();
        if (ready.statements.length || ready.states.length) return self.flush();
        self.idleCheck();
      });
    return this.running;
  };

  /** The next try after a backoff that doubles up to 30 s (reset by a success). */
  Client.prototype.later = function () {
    var self = this;
    if (this.timer) return;
    this.timer = root.setTimeout(function () {
      self.timer = null;
      self.flush();
    }, this.wait);
    this.wait = Math.min(this.wait * 2, 30000);
  };

  Client.prototype.idle = function () {
    var self = this;
    return new Promise(function (resolve) {
      self.waiters.push(resolve);
      self.idleCheck();
    });
  };

  Client.prototype.settled = function () {
    var self = this;
    return new Promise(function (resolve) {
      if (!self.inFlight) return resolve();
      self.quietWaiters.push(resolve);
      root.setTimeout(resolve, SETTLE_MS);
    });
  };

  Client.prototype.idleCheck = function () {
    if (this.running || this.queue.length || Object.keys(this.states).length) return;
    this.waiters.splice(0).forEach(function (resolve) {
      resolve();
    });
  };

  /** pagehide: what is ready goes at once with keepalive, as far as the budget goes; the rest stays queued. */
  Client.prototype.flushKeepalive = function (inOrder) {
    var self = this;
    var ready = this.ready();
    var statements = inOrder ? this.queue.slice() : ready.statements;
    var room = BUDGET - this.spent - 2;
    var batch = [];
    for (var i = 0; i < statements.length; i++) {
      room -= bytes(JSON.stringify(statements[i])) + 1;
      if (room < 0) break;
      batch.push(statements[i]);
    }
    var after = function (result) {
      if (ok(result.status)) self.idleCheck();
      else self.later();
    };
    if (batch.length) {
      this.post(batch).then(function (result) {
        if (ok(result.status)) self.remove(batch);
        after(result);
      });
    }
    ready.states.forEach(function (key) {
      self.put(key).then(function (result) {
        if (ok(result.status)) self.settle(key, result.doc);
        after(result);
      });
    });
  };

  /** A GET with two more tries half a second apart; null for 404, the body parsed when it is JSON. */
  Client.prototype.get = function (path, tries) {
    var self = this;
    return this.request("GET", path).then(function (result) {
      if (result.status === 404) return null;
      if (ok(result.status)) {
        return result.response.text().then(function (text) {
          try {
            return JSON.parse(text);
          } catch (error) {
            return text;
          }
        });
      }
      if (!transient(result.status) || tries > 1) throw new Error("GET " + path.split("?")[0] + ": " + (result.status || "no answer"));
      return new Promise(function (resolve) {
        root.setTimeout(resolve, 500);
      }).then(function () {
        return self.get(path, (tries || 0) + 1);
      });
    });
  };

  /** A document still waiting to be written is newer than the LRS's copy. */
  Client.prototype.getState = function (p) {
    var waiting = this.states[stateKey(p)];
    if (!waiting) return this.get("activities/state?" + stateKey(p));
    return Promise.resolve(waiting.type === "text/plain" ? waiting.body : JSON.parse(waiting.body));
  };

  Client.prototype.putState = function (p, doc) {
    var text = typeof doc === "string";
    this.states[stateKey(p)] = { body: text ? doc : JSON.stringify(doc), type: text ? "text/plain" : "application/json" };
    this.save();
    return this.flush();
  };

  Client.prototype.getAgentProfile = function (agent, profileId) {
    return this.get("agents/profile?" + params({ agent: agent, profileId: profileId }));
  };

  // ------------------------------------------------------------------------ interactions as xAPI

  var KINDS = {
    single: "choice",
    multiple: "choice",
    "true-false": "true-false",
    "fill-in": "fill-in",
    numeric: "numeric",
    matching: "matching",
    sequencing: "sequencing",
    likert: "likert",
    text: "long-fill-in"
  };

  /** A response or key in the SCORM 2004 syntax xAPI uses: ids joined by [,], matched pairs by [.]. */
  function encode(type, q, value) {
    if (type === "true-false") return String(Boolean(value));
    if (type === "sequencing") return value.join("[,]");
    if (type === "matching") {
      return q.sources
        .filter(function (id) {
          return value[id];
        })
        .map(function (id) {
          return id + "[.]" + value[id];
        })
        .join("[,]");
    }
    if (KINDS[type] !== "choice") return String(value).trim();
    return q.choices
      .filter(function (id) {
        return value.indexOf(id) >= 0;
      })
      .join("[,]");
  }

  /** Every accepted answer (once, as the learner's answer is compared), or the one key; a range min[:]max. */
  function patterns(type, q) {
    if (type === "numeric" && typeof q.answer !== "number") return [(q.min === null ? "" : q.min) + "[:]" + (q.max === null ? "" : q.max)];
    if (type !== "fill-in") return [encode(type, q, KINDS[type] === "choice" ? q.correct : q.answer)];
    var seen = {};
    return q.accepted
      .filter(function (text) {
        var key = q.caseSensitive ? text : text.toLowerCase();
        return !seen[key] && (seen[key] = true);
      })
      .map(function (text) {
        return (q.caseSensitive ? "{case_matters=true}" : "") + text;
      });
  }

  function components(ids, texts, lang) {
    return ids.map(function (id) {
      var component = { id: id };
      if (texts && texts[id]) component.description = langMap(lang, texts[id]);
      return component;
    });
  }

  function interactionActivity(record, id, lang, texts) {
    var q = record.question;
    var t = texts || {};
    var definition = { type: INTERACTION, interactionType: KINDS[record.type] };
    if (t.prompt) {
      definition.name = langMap(lang, t.prompt.length > 120 ? t.prompt.slice(0, 119) + "\u2026" : t.prompt);
      definition.description = langMap(lang, t.prompt);
    }
    if (q) {
      definition.correctResponsesPattern = patterns(record.type, q);
      if (q.choices || q.items) definition.choices = components(q.choices || q.items, t.choices || t.items, lang);
      if (q.sources) {
        definition.source = components(q.sources, t.sources, lang);
        definition.target = components(q.targets, t.targets, lang);
      }
    }
    if (t.scale) definition.scale = components(Object.keys(t.scale), t.scale, lang);
    return { objectType: "Activity", id: id, definition: definition };
  }

  function interactionResult(record) {
    var type = record.type;
    var value = record.response;
    if (type === "sequencing") value = cf.scoring.sequenceOrder(record.question, value);
    if (type === "numeric" && !isNaN(cf.scoring.parseNumber(value))) value = cf.scoring.parseNumber(value);
    var result = { response: encode(type, record.question, value), duration: duration(record.latencyMs) };
    if (record.question) result.success = record.result === "correct";
    return result;
  }

  /**
   * The interaction id is "<activity>__<item>__<attempt>" (quiz.js, activities.js); ids may hold "__"
   * themselves, so the split chosen is one whose activity and item the course data knows.
   */
  function interactionTexts(data, record) {
    var base = record.id.replace(/__\d+$/, "");
    var texts = data.texts || {};
    var found = null;
    Object.keys(data.quizzes || {})
      .concat(Object.keys(data.surveys || {}))
      .forEach(function (activity) {
        var item = base.slice(activity.length + 2);
        var known = texts[activity] && texts[activity][item];
        if (base.indexOf(activity + "__") || (record.question && record.question.id !== item) || (found && found.texts)) return;
        found = { path: activity + "/" + item, texts: known || null };
      });
    return found;
  }

  cf.xapi = {
    VERSION: VERSION,
    TEXT_LIMIT: TEXT_LIMIT,
    uuid: uuid,
    timestamp: timestamp,
    duration: duration,
    query: query,
    langMap: langMap,
    client: function (options) {
      return new Client(options);
    },
    interactionActivity: interactionActivity,
    interactionResult: interactionResult,
    interactionTexts: interactionTexts
  };
})(window);
