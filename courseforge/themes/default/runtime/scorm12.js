/*
 * SCORM 1.2 adapter, on the guarded session of scorm-api.js (shared with SCORM 2004): LMSs nest frames
 * unpredictably, implement only the mandatory elements, return null during unload and report errors
 * through LMSGetLastError; every call is wrapped, warned about and survived, so the course never stops
 * because the LMS misbehaved. The API is synchronous: each call happens inside the tracker method, and
 * the promises of the asynchronous interface resolve at once.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var scormApi = cf.scormApi;
  /** The ADL search looks for "API" only: a 1.2 package never binds to API_1484_11. */
  var SPEC = {
    label: "SCORM 1.2",
    global: "API",
    probe: "LMSInitialize",
    hops: 7,
    methods: { initialize: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
               commit: "LMSCommit", error: "LMSGetLastError", errorString: "LMSGetErrorString" },
    unsupported: ["401"],
    unset: []
  };
  var RANK = { "not attempted": 0, "": 0, browsed: 1, incomplete: 1, failed: 2, completed: 3, passed: 4 };
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
  var pad = scormApi.pad;
  var decimal = scormApi.decimal;

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

  /**
   * Every accepted answer of a fill-in, each a pattern of its own: once each (as the learner's answer is
   * compared), and none over 255 characters (CMIFeedback), since a cut answer would be a wrong key.
   */
  function acceptedPatterns(q) {
    var seen = {};
    return q.accepted.filter(function (text) {
      var key = q.caseSensitive ? text : text.toLowerCase();
      var fresh = text.length <= MAX_TEXT && !seen[key];
      seen[key] = true;
      return fresh;
    });
  }

  /** correct_responses.n.pattern values; none where 1.2 has no syntax for the key (numeric ranges, surveys). */
  function correctPatterns(type, q) {
    if (type === "fill-in") return acceptedPatterns(q);
    var pattern = patterns[type] ? patterns[type](q) : null;
    return pattern === null ? [] : [pattern];
  }

  /** The one correct_responses pattern of the other types; null where 1.2 has no syntax for the key. */
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
    scormApi.Session.call(this, api, SPEC);
    this.mode = "scorm12";
    this.started = Date.now();
    this.finished = false;
    this.status = "";
    this.exit = null;
    this.final = false;
  }

  Scorm12.prototype = Object.create(scormApi.Session.prototype);
  Scorm12.prototype.constructor = Scorm12;

  Scorm12.prototype.initialize = function () {
    return Promise.resolve(this.open());
  };

  /** LMSInitialize, then everything the getters answer is read once. */
  Scorm12.prototype.open = function () {
    if (!this.command("initialize")) return false;
    this.started = Date.now();
    this.status = this.get("cmi.core.lesson_status") || "";
    this.bookmark = this.get("cmi.core.lesson_location") || "";
    this.state = this.get("cmi.suspend_data") || "";
    this.entry = this.get("cmi.core.entry") || "";
    this.values["cmi.core.score.raw"] = this.get("cmi.core.score.raw") || "";
    this.mastery = this.readMastery();
    // Interactions are write-only in 1.2; an LMS that cannot say _count is numbered from our saved count.
    this.countInteractions();
    if (!RANK[this.status]) this.writeStatus("incomplete");
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

  /** 1.2's lesson_mode is not consulted: results are always sent, and the LMS decides what it keeps. */
  Scorm12.prototype.getLaunchMode = function () {
    return "normal";
  };

  Scorm12.prototype.exitUrl = function () {
    return null;
  };

  /** SCORM 1.2 records no screen views; lesson_location is the bookmark. */
  Scorm12.prototype.screenViewed = function () {};

  Scorm12.prototype.saveState = function (text) {
    this.setOnce("cmi.suspend_data", text);
  };

  Scorm12.prototype.setBookmark = function (screenId) {
    this.setOnce("cmi.core.lesson_location", screenId);
  };

  /**
   * null (no final score yet) leaves score.raw blank, clearing one the LMS holds (CMIBlank is a valid
   * value): an LMS that compares score.raw with the mastery score at LMSFinish then keeps "incomplete".
   * A completed or passed status is never taken back, and neither is the score that came with it.
   */
  Scorm12.prototype.setScore = function (raw) {
    if (raw === null) {
      if (RANK[this.status] < RANK.completed) this.setOnce("cmi.core.score.raw", "");
      return;
    }
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

  /**
   * The status the course rules give, except that "not attempted" is never set and completed or passed
   * never move down. A "failed" the LMS decided itself while attempts remain becomes "incomplete" again.
   */
  Scorm12.prototype.writeStatus = function (status) {
    if (!RANK[status] || status === this.status) return;
    if (RANK[this.status] >= RANK.completed && RANK[status] < RANK[this.status]) return;
    if (this.set("cmi.core.lesson_status", status)) this.status = status;
  };

  Scorm12.prototype.setStatus = function (result) {
    this.final = result.final;
    this.writeStatus(statusFor(result));
    this.writeExit();
  };

  /**
   * "suspend" keeps our data for the next launch whenever the course rules say the learner is not done,
   * whatever lesson_status the LMS reports; a finished course exits normally ("").
   */
  Scorm12.prototype.writeExit = function () {
    var exit = this.final ? "" : "suspend";
    if (exit === this.exit) return;
    if (this.set("cmi.core.exit", exit)) this.exit = exit;
  };

  /**
   * Writes one interaction; 1.2 interactions are write-only, so n is counted here and nothing is read
   * back. An LMS that refuses the id has no interactions: they are not tried again this session.
   */
  Scorm12.prototype.recordInteraction = function (record) {
    var prefix = this.openInteraction(record.id);
    if (prefix === null) return;
    this.set(prefix + "type", TYPES[record.type]);
    this.set(prefix + "time", timeOfDay(record.time));
    if (record.weighting) this.set(prefix + "weighting", decimal(Math.min(100, record.weighting)));
    var response = responses[record.type](record.question, record.response);
    if (response !== null) this.set(prefix + "student_response", response);
    if (record.question) {
      var self = this;
      correctPatterns(record.type, record.question).forEach(function (pattern, m) {
        self.set(prefix + "correct_responses." + m + ".pattern", pattern);
      });
    }
    this.set(prefix + "result", record.result);
    this.set(prefix + "latency", timespan(record.latencyMs));
  };

  /** The session so far; the LMS keeps the last value set, so a lost final commit costs only seconds. */
  Scorm12.prototype.writeSessionTime = function () {
    this.set("cmi.core.session_time", timespan(Date.now() - this.started));
  };

  /**
   * Commits only what is new (an empty commit is a request the LMS can skip), with the session time so far.
   * A commit refused or answered with null (LMSs do during page dismissal) is tried again at the next one.
   */
  Scorm12.prototype.commit = function () {
    var self = this;
    if (!this.finished) this.commitChanges(function () {
      self.writeSessionTime();
    });
    return Promise.resolve();
  };

  /** Session time, then LMSFinish, exactly once however many exit paths fire. */
  Scorm12.prototype.finish = function () {
    if (!this.finished) {
      this.finished = true;
      this.writeExit();
      this.writeSessionTime();
      this.command("finish");
    }
    return Promise.resolve();
  };

  cf.tracking.register({
    name: "scorm12",
    textLimit: MAX_TEXT,
    connect: function (win) {
      var api = scormApi.find(win, SPEC);
      return Promise.resolve(api ? new Scorm12(api) : null);
    }
  });

  cf.scorm12 = {
    findApi: function (win) {
      return scormApi.find(win, SPEC);
    },
    timespan: timespan,
    timeOfDay: timeOfDay,
    responses: responses,
    patterns: patterns,
    correctPatterns: correctPatterns
  };
})(window);
