/*
 * SCORM 2004 4th edition adapter (API_1484_11), on the guarded session of scorm-api.js. Completion and
 * success are reported separately; the score goes out only once it is final (an LMS with
 * cmi.scaled_passing_score judges score.scaled against it, and a partial score would fail a learner still
 * working); exit is "suspend" until the learner is done, and adl.nav.request tells the LMS what to do
 * after Terminate: "suspendAll" to keep the attempt for a resume, else "continue" when the LMS says it is
 * valid, or "exitAll". The limits below mirror courseforge/standards/scorm2004.py.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var scormApi = cf.scormApi;
  var SPEC = {
    label: "SCORM 2004",
    global: "API_1484_11",
    probe: "Initialize",
    hops: 500,
    methods: { initialize: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit",
               error: "GetLastError", errorString: "GetErrorString" },
    unsupported: ["401", "402"],
    unset: ["403"]
  };
  var FILL_IN = 250;
  var LONG_FILL_IN = 4000;
  var DESCRIPTION = 250;
  var FILL_IN_PATTERNS = 5;
  var MODES = { normal: 1, browse: 1, review: 1 };
  var TYPES = {
    single: "choice",
    multiple: "choice",
    "true-false": "true-false",
    numeric: "numeric",
    matching: "matching",
    sequencing: "sequencing",
    likert: "likert",
    text: "long-fill-in"
  };

  /**
   * A learner's text as a localized string: one line (scorm-again and others refuse line breaks), cut to
   * the limit, never starting with "{" (which would read as a {lang=} delimiter) and, in a fill-in list,
   * without the "[,]" separator.
   */
  function text(value, limit) {
    var line = String(value).replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").trim().replace(/\[,\]/g, "[ ,]");
    if (line.charAt(0) === "{") line = " " + line;
    return line.slice(0, limit);
  }

  /** A CMIDecimal: no exponent, at most 7 decimals; null when 2004 cannot write the number. */
  function number(value) {
    if (!isFinite(value) || Math.abs(value) >= 1e10) return null;
    return scormApi.decimal(value, 7);
  }

  /** A numeric key's range "min[:]max" (an open end left empty); null when a bound cannot be written. */
  function range(min, max) {
    var low = min === null || min === undefined ? "" : number(min);
    var high = max === null || max === undefined ? "" : number(max);
    return low === null || high === null ? null : low + "[:]" + high;
  }

  /** ISO 8601 duration, seconds with at most two decimals (PT1H2M3.45S). */
  function duration(ms) {
    var centis = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor((centis % 360000) / 6000);
    var seconds = (centis % 6000) / 100;
    return "PT" + (hours ? hours + "H" : "") + (minutes ? minutes + "M" : "") + seconds + "S";
  }

  /** A CMITime in UTC; the time zone needs the fraction of a second before it. */
  function timestamp(date) {
    var pad = scormApi.pad;
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1, 2) + "-" + pad(date.getUTCDate(), 2) + "T" +
      pad(date.getUTCHours(), 2) + ":" + pad(date.getUTCMinutes(), 2) + ":" + pad(date.getUTCSeconds(), 2) + "." +
      pad(Math.floor(date.getUTCMilliseconds() / 10), 2) + "Z";
  }

  /** Ids in authored order, joined by the list delimiter. */
  function list(authored, ids) {
    return authored
      .filter(function (id) {
        return ids.indexOf(id) >= 0;
      })
      .join("[,]");
  }

  function pairs(question, map) {
    return question.sources
      .filter(function (id) {
        return map[id];
      })
      .map(function (id) {
        return id + "[.]" + map[id];
      })
      .join("[,]");
  }

  /** A fill-in whose answer or key outgrows fill-in's 250 characters is recorded as long-fill-in. */
  function typeOf(record) {
    if (record.type !== "fill-in") return TYPES[record.type];
    var long = String(record.response).trim().length > FILL_IN || record.question.accepted.some(function (answer) {
      return answer.length > FILL_IN;
    });
    return long ? "long-fill-in" : "fill-in";
  }

  /** learner_response in SCORM 2004 syntax (ids, [,] [.]); null when there is nothing valid to send. */
  function response(record, type) {
    var q = record.question;
    var r = record.response;
    switch (record.type) {
      case "single":
      case "multiple":
        return list(q.choices, r) || null;
      case "true-false":
        return r ? "true" : "false";
      case "numeric":
        return number(cf.scoring.parseNumber(r));
      case "matching":
        return pairs(q, r) || null;
      case "sequencing":
        return cf.scoring.sequenceOrder(q, r).join("[,]") || null;
      case "likert":
        return String(r + 1);
      default:
        return text(r, type === "fill-in" ? FILL_IN : LONG_FILL_IN);
    }
  }

  /**
   * Every accepted answer of a fill-in, each a pattern of its own (the LMS keeps 5 for sure), once each as
   * the learner's answer is compared; {case_matters=true} where case counts (2004's default is false).
   * scorm-again refuses the prefix on long-fill-in, where the key is then written as is.
   */
  function acceptedPatterns(q, type) {
    var seen = {};
    var limit = type === "fill-in" ? FILL_IN : LONG_FILL_IN;
    var prefix = q.caseSensitive && type === "fill-in" ? "{case_matters=true}" : "";
    return q.accepted
      .filter(function (answer) {
        var key = q.caseSensitive ? answer : answer.toLowerCase();
        var fresh = answer.length <= limit && !seen[key];
        seen[key] = true;
        return fresh;
      })
      .slice(0, type === "fill-in" ? FILL_IN_PATTERNS : 1)
      .map(function (answer) {
        return prefix + text(answer, limit);
      });
  }

  /** correct_responses.n.pattern values; none for surveys (no key). */
  function correctPatterns(record, type) {
    var q = record.question;
    if (!q) return [];
    switch (record.type) {
      case "single":
      case "multiple":
        return [list(q.choices, q.correct)];
      case "true-false":
        return [q.answer ? "true" : "false"];
      case "numeric":
        return [typeof q.answer === "number" ? number(q.answer) : range(q.min, q.max)];
      case "matching":
        return [pairs(q, q.answer)];
      case "sequencing":
        return [q.answer.join("[,]")];
      default:
        return acceptedPatterns(q, type);
    }
  }

  /** The item's prompt from the course data (data.texts), for cmi.interactions.n.description. */
  function promptOf(data, id) {
    var base = id.replace(/__\d+$/, "");
    var texts = (data && data.texts) || {};
    var found = null;
    Object.keys(texts).forEach(function (activity) {
      Object.keys(texts[activity]).forEach(function (item) {
        if (activity + "__" + item === base) found = texts[activity][item].prompt;
      });
    });
    return found;
  }

  /** @constructor One learner session through API_1484_11. */
  function Scorm2004(api, data) {
    scormApi.Session.call(this, api, SPEC);
    this.data = data;
    this.lang = data && data.course ? data.course.language : "";
    this.mode = "scorm2004";
    this.started = Date.now();
    this.finished = false;
    this.final = false;
    this.completion = "";
    this.success = "";
    this.exit = null;
  }

  Scorm2004.prototype = Object.create(scormApi.Session.prototype);
  Scorm2004.prototype.constructor = Scorm2004;

  Scorm2004.prototype.initialize = function () {
    return Promise.resolve(this.open());
  };

  /**
   * Initialize, then everything the getters answer is read once. A new attempt (entry "ab-initio") starts
   * fresh whatever location and suspend_data an LMS still holds; "resume" (or an LMS that says "") resumes.
   */
  Scorm2004.prototype.open = function () {
    if (!this.command("initialize")) return false;
    this.started = Date.now();
    var fresh = this.get("cmi.entry") === "ab-initio";
    this.bookmark = fresh ? "" : this.get("cmi.location") || "";
    this.state = fresh ? "" : this.get("cmi.suspend_data") || "";
    this.completion = this.get("cmi.completion_status") || "";
    this.success = this.get("cmi.success_status") || "";
    this.launchMode = this.get("cmi.mode") || "normal";
    this.mastery = this.readMastery();
    this.countInteractions();
    if (this.completion !== "completed" && this.completion !== "incomplete") this.writeCompletion("incomplete");
    this.writeExit();
    return true;
  };

  /** cmi.scaled_passing_score (the primary objective's minNormalizedMeasure) as a percent, when usable. */
  Scorm2004.prototype.readMastery = function () {
    var text = this.get("cmi.scaled_passing_score");
    if (!text) return null;
    var value = Number(text);
    return isFinite(value) && value >= 0 && value <= 1 ? Math.round(value * 10000) / 100 : null;
  };

  Scorm2004.prototype.getBookmark = function () {
    return this.bookmark;
  };

  Scorm2004.prototype.getState = function () {
    return this.state;
  };

  Scorm2004.prototype.getMasteryScore = function () {
    return this.mastery;
  };

  /** cmi.mode: in browse and review the LMS records nothing, and the player says so. */
  Scorm2004.prototype.getLaunchMode = function () {
    return MODES[this.launchMode] ? this.launchMode : "normal";
  };

  Scorm2004.prototype.exitUrl = function () {
    return null;
  };

  /** SCORM 2004 records no screen views; cmi.location is the bookmark, progress_measure the progress. */
  Scorm2004.prototype.screenViewed = function () {};

  Scorm2004.prototype.saveState = function (text) {
    this.setOnce("cmi.suspend_data", text);
  };

  Scorm2004.prototype.setBookmark = function (screenId) {
    this.setOnce("cmi.location", screenId);
  };

  /**
   * raw in percent (two decimals), min 0, max 100, scaled = raw / 100. null (not final yet) writes nothing:
   * 2004 has no blank score, and none is sent before the result is final.
   */
  Scorm2004.prototype.setScore = function (percent) {
    if (percent === null) return;
    var raw = Math.round(Math.max(0, Math.min(100, percent)) * 100) / 100;
    this.setOnce("cmi.score.raw", scormApi.decimal(raw));
    this.setOnce("cmi.score.min", "0");
    this.setOnce("cmi.score.max", "100");
    this.setOnce("cmi.score.scaled", scormApi.decimal(raw / 100, 4));
  };

  /** completed is never taken back; "not attempted" and "unknown" are never written. */
  Scorm2004.prototype.writeCompletion = function (status) {
    if (status === this.completion || this.completion === "completed") return;
    if (this.set("cmi.completion_status", status)) this.completion = status;
  };

  /**
   * passed or failed once the result is final, right after its score (LMS reports break when a status
   * comes before the score), unknown while the learner is working: a "failed" the LMS decided itself then
   * becomes unknown again. passed is never taken back.
   */
  Scorm2004.prototype.writeSuccess = function (result) {
    var status = result.final ? result.success : "unknown";
    if (!result.scored || status === this.success || this.success === "passed") return;
    if (status === "unknown" && this.success !== "failed") return;
    if (this.set("cmi.success_status", status)) this.success = status;
  };

  /**
   * The share of required work done, for an LMS that decides completion by measure (the manifest's
   * completionThreshold is 1.0): 1 exactly when the rules say complete, below 1 until then.
   */
  Scorm2004.prototype.writeProgress = function (result) {
    if (typeof result.progress !== "number") return;
    var measure = result.completed ? 1 : Math.min(Math.floor(result.progress * 10000) / 10000, 0.9999);
    this.setOnce("cmi.progress_measure", String(Math.max(0, measure)));
  };

  Scorm2004.prototype.setStatus = function (result) {
    this.final = result.final;
    this.writeProgress(result);
    this.writeCompletion(result.completed ? "completed" : "incomplete");
    this.writeSuccess(result);
    this.writeExit();
  };

  /** "suspend" keeps our data for the next launch until the learner is done; then "normal". */
  Scorm2004.prototype.writeExit = function () {
    var exit = this.final ? "normal" : "suspend";
    if (exit === this.exit) return;
    if (this.set("cmi.exit", exit)) this.exit = exit;
  };

  /** One interaction in the 2004 formats: type first (the LMS checks responses against it). */
  Scorm2004.prototype.recordInteraction = function (record) {
    var prefix = this.openInteraction(record.id);
    if (prefix === null) return;
    var type = typeOf(record);
    this.set(prefix + "type", type);
    this.set(prefix + "timestamp", timestamp(record.time));
    var prompt = promptOf(this.data, record.id);
    if (prompt) this.set(prefix + "description", (this.lang ? "{lang=" + this.lang + "}" : "") + text(prompt, DESCRIPTION));
    if (record.weighting) this.set(prefix + "weighting", scormApi.decimal(record.weighting));
    var learner = response(record, type);
    if (learner !== null) this.set(prefix + "learner_response", learner);
    var self = this;
    correctPatterns(record, type).forEach(function (pattern, m) {
      if (pattern !== null) self.set(prefix + "correct_responses." + m + ".pattern", pattern);
    });
    this.set(prefix + "result", record.result === "wrong" ? "incorrect" : record.result);
    this.set(prefix + "latency", duration(record.latencyMs));
  };

  /** The session so far; the LMS keeps the last value set, so a lost final commit costs only seconds. */
  Scorm2004.prototype.writeSessionTime = function () {
    this.set("cmi.session_time", duration(Date.now() - this.started));
  };

  Scorm2004.prototype.commit = function () {
    var self = this;
    if (!this.finished) this.commitChanges(function () {
      self.writeSessionTime();
    });
    return Promise.resolve();
  };

  /**
   * What the LMS does after Terminate: keep the attempt suspended for a resume while the learner is not
   * done (exitAll would end it and drop its data); once done, go on if the LMS has a next activity, else
   * end the attempt so the LMS rolls the result up.
   */
  Scorm2004.prototype.navigationRequest = function () {
    if (!this.final) return "suspendAll";
    return this.get("adl.nav.request_valid.continue") === "true" ? "continue" : "exitAll";
  };

  /** Exit, session time and the navigation request, then Terminate, exactly once however many exit paths fire. */
  Scorm2004.prototype.finish = function () {
    if (!this.finished) {
      this.finished = true;
      this.writeExit();
      this.writeSessionTime();
      this.set("adl.nav.request", this.navigationRequest());
      this.command("finish");
    }
    return Promise.resolve();
  };

  /** The course data block, which holds the items' texts (for cmi.interactions.n.description). */
  function courseData(win) {
    try {
      return JSON.parse(win.document.getElementById("cf-data").textContent);
    } catch (error) {
      return null;
    }
  }

  cf.tracking.register({
    name: "scorm2004",
    textLimit: LONG_FILL_IN,
    connect: function (win) {
      var api = scormApi.find(win, SPEC);
      return Promise.resolve(api ? new Scorm2004(api, courseData(win)) : null);
    }
  });

  cf.scorm2004 = {
    duration: duration,
    timestamp: timestamp,
    response: response,
    correctPatterns: correctPatterns,
    typeOf: typeOf
  };
})(window);
