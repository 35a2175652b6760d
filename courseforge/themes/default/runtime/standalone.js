/*
 * The tracker used when no LMS is found: the course works fully, nothing is stored. The player shows a
 * notice so the learner knows progress will not be kept.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});

  function ignore() {}

  /** @returns {Tracker} a tracker that accepts every call and keeps nothing */
  function create() {
    return {
      mode: "standalone",
      initialize: function () {
        return true;
      },
      getBookmark: function () {
        return "";
      },
      getState: function () {
        return "";
      },
      getMasteryScore: function () {
        return null;
      },
      saveState: ignore,
      setBookmark: ignore,
      continueInteractions: ignore,
      interactionCount: function () {
        return 0;
      },
      recordInteraction: ignore,
      setScore: ignore,
      setStatus: ignore,
      commit: ignore,
      finish: ignore
    };
  }

  cf.standalone = { create: create };
})(window);
