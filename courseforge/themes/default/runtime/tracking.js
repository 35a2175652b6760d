/*
 * One tracking interface, one adapter per standard. The player only talks to a Tracker; a package ships
 * exactly one adapter (scorm12.js, scorm2004.js, xapi.js, cmi5.js or web.js), which registers itself here.
 * The interface is asynchronous because xAPI and cmi5 speak to their LMS over the network; the SCORM
 * adapters call their synchronous API inside and resolve at once. With no LMS present the player runs
 * standalone.
 *
 * @typedef {Object} Adapter
 * @property {string} name                       the standard, e.g. "scorm2004"
 * @property {function(Window, CourseId): Promise<?Tracker>} connect  resolves null when its LMS is absent;
 *                                               never rejects (a rejection counts as absent)
 * @property {number} textLimit                  the longest text answer (fill-in, numeric, survey free text)
 *                                               the standard records whole: the page is the same for every
 *                                               format, so the runtime caps its text inputs (dom.limitText)
 *
 * @typedef {Object} CourseId   the course data's "course" block: {id, version, language}
 *
 * @typedef {Object} Tracker
 * @property {string} mode       "scorm12" | "scorm2004" | "xapi" | "cmi5" | "web" | "standalone"
 * @property {function(): Promise<boolean>} initialize  opens the session and loads everything the getters
 *                               below answer; false means "not connected" (the next adapter is tried)
 * Synchronous, after initialize:
 * @property {function(): string} getBookmark    the screen id saved last time ("" if none)
 * @property {function(): string} getState       saved state text, format model/suspend.py ("" if none)
 * @property {function(): ?number} getMasteryScore  a passing percent the LMS imposes (cmi5 masteryScore,
 *                               SCORM 2004 cmi.scaled_passing_score, 1.2 mastery_score), else null
 * @property {function(): string} getLaunchMode  "normal", "browse" or "review" (cmi5; others "normal"):
 *                               browse and review record no results, and the player says so
 * @property {function(): number} interactionCount  interactions the record holds so far, saved with the
 *                               state for an LMS that cannot say how many it has
 * @property {function(number): void} continueInteractions  the interactions earlier sessions of this attempt
 *                               wrote (from the saved state): numbering goes on after them
 * Synchronous, buffered until the next commit:
 * @property {function(string): void} saveState
 * @property {function(string): void} setBookmark  a screen id
 * @property {function(ScreenView): void} screenViewed  a screen was shown (xAPI/cmi5: progressed/experienced)
 * @property {function(Interaction): void} recordInteraction
 * @property {function(?number): void} setScore  percent 0..100 once final, null while the learner is still
 *                               working (no score yet); always called before setStatus
 * @property {function(Result): void} setStatus  the neutral result of progress.evaluate()
 * Asynchronous:
 * @property {function(): Promise<void>} commit  sends what is buffered; never rejects (the adapter retries or
 *                               queues); the player never starts one while another is in flight
 * @property {function(): Promise<void>} finish  ends the session, safe to call twice; must also work from
 *                               pagehide (SCORM calls are synchronous; xAPI sends with fetch keepalive)
 * @property {function(): ?string} exitUrl       where the player goes after the learner exits (cmi5
 *                               returnURL), else null: the player offers an Exit control only then
 *
 * @typedef {Object} ScreenView   {id, title, index, total, kind}: index 0-based, kind page|quiz|survey|checklist
 *
 * @typedef {Object} Result       what progress.evaluate() says, in neutral terms
 * @property {boolean} scored     the course has mastery rules
 * @property {boolean} completed  the completion rules are met
 * @property {string} success     "passed", "failed" or "unknown"
 * @property {boolean} final      the learner is done (passed and complete, failed with no attempt left, or
 *                                an unscored course complete)
 * @property {number} progress    0..1 of the work the completion rules require (1 exactly when completed)
 *
 * @typedef {Object} Interaction   what the learner answered, in neutral terms (ids, not letters)
 * @property {string} id           unique per attempt, e.g. quiz__question__2
 * @property {string} type         a question type, or "likert" / "text" for survey items
 * @property {?object} question    the question's data (authored ids and key); null for survey items
 * @property {*} response          see scoring.js; for likert the scale index, for text the text
 * @property {string} result       "correct", "wrong" or "neutral"
 * @property {number} weighting    the question's points (0 for survey items)
 * @property {number} latencyMs    time since the attempt started
 * @property {Date} time           when it was answered
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var adapters = [];

  /** Adapters are tried in registration order; register the most specific standard first. */
  function register(adapter) {
    adapters.push(adapter);
  }

  function warn(name, error) {
    if (root.console) root.console.warn("courseforge " + name + ": " + error);
  }

  /** A tracker whose initialize() resolved true; null otherwise. Nothing an adapter does can reject. */
  function open(adapter, win, course) {
    return new Promise(function (resolve) {
      resolve(adapter.connect(win, course));
    })
      .then(function (tracker) {
        return tracker
          ? Promise.resolve(tracker.initialize()).then(function (ok) {
              return ok ? tracker : null;
            })
          : null;
      })
      .catch(function (error) {
        warn(adapter.name, error);
        return null;
      });
  }

  /**
   * The longest text answer the package's standard records: the tightest of the registered adapters' limits
   * (a package ships one adapter), even when the course runs standalone; null when no adapter sets one.
   */
  function textLimit() {
    var limits = adapters
      .map(function (adapter) {
        return adapter.textLimit;
      })
      .filter(function (limit) {
        return limit > 0;
      });
    return limits.length ? Math.min.apply(Math, limits) : null;
  }

  /**
   * The first adapter that finds its LMS and initializes wins; otherwise the standalone tracker.
   * @param {Window} win the content's window
   * @param {CourseId} course which course this is (adapters that keep data themselves key it by this)
   * @returns {Promise<Tracker>} never rejects
   */
  function connect(win, course) {
    var index = 0;
    function next(tracker) {
      if (tracker) return tracker;
      if (index < adapters.length) return open(adapters[index++], win, course).then(next);
      var standalone = cf.standalone.create();
      return standalone.initialize().then(function () {
        return standalone;
      });
    }
    return next(null);
  }

  cf.tracking = { register: register, connect: connect, textLimit: textLimit };
})(window);
