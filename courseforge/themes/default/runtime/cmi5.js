/*
 * cmi5 AU adapter, mode "cmi5" (cmi5 Quartz; STANDARDS.md section 4). The LMS launches index.html with
 * endpoint, fetch, actor, registration and activityId (§8.1). The AU POSTs to fetch once for its token
 * (§8.2; kept in sessionStorage, so a reload within the session does not fetch again: a second fetch
 * fails by design), reads LMS.LaunchData (contextTemplate, launchMode, masteryScore, returnURL, moveOn;
 * §10) and the cmi5LearnerPreferences agent profile (§11: the package is built per locale, so a
 * language the learner does not prefer is only logged), then sends "cmi5 defined" statements:
 * initialized; completed once the completion rules are met, passed or failed once the verdict is final
 * (Normal mode only, each at most once per registration, never failed after passed, one of them per
 * session); terminated. Each carries the context template, the cmi5 category, and the moveOn category
 * when it carries success or completion; durations run from initialized; a score only on passed/failed
 * (scaled, and raw when whole), with the masteryscore extension when the LMS gave one. "cmi5 allowed"
 * statements have no cmi5 category: experienced per screen, progressed (progress extension) while the
 * required work grows, answered per question (Normal mode; full interaction definitions from cf.xapi),
 * their ids the publisher's AU id (the context template's grouping) + "/" + path, the quiz attempt in
 * the attempt-id context extension (the activity is the same in every attempt). Resume: one State
 * document {bookmark, state, interactions, sent} per registration (not written in Browse/Review).
 * exitUrl() is the returnURL: the player goes there after terminated. Facts mirror standards/cmi5.py
 * (a test holds them equal); statements travel through cf.xapi's persisted queue.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var CATEGORY_CMI5 = CMI5 + "context/categories/cmi5";
  var CATEGORY_MOVEON = CMI5 + "context/categories/moveon";
  var EXT_MASTERY = CMI5 + "context/extensions/masteryscore";
  var EXT_PROGRESS = CMI5 + "result/extensions/progress";
  var ATTEMPT = "http://id.tincanapi.com/extension/attempt-id";
  var LAUNCH_DATA = "LMS.LaunchData";
  var PREFERENCES = "cmi5LearnerPreferences";
  var STATE_ID = "courseforge.resume";
  var LAUNCH = ["endpoint", "fetch", "actor", "registration", "activityId"];
  var MODES = { Normal: "normal", Browse: "browse", Review: "review" };
  var ACTIVITIES = "http://adlnet.gov/expapi/activities/";
  var TYPES = { page: "module", checklist: "module", quiz: "assessment", survey: "assessment" };

  function log(level, message) {
    if (root.console) root.console[level]("courseforge cmi5: " + message);
  }

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function activity(id) {
    return { objectType: "Activity", id: id };
  }

  /** @constructor One AU session; `session` is what survives a reload of this launch (sessionStorage). */
  function Cmi5(win, launch, data) {
    this.win = win;
    this.launch = launch;
    this.data = data;
    this.lang = data.course.language;
    this.key = "courseforge.cmi5 " + launch.fetch;
    this.session = this.recall();
    this.doc = { bookmark: "", state: "", interactions: 0, sent: {} };
    this.progress = -1;
    this.score = null;
    var screens = (this.screens = {});
    data.screens.forEach(function (screen) {
      screens[screen.id] = screen;
    });
  }

  Cmi5.prototype.mode = "cmi5";

  Cmi5.prototype.recall = function () {
    try {
      var saved = JSON.parse(root.sessionStorage.getItem(this.key));
      if (saved && saved.sent) return saved;
    } catch (error) {
      log("warn", "a reload of this page cannot resume the session (" + error + ")");
    }
    return { token: "", started: 0, initialized: false, terminated: false, sent: {} };
  };

  Cmi5.prototype.keep = function () {
    try {
      root.sessionStorage.setItem(this.key, JSON.stringify(this.session));
    } catch (error) {
      log("warn", "the session lives in memory only (" + error + ")");
    }
  };

  /** The one-time fetch (§8.2): a POST, answered 200 with {"auth-token"} or {"error-code", "error-text"}. */
  Cmi5.prototype.token = function () {
    var self = this;
    if (this.session.token) return Promise.resolve(this.session.token);
    return root
      .fetch(this.launch.fetch, { method: "POST", cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        var token = body && body["auth-token"];
        if (!token) throw new Error("the fetch URL gave no token (error " + (body && body["error-code"]) + ": " + (body && body["error-text"]) + ")");
        self.session.token = token;
        self.keep();
        return token;
      });
  };

  Cmi5.prototype.stateParams = function (stateId) {
    var launch = this.launch;
    return { activityId: launch.activityId, agent: launch.actor, registration: launch.registration, stateId: stateId };
  };

  Cmi5.prototype.initialize = function () {
    var self = this;
    var launch = this.launch;
    if (this.session.terminated) {
      log("warn", "this session is terminated; launch the course again from the LMS");
      return Promise.resolve(false);
    }
    return this.token()
      .then(function (token) {
        // One queue per session (the fetch URL is the launch's): a statement left queued by an earlier session
        // could only go with that session's token, which the LMS revoked when it launched this one.
        self.client = cf.xapi.client({ endpoint: launch.endpoint, auth: "Basic " + token, scope: launch.registration + " " + launch.fetch });
        return Promise.all([
          self.client.getState(self.stateParams(LAUNCH_DATA)),
          self.client.getAgentProfile(launch.actor, PREFERENCES).then(null, function () {
            return null;
          }),
          self.client.getState(self.stateParams(STATE_ID)).then(null, function (error) {
            log("warn", "starting afresh: the saved progress cannot be read (" + error.message + ")");
            return null;
          })
        ]);
      })
      .then(function (found) {
        return self.start(found[0], found[1], found[2]);
      })
      .then(null, function (error) {
        log("warn", "not connected: " + error.message);
        return false;
      });
  };

  Cmi5.prototype.start = function (launchData, preferences, saved) {
    if (!launchData || typeof launchData.contextTemplate !== "object") throw new Error("no LMS.LaunchData with a contextTemplate");
    this.template = launchData.contextTemplate;
    this.launchMode = MODES[launchData.launchMode] || "normal";
    this.moveOn = launchData.moveOn || "";
    this.returnURL = launchData.returnURL || null;
    var mastery = Number(launchData.masteryScore);
    this.mastery = launchData.masteryScore === undefined || isNaN(mastery) ? null : mastery;
    var grouping = [].concat((this.template.contextActivities || {}).grouping || []);
    this.base = grouping.length && grouping[0].id ? grouping[0].id : this.launch.activityId;
    this.languages = String((preferences && preferences.languagePreference) || "").split(",").filter(Boolean);
    if (this.languages.length && !this.prefers(this.lang)) log("info", "the learner prefers " + this.languages.join(", ") + "; this package is in " + this.lang);
    if (saved && saved.sent) this.doc = saved;
    this.written = JSON.stringify(this.doc);
    if (!this.session.initialized) {
      this.session.started = Date.now();
      this.session.initialized = true;
      this.defined("initialized");
      this.keep();
    }
    this.started = this.session.started;
    return true;
  };

  /** Whether a language tag (or its primary language) is among the learner's preferences. */
  Cmi5.prototype.prefers = function (lang) {
    var primary = lang.split("-")[0].toLowerCase();
    return this.languages.some(function (tag) {
      var want = tag.trim().toLowerCase();
      return want === lang.toLowerCase() || want.split("-")[0] === primary;
    });
  };

  /**
   * The context template, never overwritten (§10): the registration and language where it has none,
   * `categories` appended to its category list, `extensions` added beside its own (the session id).
   */
  Cmi5.prototype.context = function (categories, extensions, activities) {
    var context = copy(this.template);
    var lists = (context.contextActivities = context.contextActivities || {});
    if (!context.registration) context.registration = this.launch.registration;
    if (!context.language) context.language = this.lang;
    Object.keys(activities || {}).forEach(function (kind) {
      lists[kind] = [].concat(lists[kind] || [], activities[kind]);
    });
    if (categories.length) lists.category = [].concat(lists.category || [], categories.map(activity));
    var own = (context.extensions = context.extensions || {});
    Object.keys(extensions || {}).forEach(function (name) {
      if (!(name in own)) own[name] = extensions[name];
    });
    return context;
  };

  Cmi5.prototype.statement = function (verb, object, context, result, time) {
    var statement = { actor: this.launch.actor, verb: { id: VERBS + verb, display: { "en-US": verb } }, object: object, context: context };
    if (result) statement.result = result;
    if (time) statement.timestamp = cf.xapi.timestamp(time);
    this.client.statement(statement);
  };

  /** A "cmi5 defined" statement about the AU; `judged`: it carries success or completion (moveOn category). */
  Cmi5.prototype.defined = function (verb, result, judged, extensions) {
    var categories = judged ? [CATEGORY_CMI5, CATEGORY_MOVEON] : [CATEGORY_CMI5];
    this.statement(verb, activity(this.launch.activityId), this.context(categories, extensions), result);
  };

  /** A "cmi5 allowed" statement: no cmi5 category, inside the session (after initialized, before terminated). */
  Cmi5.prototype.allowed = function (verb, object, parent, result, time, extensions) {
    if (this.finished) return;
    this.statement(verb, object, this.context([], extensions, { parent: [parent || activity(this.launch.activityId)] }), result, time);
  };

  Cmi5.prototype.screen = function (id) {
    var screen = this.screens[id] || {};
    var definition = { type: ACTIVITIES + (TYPES[screen.kind] || "module") };
    var name = cf.xapi.langMap(this.lang, screen.title);
    if (name) definition.name = name;
    return { objectType: "Activity", id: this.base + "/" + id, definition: definition };
  };

  Cmi5.prototype.normal = function () {
    return this.launchMode === "normal";
  };

  Cmi5.prototype.getBookmark = function () {
    return this.doc.bookmark;
  };

  Cmi5.prototype.getState = function () {
    return this.doc.state;
  };

  /** LaunchData masteryScore as a percent (it has at most 4 decimals, so 2 here). */
  Cmi5.prototype.getMasteryScore = function () {
    return this.mastery === null ? null : Math.round(this.mastery * 10000) / 100;
  };

  Cmi5.prototype.getLaunchMode = function () {
    return this.launchMode;
  };

  /** The learner's languages from cmi5LearnerPreferences, in order of preference (§11.1). */
  Cmi5.prototype.getLanguagePreference = function () {
    return this.languages.slice();
  };

  Cmi5.prototype.exitUrl = function () {
    return this.returnURL;
  };

  Cmi5.prototype.interactionCount = function () {
    return this.doc.interactions;
  };

  Cmi5.prototype.continueInteractions = function (saved) {
    this.doc.interactions = Math.max(saved, this.doc.interactions);
  };

  Cmi5.prototype.saveState = function (text) {
    this.doc.state = text;
  };

  Cmi5.prototype.setBookmark = function (screenId) {
    this.doc.bookmark = screenId;
  };

  Cmi5.prototype.screenViewed = function (screen) {
    this.allowed("experienced", this.screen(screen.id));
  };

  /** answered, with the question's full interaction definition; results are not recorded in Browse/Review. */
  Cmi5.prototype.recordInteraction = function (record) {
    var found = cf.xapi.interactionTexts(this.data, record);
    if (this.finished || !found || !this.normal()) return;
    var object = cf.xapi.interactionActivity(record, this.base + "/" + found.path, this.lang, found.texts);
    var extensions = {};
    extensions[ATTEMPT] = Number(record.id.split("__").pop()) || 1;
    this.allowed("answered", object, this.screen(found.path.split("/")[0]), cf.xapi.interactionResult(record), record.time, extensions);
    this.doc.interactions += 1;
  };

  Cmi5.prototype.setScore = function (percent) {
    this.score = percent;
  };

  Cmi5.prototype.duration = function () {
    return cf.xapi.duration(Date.now() - this.started);
  };

  /** passed/failed result: success, duration, and the score (scaled; raw, min and max when the percent is whole). */
  Cmi5.prototype.verdict = function (passed) {
    var result = { success: passed, duration: this.duration() };
    if (typeof this.score === "number") {
      var percent = Math.round(Math.max(0, Math.min(100, this.score)) * 100) / 100;
      result.score = { scaled: Math.round(percent * 100) / 10000 };
      if (Math.floor(percent) === percent) {
        result.score.raw = percent;
        result.score.min = 0;
        result.score.max = 100;
      }
    }
    return result;
  };

  /** Records what the registration has had: saved at once, so a crash cannot make it send one twice. */
  Cmi5.prototype.mark = function (verb) {
    this.doc.sent[verb] = true;
    this.session.sent[verb] = true;
    this.keep();
    this.written = JSON.stringify(this.doc);
    this.client.putState(this.stateParams(STATE_ID), copy(this.doc));
  };

  Cmi5.prototype.setStatus = function (result) {
    var sent = this.doc.sent;
    var session = this.session.sent;
    var percent = Math.round(result.progress * 100) || 0;
    if (this.finished) return;
    if (percent > this.progress && (this.progress >= 0 || percent > 0) && !result.completed && !sent.completed) {
      var extensions = {};
      extensions[EXT_PROGRESS] = percent;
      this.allowed("progressed", activity(this.launch.activityId), null, { extensions: extensions });
    }
    this.progress = Math.max(this.progress, percent);
    if (!this.normal()) return;
    if (result.completed && !sent.completed && !session.completed) {
      this.defined("completed", { completion: true, duration: this.duration() }, true);
      this.mark("completed");
    }
    var verdict = result.success;
    if (!result.scored || !result.final || (verdict !== "passed" && verdict !== "failed")) return;
    if (sent.passed || sent[verdict] || session.passed || session.failed) return;
    var extra = null;
    if (this.mastery !== null) {
      extra = {};
      extra[EXT_MASTERY] = this.mastery;
    }
    this.defined(verdict, this.verdict(verdict === "passed"), true, extra);
    this.mark(verdict);
  };

  /** The State document when it changed (Normal mode), then every statement queued; never rejects. */
  Cmi5.prototype.commit = function () {
    if (!this.client) return Promise.resolve();
    var text = JSON.stringify(this.doc);
    if (this.normal() && text !== this.written) this.client.putState(this.stateParams(STATE_ID), JSON.parse((this.written = text)));
    return this.client.flush();
  };

  /** terminated (the last statement of the session), then all that is queued, also with keepalive. Once. */
  Cmi5.prototype.finish = function () {
    if (this.finished || !this.client) return Promise.resolve();
    this.defined("terminated", { duration: this.duration() });
    this.finished = true;
    this.session.terminated = true;
    this.keep();
    var done = this.commit();
    this.client.flushKeepalive(true); // in order: terminated must not overtake statements still in flight
    var client = this.client;
    return done.then(function () {
      return client.settled();
    });
  };

  cf.tracking.register({
    name: "cmi5",
    textLimit: cf.xapi.TEXT_LIMIT,
    connect: function (win) {
      try {
        var launch = cf.xapi.query(win.location.search);
        var missing = LAUNCH.filter(function (name) {
          return !launch[name];
        });
        if (missing.length) return Promise.resolve(null);
        launch.actor = JSON.parse(launch.actor);
        return Promise.resolve(new Cmi5(win, launch, JSON.parse(win.document.getElementById("cf-data").textContent)));
      } catch (error) {
        log("warn", "not a cmi5 launch: " + error);
        return Promise.resolve(null);
      }
    }
  });
})(window);
