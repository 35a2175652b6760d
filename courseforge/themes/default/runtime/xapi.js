/*
 * xAPI (Tin Can) adapter, mode "xapi". The LMS launches index.html with the Tin Can launch query
 * (endpoint, auth, actor, registration, activity_id; RusticiSoftware/launch lms_lrs.md). The course is one
 * activity; screens are "experienced", progress is "progressed" with the progress extension (a score is
 * never progress), each answer is "answered" with a full interaction definition, then "completed" and
 * "passed"/"failed" once the course rules say so, and "terminated". Resume lives in one State API
 * document (bookmark, state text, interactions, final verdicts sent). Statements go through cf.xapi's
 * persisted queue, so a reload or an LRS that is down loses none. Tin Can has no LMS mastery override.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var TYPES = {
    course: "http://adlnet.gov/expapi/activities/course",
    page: "http://adlnet.gov/expapi/activities/module",
    checklist: "http://adlnet.gov/expapi/activities/module",
    quiz: "http://adlnet.gov/expapi/activities/assessment",
    survey: "http://id.tincanapi.com/activitytype/survey"
  };
  var PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress";
  var STATE_ID = "courseforge.resume";
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

  function warn(message) {
    if (root.console) root.console.warn("courseforge xAPI: " + message);
  }

  function first(value) {
    return Array.isArray(value) ? value[0] : value;
  }

  /**
   * The launch's actor as an xAPI 1.0 Agent. Older Tin Can LMSs send 0.95 arrays
   * ({"mbox": ["mailto:..."], "account": [{"accountServiceHomePage", "accountName"}]}): one value each.
   */
  function agentOf(text) {
    var actor;
    try {
      actor = JSON.parse(text);
    } catch (error) {
      return null;
    }
    if (!actor || typeof actor !== "object") return null;
    var agent = { objectType: "Agent" };
    var name = first(actor.name);
    if (name) agent.name = String(name);
    var account = first(actor.account);
    if (first(actor.mbox)) agent.mbox = String(first(actor.mbox));
    else if (first(actor.mbox_sha1sum)) agent.mbox_sha1sum = String(first(actor.mbox_sha1sum));
    else if (first(actor.openid)) agent.openid = String(first(actor.openid));
    else if (account && typeof account === "object") {
      agent.account = {
        homePage: String(account.homePage || account.accountServiceHomePage || ""),
        name: String(account.name || account.accountName || "")
      };
    } else return null;
    if (agent.mbox && agent.mbox.indexOf("mailto:") !== 0) agent.mbox = "mailto:" + agent.mbox;
    return agent;
  }

  /** The Tin Can launch parameters, or null when this page was not launched by a Tin Can LMS. */
  function launchOf(win) {
    var values;
    try {
      values = cf.xapi.query(win.location.search);
    } catch (error) {
      return null;
    }
    if (!values.endpoint || !values.actor) return null;
    var actor = agentOf(values.actor);
    if (!actor) {
      warn("the launch's actor is not an xAPI agent: " + values.actor);
      return null;
    }
    var registration = values.registration || "";
    if (registration && !UUID.test(registration)) {
      warn("the launch's registration is not a UUID and is left out: " + registration);
      registration = "";
    }
    return {
      endpoint: values.endpoint,
      auth: values.auth || "",
      actor: actor,
      registration: registration,
      activityId: values.activity_id || "",
      platform: values.activity_platform || "",
      grouping: values.grouping || ""
    };
  }

  function readData(win) {
    var element = win.document.getElementById("cf-data");
    return JSON.parse(element.textContent);
  }

  /** Without activity_id the package's own id is the launchable activity of its tincan.xml. */
  function packageActivityId(win) {
    return root.fetch(new win.URL("tincan.xml", win.location.href).href, { cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error("tincan.xml answered " + response.status);
      return response.text().then(function (text) {
        var doc = new win.DOMParser().parseFromString(text.replace(/^\uFEFF/, ""), "application/xml");
        var activities = doc.getElementsByTagNameNS("*", "activity");
        for (var i = 0; i < activities.length; i++) {
          if (activities[i].getElementsByTagNameNS("*", "launch").length) return activities[i].getAttribute("id");
        }
        throw new Error("tincan.xml has no launchable activity");
      });
    });
  }

  /** @constructor One registration's session through the Tin Can launch. */
  function Xapi(win, launch, data) {
    this.win = win;
    this.launch = launch;
    this.data = data;
    this.mode = "xapi";
    this.lang = data.course.language;
    this.started = Date.now();
    this.finished = false;
    this.doc = { bookmark: "", state: "", interactions: 0, sent: {} };
    this.written = "";
    this.progress = -1;
    this.score = null;
    this.titles = {};
    var titles = this.titles;
    data.screens.forEach(function (screen) {
      titles[screen.id] = screen;
    });
  }

  Xapi.prototype.initialize = function () {
    var self = this;
    var launch = this.launch;
    this.client = cf.xapi.client({
      endpoint: launch.endpoint,
      auth: launch.auth,
      scope: launch.registration || launch.activityId
    });
    var id = launch.activityId ? Promise.resolve(launch.activityId) : packageActivityId(this.win);
    return id
      .then(function (activityId) {
        self.activityId = activityId;
        return self.client.getState(self.stateParams()).then(
          function (saved) {
            self.restore(saved);
          },
          function (error) {
            warn("no saved progress could be read (" + error.message + "); starting afresh");
          }
        );
      })
      .then(
        function () {
          self.started = Date.now();
          self.send("initialized", self.course());
          return true;
        },
        function (error) {
          warn("cannot start: " + error.message);
          return false;
        }
      );
  };

  Xapi.prototype.stateParams = function () {
    return {
      activityId: this.activityId,
      agent: this.launch.actor,
      registration: this.launch.registration,
      stateId: STATE_ID
    };
  };

  Xapi.prototype.restore = function (saved) {
    if (!saved || typeof saved !== "object") return;
    this.doc = {
      bookmark: typeof saved.bookmark === "string" ? saved.bookmark : "",
      state: typeof saved.state === "string" ? saved.state : "",
      interactions: typeof saved.interactions === "number" ? saved.interactions : 0,
      sent: saved.sent && typeof saved.sent === "object" ? saved.sent : {}
    };
    this.written = JSON.stringify(this.doc);
  };

  Xapi.prototype.course = function () {
    var definition = { type: TYPES.course };
    var name = cf.xapi.langMap(this.lang, this.win.document.title);
    if (name) definition.name = name;
    return { objectType: "Activity", id: this.activityId, definition: definition };
  };

  Xapi.prototype.activity = function (path, type, title) {
    var definition = { type: type };
    var name = cf.xapi.langMap(this.lang, title);
    if (name) definition.name = name;
    return { objectType: "Activity", id: this.activityId + "/" + path, definition: definition };
  };

  /** Registration, language, platform, and the course (and the launch's grouping) as context. */
  Xapi.prototype.context = function (parent) {
    var context = { language: this.lang, contextActivities: {} };
    if (this.launch.registration) context.registration = this.launch.registration;
    if (this.launch.platform) context.platform = this.launch.platform;
    var grouping = [];
    if (parent) {
      context.contextActivities.parent = [parent];
      if (parent.id !== this.activityId) grouping.push({ objectType: "Activity", id: this.activityId });
    }
    if (this.launch.grouping) grouping.push({ objectType: "Activity", id: this.launch.grouping });
    if (grouping.length) context.contextActivities.grouping = grouping;
    if (!parent && !grouping.length) delete context.contextActivities;
    return context;
  };

  Xapi.prototype.statement = function (verb, object, result, parent, when) {
    var statement = {
      actor: this.launch.actor,
      verb: { id: VERBS + verb, display: { "en-US": verb } },
      object: object,
      context: this.context(parent === undefined ? (object.id === this.activityId ? null : this.course()) : parent)
    };
    if (result) statement.result = result;
    if (when) statement.timestamp = cf.xapi.timestamp(when);
    return statement;
  };

  /** Queued at once (persisted), sent at the next commit. */
  Xapi.prototype.send = function (verb, object, result, parent, when) {
    return this.client.statement(this.statement(verb, object, result, parent, when));
  };

  Xapi.prototype.sessionDuration = function () {
    return cf.xapi.duration(Date.now() - this.started);
  };

  Xapi.prototype.getBookmark = function () {
    return this.doc.bookmark;
  };

  Xapi.prototype.getState = function () {
    return this.doc.state;
  };

  Xapi.prototype.getMasteryScore = function () {
    return null;
  };

  Xapi.prototype.getLaunchMode = function () {
    return "normal";
  };

  Xapi.prototype.interactionCount = function () {
    return this.doc.interactions;
  };

  Xapi.prototype.continueInteractions = function (saved) {
    if (saved > this.doc.interactions) this.doc.interactions = saved;
  };

  Xapi.prototype.saveState = function (text) {
    this.doc.state = text;
  };

  Xapi.prototype.setBookmark = function (screenId) {
    this.doc.bookmark = screenId;
  };

  Xapi.prototype.exitUrl = function () {
    return null;
  };

  Xapi.prototype.screenViewed = function (screen) {
    if (this.finished) return;
    var type = TYPES[screen.kind] || TYPES.page;
    this.send("experienced", this.activity(screen.id, type, screen.title));
  };

  Xapi.prototype.recordInteraction = function (record) {
    if (this.finished) return;
    var found = cf.xapi.interactionTexts(this.data, record);
    if (!found) {
      warn("interaction " + record.id + " belongs to no quiz or survey of the course; not recorded");
      return;
    }
    var activity = found.path.split("/")[0];
    var screen = this.titles[activity] || { kind: "quiz", title: "" };
    var object = cf.xapi.interactionActivity(record, this.activityId + "/" + found.path, this.lang, found.texts);
    var parent = this.activity(activity, TYPES[screen.kind] || TYPES.quiz, screen.title);
    this.send("answered", object, cf.xapi.interactionResult(record), parent, record.time);
    this.doc.interactions += 1;
  };

  Xapi.prototype.setScore = function (percent) {
    this.score = percent;
  };

  function scoreOf(percent) {
    var raw = Math.round(Math.max(0, Math.min(100, percent)) * 100) / 100;
    return { scaled: Math.round(raw * 100) / 10000, raw: raw, min: 0, max: 100 };
  }

  /**
   * Progress while it grows; completed once the course is complete; passed or failed only when final
   * (a learner with attempts left has no verdict yet), each at most once per registration.
   */
  Xapi.prototype.setStatus = function (result) {
    if (this.finished) return;
    var sent = this.doc.sent;
    var percent = Math.round((result.progress || 0) * 100);
    if (percent > this.progress && !(result.completed && sent.completed)) {
      if (this.progress >= 0 || percent > 0) {
        var extensions = {};
        extensions[PROGRESS] = percent;
        this.send("progressed", this.course(), { extensions: extensions });
      }
      this.progress = percent;
    }
    if (result.completed && !sent.completed) {
      sent.completed = true;
      this.send("completed", this.course(), { completion: true, duration: this.sessionDuration() });
    }
    var verdict = result.success;
    if (result.scored && result.final && (verdict === "passed" || verdict === "failed") && !sent[verdict] && !sent.passed) {
      if (typeof this.score !== "number") {
        warn("a final " + verdict + " without a score; not sent");
        return;
      }
      sent[verdict] = true;
      this.send(verdict, this.course(), {
        score: scoreOf(this.score),
        success: verdict === "passed",
        completion: result.completed,
        duration: this.sessionDuration()
      });
    }
  };

  /** The state document when it changed, then every queued statement; never rejects. */
  Xapi.prototype.commit = function () {
    if (!this.client) return Promise.resolve();
    var text = JSON.stringify(this.doc);
    if (text !== this.written) {
      this.written = text;
      this.client.putState(this.stateParams(), JSON.parse(text));
    }
    return this.client.flush();
  };

  /**
   * terminated, then everything queued with fetch keepalive so it survives the page going away (pagehide
   * does not wait for promises). Once only.
   */
  Xapi.prototype.finish = function () {
    if (this.finished || !this.client) return Promise.resolve();
    this.send("terminated", this.course(), { duration: this.sessionDuration() });
    this.finished = true;
    var text = JSON.stringify(this.doc);
    if (text !== this.written) {
      this.written = text;
      this.client.putState(this.stateParams(), JSON.parse(text));
    }
    this.client.flushKeepalive();
    return this.client.flush();
  };

  cf.tracking.register({
    name: "xapi",
    connect: function (win) {
      var launch = launchOf(win);
      if (!launch) return Promise.resolve(null);
      try {
        return Promise.resolve(new Xapi(win, launch, readData(win)));
      } catch (error) {
        warn("the course data is unreadable: " + error);
        return Promise.resolve(null);
      }
    }
  });

  cf.xapiTinCan = { launchOf: launchOf, agentOf: agentOf, TYPES: TYPES, VERBS: VERBS, PROGRESS: PROGRESS, STATE_ID: STATE_ID };
})(window);
