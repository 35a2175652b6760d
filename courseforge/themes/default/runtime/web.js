/*
 * Web adapter: a course served as a plain web site, with no LMS. The learner's place, saved state and
 * interaction count are kept in the browser's localStorage, one entry per course, version and language,
 * so reopening the page resumes where the learner left off. Storage can be missing (blocked by privacy
 * settings, a sandboxed frame) or full: the course then runs as standalone does, with a console warning,
 * and never stops.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var FORMAT = 1;
  /** The longest text answer kept (standards/web.py TEXT_LIMIT). */
  var TEXT_LIMIT = 4000;

  function warn(message) {
    if (root.console) root.console.warn("courseforge web: " + message);
  }

  /** The window's localStorage if it can be written (reading the property itself can throw). */
  function storageOf(win) {
    try {
      var storage = win.localStorage;
      var probe = "courseforge:probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    } catch (error) {
      warn("localStorage is not available (" + error + "): progress is not kept");
      return null;
    }
  }

  function keyOf(course) {
    return "courseforge:" + [course.id, course.version, course.language].map(encodeURIComponent).join(":");
  }

  /** The saved record, or an empty one when there is none or it is not ours. */
  function load(storage, key) {
    var empty = { v: FORMAT, bookmark: "", state: "", interactions: 0 };
    try {
      var saved = JSON.parse(storage.getItem(key) || "null");
      if (!saved || saved.v !== FORMAT) return empty;
      return {
        v: FORMAT,
        bookmark: typeof saved.bookmark === "string" ? saved.bookmark : "",
        state: typeof saved.state === "string" ? saved.state : "",
        interactions: saved.interactions >= 0 ? Math.floor(saved.interactions) : 0
      };
    } catch (error) {
      warn("the saved progress could not be read (" + error + "): starting afresh");
      return empty;
    }
  }

  /** @returns {Tracker} the standalone tracker, keeping what it is given in `storage` under `key` */
  function create(storage, key) {
    var tracker = cf.standalone.create();
    var record = null;
    var dirty = false;
    var broken = false;

    function change(field, value) {
      if (record[field] === value) return;
      record[field] = value;
      dirty = true;
    }

    function write() {
      if (!dirty || broken) return Promise.resolve();
      try {
        storage.setItem(key, JSON.stringify(record));
        dirty = false;
      } catch (error) {
        broken = true; // full or revoked: the course goes on, nothing more is written
        warn("progress could not be saved (" + error + ")");
      }
      return Promise.resolve();
    }

    tracker.mode = "web";
    tracker.initialize = function () {
      record = load(storage, key);
      return Promise.resolve(true);
    };
    tracker.getBookmark = function () {
      return record.bookmark;
    };
    tracker.getState = function () {
      return record.state;
    };
    tracker.interactionCount = function () {
      return record.interactions;
    };
    tracker.continueInteractions = function (saved) {
      if (saved > record.interactions) change("interactions", saved);
    };
    tracker.saveState = function (text) {
      change("state", text);
    };
    tracker.setBookmark = function (screenId) {
      change("bookmark", screenId);
    };
    tracker.recordInteraction = function () {
      change("interactions", record.interactions + 1);
    };
    tracker.commit = write;
    tracker.finish = write;
    return tracker;
  }

  cf.tracking.register({
    name: "web",
    textLimit: TEXT_LIMIT,
    connect: function (win, course) {
      var storage = storageOf(win);
      return Promise.resolve(storage ? create(storage, keyOf(course)) : null);
    }
  });

  cf.web = { keyOf: keyOf };
})(window);
