/*
 * The tracker used when no LMS is found: the course works fully, nothing is stored. The player shows a
 * notice so the learner knows progress will not be kept. Adapters that keep data themselves (web.js)
 * start from this tracker and replace what they store.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});

  function ignore() {}

  function done() {
    return Promise.resolve();
  }

  function constant(value) {
    return function () {
      return value;
    };
  }

  /** @returns {Tracker} a tracker that accepts every call and keeps nothing */
  function create() {
    return {
      mode: "standalone",
      initialize: function () {
        return Promise.resolve(true);
      },
      getBookmark: constant(""),
      getState: constant(""),
      getMasteryScore: constant(null),
      getLaunchMode: constant("normal"),
      interactionCount: constant(0),
      continueInteractions: ignore,
      saveState: ignore,
      setBookmark: ignore,
      screenViewed: ignore,
      recordInteraction: ignore,
      setScore: ignore,
      setStatus: ignore,
      commit: done,
      finish: done,
      exitUrl: constant(null)
    };
  }

  cf.standalone = { create: create };
})(window);
