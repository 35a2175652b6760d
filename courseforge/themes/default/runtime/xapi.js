/*
 * xAPI (Tin Can) adapter, mode "xapi". The LMS launches index.html with the Tin Can launch query
 * (endpoint, auth, actor, registration, activity_id, activity_platform, grouping; RusticiSoftware/launch
 * lms_lrs.md). The course is one activity (activity_id, else the launchable activity of tincan.xml).
 * Statements: initialized; experienced per screen shown (the screen is IRI/<screen id>); progressed with
 * the progress extension while the required work grows (a score is never progress); answered per
 * question with its full interaction definition (IRI/<quiz>/<question>, parent the quiz, grouping the
 * course, the quiz attempt in the attempt-id context extension); completed once the course is complete; passed or failed only when the verdict is final, with
 * score, success, completion and duration; terminated. Each of completed/passed/failed goes once per
 * registration (the State document remembers). Resume: one State document {bookmark, state,
 * interactions, sent}. Tin Can has no LMS mastery score. Statements and state go through cf.xapi's
 * persisted queue: nothing is lost while the LRS is away, nothing is sent twice.
 * Facts mirrored from standards/xapi.py (a test holds them equal).
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var ACTIVITIES = "http://adlnet.gov/expapi/activities/";
  var TYPES = { page: "module", checklist: "module", quiz: "assessment" };
  var SURVEY = "http://id.tincanapi.com/activitytype/survey";
  var PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress";
  var ATTEMPT = "http://id.tincanapi.com/extension/attempt-id";
  var STATE_ID = "courseforge.resume";

  function warn(message) {
    if (root.console) root.console.warn("courseforge xAPI: " + message);
  }

  /**
   * The launch's actor as an Agent; the 0.95 form some LMSs still send ({"mbox": ["mailto:..."],
   * "account": [{"accountServiceHomePage", "accountName"}]}) keeps its first value of each.
   */
  function agentOf(text) {
    var actor = JSON.parse(text);
    var agent = { objectType: "Agent" };
    ["name", "mbox", "mbox_sha1sum", "openid", "account"].forEach(function (key) {
      var value = actor[key];
      if (value) agent[key] = Array.isArray(value) ? value[0] : value;
    });
    var account = agent.account;
    if (account) agent.account = { homePage: account.homePage || account.accountServiceHomePage, name: account.name || account.accountName };
    return agent;
  }

  /** @constructor */
  function Xapi(win, launch, data) {
    this.win = win;
    this.launch = launch;
    this.data = data;
    this.lang = data.course.language;
    this.doc = { bookmark: "", state: "", interactions: 0, sent: {} };
    this.progress = -1;
    var screens = (this.screens = {});
    data.screens.forEach(function (screen) {
      screens[screen.id] = screen;
    });
  }

  /** Without activity_id, the package's own id: the launchable activity of its tincan.xml. */
  Xapi.prototype.packageId = function () {
    return root.fetch("tincan.xml").then(function (response) {
      return response.text().then(function (text) {
        var launch = new root.DOMParser().parseFromString(text.replace(/^\uFEFF/, ""), "application/xml").getElementsByTagNameNS("*", "launch")[0];
        if (!response.ok || !launch) throw new Error("tincan.xml names no launchable activity");
        return launch.parentNode.getAttribute("id");
      });
    });
  };

  Xapi.prototype.initialize = function () {
    var self = this;
    var launch = this.launch;
    this.client = cf.xapi.client({ endpoint: launch.endpoint, auth: launch.auth, scope: launch.registration || launch.activity_id });
    return (launch.activity_id ? Promise.resolve(launch.activity_id) : this.packageId())
      .then(function (id) {
        self.id = id;
        return self.client.getState(self.stateParams()).then(
          function (saved) {
            if (saved && saved.sent) self.doc = saved;
            self.written = JSON.stringify(self.doc);
          },
          function (error) {
            warn("starting afresh: the saved progress cannot be read (" + error.message + ")");
          }
        );
      })
      .then(
        function () {
          self.started = Date.now();
          self.send("initialized");
          return true;
        },
        function (error) {
          warn("not connected: " + error.message);
          return false;
        }
      );
  };

  Xapi.prototype.stateParams = function () {
    return { activityId: this.id, agent: this.launch.actor, registration: this.launch.registration, stateId: STATE_ID };
  };

  Xapi.prototype.activity = function (path, type, title) {
    var definition = { type: type };
    var name = cf.xapi.langMap(this.lang, title);
    if (name) definition.name = name;
    return { objectType: "Activity", id: path ? this.id + "/" + path : this.id, definition: definition };
  };

  Xapi.prototype.course = function () {
    return this.activity("", ACTIVITIES + "course", this.win.document.title);
  };

  Xapi.prototype.screen = function (id) {
    var screen = this.screens[id] || {};
    return this.activity(id, screen.kind === "survey" ? SURVEY : ACTIVITIES + (TYPES[screen.kind] || "module"), screen.title);
  };

  /**
   * A statement queued at once (persisted) and sent at the next commit. Its object is the course unless
   * given; `parent` (a screen) makes the course the grouping; the launch's grouping is added to all.
   */
  Xapi.prototype.send = function (verb, result, object, parent, time, extensions) {
    var launch = this.launch;
    var context = { language: this.lang };
    var activities = {};
    var grouping = [];
    if (launch.registration) context.registration = launch.registration;
    if (launch.activity_platform) context.platform = launch.activity_platform;
    if (object) activities.parent = [parent || this.course()];
    if (parent) grouping.push({ objectType: "Activity", id: this.id });
    if (launch.grouping) grouping.push({ objectType: "Activity", id: launch.grouping });
    if (grouping.length) activities.grouping = grouping;
    if (object || grouping.length) context.contextActivities = activities;
    if (extensions) context.extensions = extensions;
    var statement = { actor: launch.actor, verb: { id: VERBS + verb, display: { "en-US": verb } }, object: object || this.course(), context: context };
    if (result) statement.result = result;
    if (time) statement.timestamp = cf.xapi.timestamp(time);
    this.client.statement(statement);
  };

  Xapi.prototype.mode = "xapi";

  Xapi.prototype.getBookmark = function () {
    return this.doc.bookmark;
  };

  Xapi.prototype.getState = function () {
    return this.doc.state;
  };

  Xapi.prototype.getMasteryScore = Xapi.prototype.exitUrl = function () {
    return null;
  };

  Xapi.prototype.getLaunchMode = function () {
    return "normal";
  };

  Xapi.prototype.interactionCount = function () {
    return this.doc.interactions;
  };

  Xapi.prototype.continueInteractions = function (saved) {
    this.doc.interactions = Math.max(saved, this.doc.interactions);
  };

  Xapi.prototype.saveState = function (text) {
    this.doc.state = text;
  };

  Xapi.prototype.setBookmark = function (screenId) {
    this.doc.bookmark = screenId;
  };

  Xapi.prototype.screenViewed = function (screen) {
    if (!this.finished) this.send("experienced", null, this.screen(screen.id));
  };

  Xapi.prototype.recordInteraction = function (record) {
    var found = cf.xapi.interactionTexts(this.data, record);
    if (this.finished || !found) return;
    var object = cf.xapi.interactionActivity(record, this.id + "/" + found.path, this.lang, found.texts);
    var extensions = {};
    extensions[ATTEMPT] = Number(record.id.split("__").pop()) || 1;
    this.send("answered", cf.xapi.interactionResult(record), object, this.screen(found.path.split("/")[0]), record.time, extensions);
    this.doc.interactions += 1;
  };

  Xapi.prototype.setScore = function (percent) {
    this.score = percent;
  };

  Xapi.prototype.duration = function () {
    return cf.xapi.duration(Date.now() - this.started);
  };

  /**
   * progressed while the required work grows (an integer percent; completed says 100); completed once the course is
   * complete; passed or failed once the verdict is final (not while attempts remain), never failed
   * after passed; each of the three once per registration.
   */
  Xapi.prototype.setStatus = function (result) {
    var sent = this.doc.sent;
    var percent = Math.round(result.progress * 100) || 0;
    var verdict = result.success;
    if (this.finished) return;
    if (percent > this.progress && (this.progress >= 0 || percent > 0) && !result.completed && !sent.completed) {
      var extensions = {};
      extensions[PROGRESS] = percent;
      this.send("progressed", { extensions: extensions });
    }
    this.progress = Math.max(this.progress, percent);
    if (result.completed && !sent.completed) {
      sent.completed = true;
      this.send("completed", { completion: true, duration: this.duration() });
    }
    if (!result.scored || !result.final || sent.passed || sent[verdict] || typeof this.score !== "number") return;
    if (verdict !== "passed" && verdict !== "failed") return;
    sent[verdict] = true;
    var raw = Math.round(Math.max(0, Math.min(100, this.score)) * 100) / 100;
    this.send(verdict, {
      score: { scaled: Math.round(raw * 100) / 10000, raw: raw, min: 0, max: 100 },
      success: verdict === "passed",
      completion: result.completed,
      duration: this.duration()
    });
  };

  /** The State document when it changed, then every statement queued; never rejects. */
  Xapi.prototype.commit = function () {
    var text = JSON.stringify(this.doc);
    if (!this.client) return Promise.resolve();
    if (text !== this.written) this.client.putState(this.stateParams(), JSON.parse((this.written = text)));
    return this.client.flush();
  };

  /** terminated, then all that is queued with keepalive: pagehide does not wait for promises. Once. */
  Xapi.prototype.finish = function () {
    if (this.finished || !this.client) return Promise.resolve();
    this.send("terminated", { duration: this.duration() });
    this.finished = true;
    var done = this.commit();
    this.client.flushKeepalive();
    var client = this.client;
    return done.then(function () {
      return client.settled();
    });
  };

  cf.tracking.register({
    name: "xapi",
    textLimit: cf.xapi.TEXT_LIMIT,
    connect: function (win) {
      try {
        var launch = cf.xapi.query(win.location.search);
        if (!launch.endpoint || !launch.actor) return Promise.resolve(null);
        launch.actor = agentOf(launch.actor);
        if (launch.registration && !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(launch.registration)) {
          warn("the registration is not a UUID; left out");
          delete launch.registration;
        }
        return Promise.resolve(new Xapi(win, launch, JSON.parse(win.document.getElementById("cf-data").textContent)));
      } catch (error) {
        warn("not a Tin Can launch: " + error);
        return Promise.resolve(null);
      }
    }
  });
})(window);
