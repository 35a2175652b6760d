/*
 * SCORM 1.2 adapter. Defensive by design: LMSs nest frames unpredictably, implement only the mandatory
 * elements, return null during unload and report errors through LMSGetLastError. Every call is wrapped,
 * warned about and survived; the course never stops because the LMS misbehaved.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var MAX_HOPS = 7;
  var RANK = { "not attempted": 0, "": 0, browsed: 1, incomplete: 1, failed: 2, completed: 3, passed: 4 };
  var FINAL = { passed: true, completed: true, failed: true };
  var TYPES = {
    single: "choice",
    multiple: "choice",
    "true-false": "true-false",
    "fill-in": "fill-in",
    numeric: "numeric",
    matching: "matching",
    sequencing: "sequencing",
    likert: "likert",
    text: "fill-in"
  };
  var MAX_TEXT = 255;

  /** Reading a property of a cross-origin window throws; such a window simply has no API for us. */
  function apiOf(win) {
    try {
      var api = win.API;
      return api && typeof api.LMSInitialize === "function" ? api : null;
    } catch (error) {
      return null;
    }
  }

  function parentOf(win) {
    try {
      return win.parent;
    } catch (error) {
      return null;
    }
  }

  /** The ADL search: up the parents while there is no API, at most 7 hops. Never API_1484_11. */
  function search(win) {
    var hops = 0;
    while (win && !apiOf(win)) {
      var parent = parentOf(win);
      if (!parent || parent === win || hops >= MAX_HOPS) return null;
      win = parent;
      hops += 1;
    }
    return win ? apiOf(win) : null;
  }

  /** This window and its parents first, then the window that opened us and its parents. */
  function findApi(win) {
    var api = search(win);
    if (api) return api;
    try {
      return win.opener ? search(win.opener) : null;
    } catch (error) {
      return null;
    }
  }

  function pad(value, width) {
    var text = String(value);
    while (text.length < width) text = "0" + text;
    return text;
  }

  /** CMITimespan HHHH:MM:SS.SS (hours capped at 9999). */
  function timespan(ms) {
    var centis = Math.min(Math.max(0, Math.round(ms / 10)), 9999 * 360000 + 359999);
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor((centis % 360000) / 6000);
    var seconds = (centis % 6000) / 100;
    return pad(hours, 4) + ":" + pad(minutes, 2) + ":" + pad(seconds.toFixed(2), 5);
  }

  /** CMITime HH:MM:SS, the learner's local time of day. */
  function timeOfDay(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  /** CMIDecimal without exponent, at most two decimals. */
  function decimal(value) {
    return String(Math.round(value * 100) / 100);
  }

  /** Choices, sources, targets and items are single letters a..z by authored position. */
  function letter(list, id) {
    var index = list.indexOf(id);
    return index >= 0 && index < 26 ? String.fromCharCode(97 + index) : "";
  }

  function letters(list, ids) {
    return ids
      .map(function (id) {
        return letter(list, id);
      })
      .filter(Boolean);
  }

  function sortedLetters(list, ids) {
    return letters(list, ids).sort().join(",");
  }

  function pairs(question, map) {
    return question.sources
      .filter(function (id) {
        return map[id];
      })
      .map(function (id) {
        return letter(question.sources, id) + "." + letter(question.targets, map[id]);
      })
      .join(",");
  }

  /** student_response in SCORM 1.2 syntax; null when there is nothing valid to send. */
  var responses = {
    single: function (q, r) {
      return sortedLetters(q.choices, r);
    },
    multiple: function (q, r) {
      return sortedLetters(q.choices, r);
    },
    "true-false": function (q, r) {
      return r ? "t" : "f";
    },
    "fill-in": function (q, r) {
      return String(r).trim().slice(0, MAX_TEXT);
    },
    numeric: function (q, r) {
      var value = cf.scoring.parseNumber(r);
      return isNaN(value) ? null : String(value);
    },
    matching: pairs,
    sequencing: function (q, r) {
      return letters(q.items, cf.scoring.sequenceOrder(q, r)).join(",");
    },
    // Likert: the 1-based scale position as one character, 1..9 then a..z (one char is 1.2's format).
    likert: function (q, r) {
      return (r + 1).toString(36);
    },
    text: function (q, r) {
      return String(r).trim().slice(0, MAX_TEXT);
    }
  };

  /** correct_responses.0.pattern; null where 1.2 has no syntax for the key (numeric ranges, surveys). */
  var patterns = {
    single: function (q) {
      return sortedLetters(q.choices, q.correct);
    },
    multiple: function (q) {
      return sortedLetters(q.choices, q.correct);
    },
    "true-false": function (q) {
      return q.answer ? "t" : "f";
    },
    "fill-in": function (q) {
      return q.accepted[0].slice(0, MAX_TEXT);
    },
    numeric: function (q) {
      return typeof q.answer === "number" ? String(q.answer) : null;
    },
    matching: function (q) {
      return pairs(q, q.answer);
    },
    sequencing: function (q) {
      return letters(q.items, q.answer).join(",");
    }
  };

  /** @constructor One LMS session through a SCORM 1.2 API object. */
  function Scorm12(api) {
    this.api = api;
    this.mode = "scorm12";
    this.started = Date.now();
    this.finished = false;
    this.values = {};
    this.status = "";
    this.exit = null;
    this.interactions = null;
    this.dirty = false;
  }

  /** Calls an API method; exceptions become warnings and a null result. */
  Scorm12.prototype.call = function (method, args) {
    try {
      return this.api[method].apply(this.api, args);
    } catch (error) {
      this.warn(method + " threw: " + error);
      return null;
    }
  };

  Scorm12.prototype.warn = function (message) {
    if (root.console) root.console.warn("courseforge SCORM 1.2: " + message);
  };

  /** The LMS's last error code ("0" when none), read without throwing. */
  Scorm12.prototype.lastError = function () {
    var code = this.call("LMSGetLastError", []);
    return code === null || code === undefined || code === "" ? "0" : String(code);
  };

  Scorm12.prototype.report = function (what) {
    var code = this.lastError();
    if (code === "0") return;
    this.warn(what + " failed: " + code + " " + String(this.call("LMSGetErrorString", [code])));
  };

  /** A call returning "true"/"false"; null (Cornerstone during unload) is tolerated silently. */
  Scorm12.prototype.command = function (method, args, what) {
    var result = this.call(method, args);
    var ok = String(result) === "true";
    if (!ok && result !== null && result !== undefined) this.report(what || method);
    return ok;
  };

  /** @returns {?string} the value, or null when the LMS reports an error (e.g. not implemented) */
  Scorm12.prototype.get = function (element) {
    var value = this.call("LMSGetValue", [element]);
    var code = this.lastError();
    if (code !== "0") {
      this.warn("LMSGetValue(" + element + ") failed: " + code);
      return null;
    }
    return value === null || value === undefined ? "" : String(value);
  };

  Scorm12.prototype.set = function (element, value) {
    var ok = this.command("LMSSetValue", [element, String(value)], "LMSSetValue(" + element + ")");
    if (ok) this.dirty = true;
    return ok;
  };

  /** Sets only when the value changed, so frequent checkpoints stay cheap for the LMS. */
  Scorm12.prototype.setOnce = function (element, value) {
    if (this.values[element] === value) return;
    if (this.set(element, value)) this.values[element] = value;
  };

  Scorm12.prototype.initialize = function () {
    if (!this.command("LMSInitialize", [""])) return false;
    this.started = Date.now();
    this.status = this.get("cmi.core.lesson_status") || "";
    this.bookmark = this.get("cmi.core.lesson_location") || "";
    this.state = this.get("cmi.suspend_data") || "";
    this.entry = this.get("cmi.core.entry") || "";
    this.mastery = this.readMastery();
    var count = this.get("cmi.interactions._count");
    this.interactions = count === null ? null : parseInt(count, 10) || 0;
    if (RANK[this.status] === 0 || RANK[this.status] === undefined) this.writeStatus("incomplete");
    this.writeExit();
    return true;
  };

  /** The LMS's mastery score (from adlcp:masteryscore) when it gives a usable one. */
  Scorm12.prototype.readMastery = function () {
    var text = this.get("cmi.student_data.mastery_score");
    if (!text) return null;
    var value = Number(text);
    return isFinite(value) && value >= 0 && value <= 100 ? value : null;
  };

  Scorm12.prototype.getBookmark = function () {
    return this.bookmark;
  };

  Scorm12.prototype.getState = function () {
    return this.state;
  };

  Scorm12.prototype.getMasteryScore = function () {
    return this.mastery;
  };

  Scorm12.prototype.saveState = function (text) {
    this.setOnce("cmi.suspend_data", text);
  };

  Scorm12.prototype.setBookmark = function (screenId) {
    this.setOnce("cmi.core.lesson_location", screenId);
  };

  Scorm12.prototype.setScore = function (raw) {
    this.setOnce("cmi.core.score.raw", decimal(Math.max(0, Math.min(100, raw))));
    this.setOnce("cmi.core.score.min", "0");
    this.setOnce("cmi.core.score.max", "100");
  };

  /**
   * lesson_status from the neutral result. A scored course is passed only when also complete, failed
   * as soon as the rules say so, else incomplete; an unscored course is completed or incomplete.
   */
  function statusFor(result) {
    if (!result.scored) return result.completed ? "completed" : "incomplete";
    if (result.success === "failed") return "failed";
    return result.success === "passed" && result.completed ? "passed" : "incomplete";
  }

  /** Never sets "not attempted" and never moves down (passed > completed > failed > incomplete). */
  Scorm12.prototype.writeStatus = function (status) {
    if (!(RANK[status] > (RANK[this.status] || 0))) return;
    if (this.set("cmi.core.lesson_status", status)) this.status = status;
    this.writeExit();
  };

  Scorm12.prototype.setStatus = function (result) {
    this.writeStatus(statusFor(result));
  };

  /** "suspend" keeps our data for the next launch; a finished course exits normally (""). */
  Scorm12.prototype.writeExit = function () {
    var exit = FINAL[this.status] ? "" : "suspend";
    if (exit === this.exit) return;
    if (this.set("cmi.core.exit", exit)) this.exit = exit;
  };

  /** Writes one interaction; 1.2 interactions are write-only, so n is counted here from _count. */
  Scorm12.prototype.recordInteraction = function (record) {
    if (this.interactions === null) return;
    var prefix = "cmi.interactions." + this.interactions + ".";
    this.interactions += 1;
    if (!this.set(prefix + "id", record.id)) return;
    this.set(prefix + "type", TYPES[record.type]);
    this.set(prefix + "time", timeOfDay(record.time));
    if (record.weighting) this.set(prefix + "weighting", decimal(Math.min(100, record.weighting)));
    var response = responses[record.type](record.question, record.response);
    if (response !== null) this.set(prefix + "student_response", response);
    var pattern = patterns[record.type] ? patterns[record.type](record.question) : null;
    if (pattern !== null) this.set(prefix + "correct_responses.0.pattern", pattern);
    this.set(prefix + "result", record.result);
    this.set(prefix + "latency", timespan(record.latencyMs));
  };

  /** Commits only what is new: an empty commit is a request the LMS (and a closing page) can skip. */
  Scorm12.prototype.commit = function () {
    if (this.finished || !this.dirty) return;
    this.dirty = false;
    this.command("LMSCommit", [""]);
  };

  /** Session time, then LMSFinish, exactly once however many exit paths fire. */
  Scorm12.prototype.finish = function () {
    if (this.finished) return;
    this.finished = true;
    this.writeExit();
    this.set("cmi.core.session_time", timespan(Date.now() - this.started));
    this.command("LMSFinish", [""]);
  };

  cf.tracking.register({
    name: "scorm12",
    connect: function (win) {
      var api = findApi(win);
      return api ? new Scorm12(api) : null;
    }
  });

  cf.scorm12 = { findApi: findApi, timespan: timespan, timeOfDay: timeOfDay, responses: responses, patterns: patterns };
})(window);
