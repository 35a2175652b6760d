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
 *                                        texts: the item's localized texts from course data
 *                                        (data.texts[<quiz or survey id>][<item id>], present when the
 *                                        format profile sets interaction_texts; runtime_data.py), or null
 *     cf.xapi.interactionResult(record) -> Result  {response (SCORM 2004 pattern syntax), success
 *                                        (quiz questions only), duration (the latency)}
 *     cf.xapi.interactionTexts(data, record) -> ?{path, texts}  the item's path "<activity>/<item>" (the
 *                                        object id is the course IRI + "/" + path) and its texts
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var VERSION = "1.0.3";
  var PREFIX = "courseforge.xapi ";
  var KEEPALIVE_BUDGET = 60000;
  /** Chrome allows 64 KiB of request bodies in flight with keepalive; headers and rounding need the rest. */
  var MAX_RETRY_MS = 30000;
  var QUICK_TRIES = [400, 1200];
  var INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction";

  function warn(message) {
    if (root.console) root.console.warn("courseforge xAPI: " + message);
  }

  function hex(byte) {
    return (byte + 256).toString(16).slice(1);
  }

  function uuid() {
    var bytes = [];
    var random = root.crypto && root.crypto.getRandomValues ? root.crypto.getRandomValues(new Uint8Array(16)) : null;
    for (var i = 0; i < 16; i++) bytes.push(random ? random[i] : Math.floor(Math.random() * 256));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var text = bytes.map(hex).join("");
    return [text.slice(0, 8), text.slice(8, 12), text.slice(12, 16), text.slice(16, 20), text.slice(20)].join("-");
  }

  function timestamp(date) {
    return (date || new Date()).toISOString();
  }

  function duration(ms) {
    var centis = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor((centis % 360000) / 6000);
    var seconds = String(Math.round(centis % 6000) / 100);
    return "PT" + (hours ? hours + "H" : "") + (minutes ? minutes + "M" : "") + seconds + "S";
  }

  function decode(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch (error) {
      return text;
    }
  }

  function query(search) {
    var values = {};
    String(search || "")
      .replace(/^\?/, "")
      .split("&")
      .forEach(function (part) {
        if (!part) return;
        var at = part.indexOf("=");
        var name = decode(at < 0 ? part : part.slice(0, at));
        if (!Object.prototype.hasOwnProperty.call(values, name)) values[name] = at < 0 ? "" : decode(part.slice(at + 1));
      });
    return values;
  }

  function langMap(lang, text) {
    if (!text) return null;
    var map = {};
    map[lang] = text;
    return map;
  }

  function utf8Length(text) {
    return unescape(encodeURIComponent(text)).length;
  }

  /** localStorage that may be missing, full or forbidden: the queue then lives in memory only. */
  function storage() {
    try {
      var store = root.localStorage;
      var probe = PREFIX + "probe";
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (error) {
      warn("localStorage is unavailable; queued statements last only while this page is open");
      return null;
    }
  }

  function params(values) {
    return Object.keys(values)
      .filter(function (name) {
        return values[name] !== undefined && values[name] !== null && values[name] !== "";
      })
      .map(function (name) {
        var value = values[name];
        return encodeURIComponent(name) + "=" + encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value));
      })
      .join("&");
  }

  function stateQuery(p) {
    return params({ activityId: p.activityId, agent: p.agent, registration: p.registration, stateId: p.stateId });
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      root.setTimeout(resolve, ms);
    });
  }

  /** Why a response means "try later": the LRS is unreachable, overloaded or failing. */
  function transient(status) {
    return status === 0 || status === 429 || status >= 500;
  }

  /** @constructor */
  function Client(options) {
    this.endpoint = String(options.endpoint || "").replace(/\/?$/, "/");
    this.auth = options.auth || "";
    this.key = PREFIX + this.endpoint + " " + (options.scope || "");
    this.batch = options.batch || 50;
    this.firstRetry = options.retryMs || 1000;
    this.retryMs = this.firstRetry;
    this.store = storage();
    this.timer = null;
    this.running = null;
    this.keepaliveBytes = 0;
    this.flying = {};
    this.statesFlying = {};
    this.waiters = [];
    this.load();
    var self = this;
    if (root.addEventListener) {
      root.addEventListener("online", function () {
        self.flush();
      });
    }
  }

  /** The persisted queue: statements in creation order, and the last document per state resource. */
  Client.prototype.load = function () {
    this.queue = [];
    this.states = {};
    var text = null;
    try {
      text = this.store ? this.store.getItem(this.key) : null;
    } catch (error) {
      text = null;
    }
    if (!text) return;
    try {
      var saved = JSON.parse(text);
      this.queue = Array.isArray(saved.statements) ? saved.statements : [];
      this.states = saved.states && typeof saved.states === "object" ? saved.states : {};
    } catch (error) {
      warn("the saved statement queue is unreadable and was dropped");
    }
  };

  Client.prototype.save = function () {
    if (!this.store) return;
    try {
      if (!this.queue.length && !Object.keys(this.states).length) this.store.removeItem(this.key);
      else this.store.setItem(this.key, JSON.stringify({ statements: this.queue, states: this.states }));
    } catch (error) {
      warn("could not save the statement queue (" + error + "); it is kept in memory");
    }
  };

  Client.prototype.setAuth = function (value) {
    this.auth = value || "";
  };

  Client.prototype.headers = function (contentType) {
    var headers = { "X-Experience-API-Version": VERSION };
    if (this.auth) headers.Authorization = this.auth;
    if (contentType) headers["Content-Type"] = contentType;
    return headers;
  };

  /** Keepalive room for a body of `size` bytes: reserved and true, or false when the budget is spent. */
  Client.prototype.reserve = function (size) {
    if (size > KEEPALIVE_BUDGET - this.keepaliveBytes) return false;
    this.keepaliveBytes += size;
    return true;
  };

  /**
   * One request; resolves with {status, response} and never rejects (status 0: no answer). With
   * `keepalive` the body goes with fetch keepalive when the budget has room, so a request in flight when
   * the page goes away still arrives; `sent(alive)` is told which it was before the request leaves.
   */
  Client.prototype.request = function (method, path, body, contentType, keepalive, sent) {
    var size = body ? utf8Length(body) : 0;
    var alive = Boolean(keepalive) && this.reserve(size);
    var self = this;
    var init = { method: method, headers: this.headers(contentType), body: body, keepalive: alive, cache: "no-store" };
    var settle = function (result) {
      if (alive) self.keepaliveBytes -= size;
      return result;
    };
    if (sent) sent(alive);
    var request;
    try {
      request = root.fetch(this.endpoint + path, init);
    } catch (error) {
      return Promise.resolve(settle({ status: 0, response: null, error: error }));
    }
    return request.then(
      function (response) {
        return settle({ status: response.status, response: response });
      },
      function (error) {
        return settle({ status: 0, response: null, error: error });
      }
    );
  };

  Client.prototype.statement = function (statement) {
    if (!statement.id) statement.id = uuid();
    if (!statement.timestamp) statement.timestamp = timestamp();
    this.queue.push(statement);
    this.save();
    return statement;
  };

  Client.prototype.send = function (statement) {
    var queued = this.statement(statement);
    return this.flush().then(function () {
      return queued;
    });
  };

  Client.prototype.pending = function () {
    return this.queue.length;
  };

  /** Takes the statements the LRS acknowledged (by id) out of the queue. */
  Client.prototype.delivered = function (ids) {
    var done = {};
    ids.forEach(function (id) {
      done[id] = true;
    });
    this.queue = this.queue.filter(function (statement) {
      return !done[statement.id];
    });
    this.save();
  };

  function describe(statement) {
    var verb = statement.verb && statement.verb.id ? statement.verb.id : "?";
    return "statement " + statement.id + " (" + verb + ")";
  }

  /** A refused statement is a bug in it: said once on the console, and dropped so the rest can go. */
  Client.prototype.drop = function (statement, status) {
    if (root.console) root.console.error("courseforge xAPI: the LRS refused " + describe(statement) + " with " + status + "; dropped");
    this.delivered([statement.id]);
  };

  Client.prototype.flush = function () {
    var self = this;
    if (this.running) return this.running;
    if (this.timer) {
      root.clearTimeout(this.timer);
      this.timer = null;
    }
    var failed = function (error) {
      warn("sending failed: " + error);
      return false;
    };
    this.running = this.drain(this.batch).then(null, failed).then(function (ok) {
      self.running = null;
      if (!ok) return self.retryLater();
      self.retryMs = self.firstRetry;
      if (self.sendable().length || self.stateKeys().length) return self.flush();
      self.checkIdle();
    });
    return this.running;
  };

  /** Queued statements not riding a keepalive request already (those arrive, or come back on failure). */
  Client.prototype.sendable = function () {
    var flying = this.flying;
    return this.queue.filter(function (statement) {
      return !flying[statement.id];
    });
  };

  /** State resources with a document to write that no keepalive request carries already. */
  Client.prototype.stateKeys = function () {
    var self = this;
    return Object.keys(this.states).filter(function (key) {
      return self.statesFlying[key] !== self.states[key];
    });
  };

  Client.prototype.retryLater = function () {
    var self = this;
    if (this.timer) return;
    var delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.timer = root.setTimeout(function () {
      self.timer = null;
      self.flush();
    }, delay);
  };

  /** Sends what is queued; resolves true when all went (or was dropped), false when the LRS must be retried. */
  Client.prototype.drain = function (size) {
    var self = this;
    var batch = this.sendable().slice(0, size);
    if (!batch.length) return this.drainStates();
    return this.postStatements(batch).then(function (result) {
      if (result.status >= 200 && result.status < 300) {
        self.delivered(batch.map(function (s) {
          return s.id;
        }));
        return self.drain(self.batch);
      }
      if (transient(result.status)) return false;
      if (batch.length > 1) return self.drain(1);
      if (result.status === 409) warn("the LRS already holds another statement with id " + batch[0].id + "; not sent again");
      if (result.status === 409) self.delivered([batch[0].id]);
      else self.drop(batch[0], result.status);
      return self.drain(self.batch);
    });
  };

  /** Statements riding a keepalive request are not sent again by flushKeepalive: they arrive anyway. */
  Client.prototype.postStatements = function (batch) {
    var flying = this.flying;
    var alive = false;
    var mark = function (sentAlive) {
      alive = sentAlive;
      batch.forEach(function (statement) {
        if (alive) flying[statement.id] = true;
      });
    };
    return this.request("POST", "statements", JSON.stringify(batch), "application/json", true, mark).then(function (result) {
      batch.forEach(function (statement) {
        if (alive) delete flying[statement.id];
      });
      return result;
    });
  };

  Client.prototype.stateBody = function (doc) {
    return typeof doc === "string" ? { body: doc, type: "text/plain" } : { body: JSON.stringify(doc), type: "application/json" };
  };

  Client.prototype.drainStates = function () {
    var self = this;
    var keys = this.stateKeys();
    if (!keys.length) return Promise.resolve(true);
    var key = keys[0];
    var pending = this.states[key];
    return this.putDocument(key, pending).then(function (result) {
      if (transient(result.status)) return false;
      if (self.states[key] === pending) delete self.states[key];
      if (result.status < 200 || result.status >= 300) {
        if (root.console) root.console.error("courseforge xAPI: the LRS refused the state document " + key + " with " + result.status + "; dropped");
      }
      self.save();
      return self.drainStates();
    });
  };

  /** A state PUT with keepalive; while it flies, flushKeepalive and drainStates leave that document be. */
  Client.prototype.putDocument = function (key, pending) {
    var self = this;
    var mark = function (alive) {
      if (alive) self.statesFlying[key] = pending;
    };
    return this.request("PUT", "activities/state?" + pending.query, pending.body, pending.type, true, mark).then(function (result) {
      if (self.statesFlying[key] === pending) delete self.statesFlying[key];
      return result;
    });
  };

  Client.prototype.putState = function (p, doc) {
    var body = this.stateBody(doc);
    var query = stateQuery(p);
    this.states[query] = { query: query, body: body.body, type: body.type };
    this.save();
    return this.flush();
  };

  /** A GET with a few quick tries; null for 404, the document parsed by its content type. */
  Client.prototype.getDocument = function (path) {
    var self = this;
    var attempt = function (n) {
      return self.request("GET", path, undefined, "", false).then(function (result) {
        if (result.status === 404) return null;
        if (result.status >= 200 && result.status < 300) return read(result.response);
        if (transient(result.status) && n < QUICK_TRIES.length) {
          return wait(QUICK_TRIES[n]).then(function () {
            return attempt(n + 1);
          });
        }
        throw new Error("GET " + path.split("?")[0] + " answered " + (result.status || "nothing"));
      });
    };
    return attempt(0);
  };

  function read(response) {
    var type = response.headers.get("Content-Type") || "";
    return response.text().then(function (text) {
      if (type.indexOf("json") < 0) return text;
      try {
        return JSON.parse(text);
      } catch (error) {
        return text;
      }
    });
  }

  /** A state document still waiting to be written is newer than the LRS's copy: it wins. */
  Client.prototype.getState = function (p) {
    var waiting = this.states[stateQuery(p)];
    if (waiting) return Promise.resolve(waiting.type === "application/json" ? JSON.parse(waiting.body) : waiting.body);
    return this.getDocument("activities/state?" + stateQuery(p));
  };

  Client.prototype.getAgentProfile = function (agent, profileId) {
    return this.getDocument("agents/profile?" + params({ agent: agent, profileId: profileId }));
  };

  Client.prototype.idle = function () {
    var self = this;
    if (!this.running && !this.queue.length && !Object.keys(this.states).length) return Promise.resolve();
    return new Promise(function (resolve) {
      self.waiters.push(resolve);
    });
  };

  Client.prototype.checkIdle = function () {
    if (!this.running && !this.queue.length && !Object.keys(this.states).length) this.notifyIdle();
  };

  Client.prototype.notifyIdle = function () {
    var waiters = this.waiters;
    this.waiters = [];
    waiters.forEach(function (resolve) {
      resolve();
    });
  };

  /**
   * pagehide: everything not yet acknowledged goes now with keepalive, as much as the budget allows (a
   * request in flight without keepalive is cancelled with the page, so its statements go again; the LRS
   * answers a known id idempotently). What does not fit, or never gets an answer, stays queued.
   */
  Client.prototype.flushKeepalive = function () {
    var self = this;
    var budget = KEEPALIVE_BUDGET - this.keepaliveBytes;
    var batch = [];
    var size = 2;
    this.sendable().some(function (statement) {
      var length = utf8Length(JSON.stringify(statement)) + 1;
      if (size + length > budget) return true;
      batch.push(statement);
      size += length;
      return false;
    });
    var settled = function (result) {
      if (result.status >= 200 && result.status < 300) return self.checkIdle();
      self.retryLater();
    };
    if (batch.length) {
      this.postStatements(batch).then(function (result) {
        if (result.status >= 200 && result.status < 300) {
          self.delivered(batch.map(function (s) {
            return s.id;
          }));
        }
        settled(result);
      });
    }
    this.stateKeys().forEach(function (key) {
      var pending = self.states[key];
      self.putDocument(key, pending).then(function (result) {
        if (result.status >= 200 && result.status < 300 && self.states[key] === pending) {
          delete self.states[key];
          self.save();
        }
        settled(result);
      });
    });
  };

  // ------------------------------------------------------------------------ interactions as xAPI

  var INTERACTION_TYPES = {
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

  function components(ids, texts, lang) {
    return ids.map(function (id) {
      var component = { id: id };
      var description = langMap(lang, texts && texts[id]);
      if (description) component.description = description;
      return component;
    });
  }

  /** The ids of `chosen` in authored order (a choice response is a set). */
  function inOrder(list, chosen) {
    return list.filter(function (id) {
      return chosen.indexOf(id) >= 0;
    });
  }

  function pairs(q, map) {
    return q.sources
      .filter(function (id) {
        return map[id];
      })
      .map(function (id) {
        return id + "[.]" + map[id];
      })
      .join("[,]");
  }

  function numberText(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  /** correctResponsesPattern per type; null: any answer is right (surveys), so the field is left out. */
  var patterns = {
    single: function (q) {
      return [inOrder(q.choices, q.correct).join("[,]")];
    },
    multiple: function (q) {
      return [inOrder(q.choices, q.correct).join("[,]")];
    },
    "true-false": function (q) {
      return [q.answer ? "true" : "false"];
    },
    "fill-in": function (q) {
      var seen = {};
      var prefix = q.caseSensitive ? "{case_matters=true}" : "";
      return q.accepted
        .filter(function (text) {
          var key = q.caseSensitive ? text : text.toLowerCase();
          var fresh = !seen[key];
          seen[key] = true;
          return fresh;
        })
        .map(function (text) {
          return prefix + text;
        });
    },
    numeric: function (q) {
      if (typeof q.answer === "number") return [String(q.answer)];
      return [numberText(q.min) + "[:]" + numberText(q.max)];
    },
    matching: function (q) {
      return [pairs(q, q.answer)];
    },
    sequencing: function (q) {
      return [q.answer.join("[,]")];
    }
  };

  /** result.response in the same syntax as the patterns. */
  var responses = {
    single: function (q, r) {
      return inOrder(q.choices, r).join("[,]");
    },
    multiple: function (q, r) {
      return inOrder(q.choices, r).join("[,]");
    },
    "true-false": function (q, r) {
      return r ? "true" : "false";
    },
    "fill-in": function (q, r) {
      return String(r).trim();
    },
    numeric: function (q, r) {
      var value = cf.scoring.parseNumber(r);
      return isNaN(value) ? String(r).trim() : String(value);
    },
    matching: pairs,
    sequencing: function (q, r) {
      return cf.scoring.sequenceOrder(q, r).join("[,]");
    },
    likert: function (q, r) {
      return String(r);
    },
    text: function (q, r) {
      return String(r).trim();
    }
  };

  function shortName(text) {
    return text.length > 120 ? text.slice(0, 119) + "\u2026" : text;
  }

  function interactionActivity(record, id, lang, texts) {
    var q = record.question;
    var type = INTERACTION_TYPES[record.type];
    var definition = { type: INTERACTION, interactionType: type };
    var prompt = texts && texts.prompt;
    if (prompt) {
      definition.name = langMap(lang, shortName(prompt));
      definition.description = langMap(lang, prompt);
    }
    if (q && patterns[record.type]) definition.correctResponsesPattern = patterns[record.type](q);
    if (q && q.choices) definition.choices = components(q.choices, texts && texts.choices, lang);
    if (q && q.items) definition.choices = components(q.items, texts && texts.items, lang);
    if (q && q.sources) {
      definition.source = components(q.sources, texts && texts.sources, lang);
      definition.target = components(q.targets, texts && texts.targets, lang);
    }
    if (record.type === "likert" && texts && texts.scale) {
      definition.scale = texts.scale.map(function (label, index) {
        return { id: String(index), description: langMap(lang, label) };
      });
    }
    return { objectType: "Activity", id: id, definition: definition };
  }

  function interactionResult(record) {
    var result = { response: responses[record.type](record.question, record.response) };
    if (record.question) result.success = record.result === "correct";
    if (record.latencyMs >= 0) result.duration = duration(record.latencyMs);
    return result;
  }

  /**
   * The interaction id is "<activity>__<item>__<attempt>" (quiz.js, activities.js); ids may hold "__"
   * themselves, so the split is the one whose activity and item the course data knows.
   */
  function interactionTexts(data, record) {
    var base = record.id.replace(/__\d+$/, "");
    var texts = (data && data.texts) || {};
    var activities = Object.keys(data.quizzes || {}).concat(Object.keys(data.surveys || {}));
    var candidate = null;
    for (var i = 0; i < activities.length; i++) {
      var activity = activities[i];
      if (base.indexOf(activity + "__") !== 0) continue;
      var item = base.slice(activity.length + 2);
      if (record.question && record.question.id !== item) continue;
      var known = texts[activity] && texts[activity][item];
      var found = { path: activity + "/" + item, texts: known || null };
      if (known) return found;
      candidate = candidate || found;
    }
    return candidate;
  }

  cf.xapi = {
    VERSION: VERSION,
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
