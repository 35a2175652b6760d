/*
 * What the SCORM 1.2 and SCORM 2004 adapters do the same way, whatever the standard calls it: find the
 * LMS's API object by the ADL search (parents, then the opener), and talk to it through calls that never
 * throw into the player. LMSs nest frames unpredictably, implement only the mandatory elements, return
 * null during unload and report errors through the last-error call: every call is wrapped, warned about
 * and survived. Each adapter describes its standard with an ApiSpec and builds on Session.
 *
 * @typedef {Object} ApiSpec
 * @property {string} label        how warnings name the standard ("SCORM 2004")
 * @property {string} global       where content looks for the API ("API", "API_1484_11")
 * @property {string} probe        a method the object must have to count as that API
 * @property {number} hops         parents searched before giving up (1.2: 7; 2004: 500)
 * @property {{initialize: string, finish: string, get: string, set: string, commit: string,
 *             error: string, errorString: string}} methods
 * @property {string[]} unsupported  error codes meaning "this LMS has no such element": not tried again
 * @property {string[]} unset        error codes a read answers for a value never set (read as "")
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});

  /** Reading a property of a cross-origin window throws; such a window simply has no API for us. */
  function apiOf(win, spec) {
    try {
      var api = win[spec.global];
      return api && typeof api[spec.probe] === "function" ? api : null;
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

  /** The ADL search: up the parents while there is no API, at most spec.hops of them. */
  function search(win, spec) {
    var hops = 0;
    while (win && !apiOf(win, spec)) {
      var parent = parentOf(win);
      if (!parent || parent === win || hops >= spec.hops) return null;
      win = parent;
      hops += 1;
    }
    return win ? apiOf(win, spec) : null;
  }

  function openerOf(win, spec) {
    try {
      return win && win.opener ? search(win.opener, spec) : null;
    } catch (error) {
      return null;
    }
  }

  /**
   * This window and its parents first, then the window that opened us and its parents (the ADL order);
   * last the opener of our top window, for a popup whose launch page frames the content.
   */
  function find(win, spec) {
    var top = null;
    try {
      top = win.top;
    } catch (error) {
      top = null;
    }
    return search(win, spec) || openerOf(win, spec) || (top && top !== win ? openerOf(top, spec) : null);
  }

  function pad(value, width) {
    var text = String(value);
    while (text.length < width) text = "0" + text;
    return text;
  }

  /** A decimal without exponent, at most `places` decimals (two unless said). */
  function decimal(value, places) {
    var scale = Math.pow(10, places === undefined ? 2 : places);
    return String(Math.round(value * scale) / scale);
  }

  /**
   * @constructor One LMS session through an API object: guarded calls, reads, writes that are tried once
   * per element an LMS lacks, change-only writes, and the interaction numbering every SCORM LMS needs.
   */
  function Session(api, spec) {
    this.api = api;
    this.spec = spec;
    this.values = {};
    this.unsupported = {};
    this.dirty = false;
    this.interactions = 0;
    this.lmsCounts = false;
    this.interactionsRefused = false;
  }

  /** Calls an API method; exceptions become warnings and a null result. */
  Session.prototype.call = function (method, args) {
    try {
      return this.api[method].apply(this.api, args);
    } catch (error) {
      this.warn(method + " threw: " + error);
      return null;
    }
  };

  Session.prototype.warn = function (message) {
    if (root.console) root.console.warn("courseforge " + this.spec.label + ": " + message);
  };

  /** The LMS's last error code ("0" when none), read without throwing. */
  Session.prototype.lastError = function () {
    var code = this.call(this.spec.methods.error, []);
    return code === null || code === undefined || code === "" ? "0" : String(code);
  };

  Session.prototype.report = function (what) {
    var code = this.lastError();
    if (code === "0") return;
    this.warn(what + " failed: " + code + " " + String(this.call(this.spec.methods.errorString, [code])));
  };

  /** A call returning "true"/"false"; null (Cornerstone during unload) is tolerated silently. */
  Session.prototype.command = function (name) {
    var method = this.spec.methods[name];
    var result = this.call(method, [""]);
    var ok = String(result) === "true";
    if (!ok && result !== null && result !== undefined) this.report(method);
    return ok;
  };

  /** @returns {?string} the value ("" for one never set), or null when the LMS reports an error */
  Session.prototype.get = function (element) {
    var value = this.call(this.spec.methods.get, [element]);
    var code = this.lastError();
    if (this.spec.unset.indexOf(code) >= 0) return "";
    if (code !== "0") {
      this.warn(this.spec.methods.get + "(" + element + ") failed: " + code);
      return null;
    }
    return value === null || value === undefined ? "" : String(value);
  };

  /** An element the LMS does not implement is not tried again: strict LMSs lack the optional ones. */
  Session.prototype.set = function (element, value) {
    if (this.unsupported[element]) return false;
    var result = this.call(this.spec.methods.set, [element, String(value)]);
    if (String(result) === "true") {
      this.dirty = true;
      return true;
    }
    var code = this.lastError();
    if (this.spec.unsupported.indexOf(code) >= 0) this.unsupported[element] = true;
    if (code !== "0") this.warn(this.spec.methods.set + "(" + element + ") failed: " + code);
    return false;
  };

  /** Sets only when the value changed, so frequent checkpoints stay cheap for the LMS. */
  Session.prototype.setOnce = function (element, value) {
    if (this.values[element] === value) return;
    if (this.set(element, value)) this.values[element] = value;
  };

  /** Where numbering starts: the LMS's cmi.interactions._count when it can say it (null when it cannot). */
  Session.prototype.countInteractions = function () {
    var count = this.get("cmi.interactions._count");
    this.lmsCounts = count !== null;
    this.interactions = count === null ? 0 : parseInt(count, 10) || 0;
  };

  /**
   * The interactions earlier sessions of this attempt wrote, as the saved state counts them. A readable
   * _count is the LMS's own and wins (n must be exactly _count: LMSs refuse a gap); without one, the
   * numbering goes on after the saved count instead of overwriting the earlier sessions' interactions.
   */
  Session.prototype.continueInteractions = function (saved) {
    if (!this.lmsCounts && saved > this.interactions) this.interactions = saved;
  };

  /** The next interaction index: how many this attempt's record holds, for the saved state. */
  Session.prototype.interactionCount = function () {
    return this.interactions;
  };

  /**
   * The prefix of a new interaction whose id the LMS took ("cmi.interactions.n."), or null: an LMS that
   * refuses the id has no interactions, and they are not tried again this session.
   */
  Session.prototype.openInteraction = function (id) {
    if (this.interactionsRefused) return null;
    var prefix = "cmi.interactions." + this.interactions + ".";
    if (!this.set(prefix + "id", id)) {
      this.interactionsRefused = true;
      return null;
    }
    this.interactions += 1;
    return prefix;
  };

  /**
   * Commits only what is new (an empty commit is a request the LMS can skip), after `before` (the session
   * time so far). A commit refused or answered with null (LMSs do during page dismissal) is tried again at
   * the next one.
   */
  Session.prototype.commitChanges = function (before) {
    if (!this.dirty) return;
    before();
    this.dirty = false;
    if (!this.command("commit")) this.dirty = true;
  };

  cf.scormApi = { find: find, Session: Session, decimal: decimal, pad: pad };
})(window);
