/*
 * One tracking interface, one adapter per standard. The player only talks to a Tracker; each adapter
 * (scorm12.js now; SCORM 2004, xAPI, cmi5 later) registers a connect() that returns a Tracker when its
 * LMS is present. With none present the player runs standalone.
 *
 * @typedef {Object} Tracker
 * @property {string} mode                       "scorm12", "standalone", ...
 * @property {function(): boolean} initialize    opens the session; false means "not connected"
 * @property {function(): string} getBookmark    the screen id saved last time ("" if none)
 * @property {function(): string} getState       saved state text ("" if none)
 * @property {function(): ?number} getMasteryScore  a passing score the LMS imposes, or null
 * @property {function(string): void} saveState
 * @property {function(string): void} setBookmark
 * @property {function(number): void} continueInteractions  the interactions earlier sessions of this attempt
 *                                               wrote (from the saved state): numbering goes on after them
 * @property {function(): number} interactionCount  interactions the LMS record holds so far, saved with the
 *                                               state for an LMS that cannot say cmi.interactions._count
 * @property {function(Interaction): void} recordInteraction
 * @property {function(?number): void} setScore  percent 0..100 once final, null while the learner is still
 *                                               working (no score yet); always called before setStatus
 * @property {function({scored: boolean, completed: boolean, success: string, final: boolean}): void} setStatus
 *                                               the neutral result of progress.evaluate()
 * @property {function(): void} commit
 * @property {function(): void} finish           ends the session; safe to call more than once
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

  /**
   * The first adapter that finds its LMS and initializes wins; otherwise the standalone tracker.
   * @returns {Tracker}
   */
  function connect(win) {
    for (var i = 0; i < adapters.length; i++) {
      var tracker = adapters[i].connect(win);
      if (tracker && tracker.initialize()) return tracker;
    }
    var standalone = cf.standalone.create();
    standalone.initialize();
    return standalone;
  }

  cf.tracking = { register: register, connect: connect };
})(window);
