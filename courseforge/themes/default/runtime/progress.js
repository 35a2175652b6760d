/*
 * Course rules, independent of any standard: is the course complete, what is its score, did the learner
 * pass. Each tracking adapter maps this neutral result onto its own data model.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});

  function screenIndex(data, id) {
    for (var i = 0; i < data.screens.length; i++) if (data.screens[i].id === id) return i;
    return -1;
  }

  /** Per-kind position of each screen, i.e. where its bits live in the saved state. */
  function positions(data) {
    var quiz = {};
    var survey = {};
    var checklist = {};
    var counts = { quiz: 0, survey: 0, items: 0 };
    data.screens.forEach(function (screen) {
      if (screen.kind === "quiz") quiz[screen.id] = counts.quiz++;
      if (screen.kind === "survey") survey[screen.id] = counts.survey++;
      if (screen.kind === "checklist") {
        checklist[screen.id] = counts.items;
        counts.items += data.checklists[screen.id].items.length;
      }
    });
    return { quiz: quiz, survey: survey, checklistOffset: checklist };
  }

  function checklistDone(data, state, where, id) {
    var offset = where.checklistOffset[id];
    return data.checklists[id].items.every(function (item, index) {
      return !item.required || state.checked[offset + index];
    });
  }

  /** Every page visited (when required), listed checklists attested, listed surveys submitted. */
  function isComplete(data, state, where) {
    var rules = data.completion;
    var pages = rules.pages !== "all" || state.visited.every(Boolean);
    var checklists = rules.checklists.every(function (id) {
      return checklistDone(data, state, where, id);
    });
    var surveys = rules.surveys.every(function (id) {
      return state.submitted[where.survey[id]];
    });
    return pages && checklists && surveys;
  }

  /**
   * How much of the required work is done, 0..1 in hundredths: each screen to visit, each required
   * checklist item and each survey the completion rules list counts one step (nothing required: 1).
   */
  function workDone(data, state, where) {
    var rules = data.completion;
    var steps = [];
    if (rules.pages === "all") steps = steps.concat(state.visited);
    rules.checklists.forEach(function (id) {
      var offset = where.checklistOffset[id];
      data.checklists[id].items.forEach(function (item, index) {
        if (item.required) steps.push(state.checked[offset + index]);
      });
    });
    rules.surveys.forEach(function (id) {
      steps.push(state.submitted[where.survey[id]]);
    });
    if (!steps.length) return 1;
    return Math.round((steps.filter(Boolean).length / steps.length) * 100) / 100;
  }

  /**
   * Points-weighted percent over the best attempts of the mastery quizzes; a quiz not yet submitted
   * counts as 0. Null until one of them has been submitted.
   */
  function masteryScore(data, state, where) {
    var quizzes = data.mastery.quizzes;
    var weight = 0;
    var sum = 0;
    var any = false;
    quizzes.forEach(function (id) {
      var quiz = data.quizzes[id];
      var best = cf.scoring.bestPercent(quiz, state.quizzes[where.quiz[id]]);
      var w = cf.scoring.attemptWeight(quiz);
      weight += w;
      if (best !== null) {
        any = true;
        sum += best * w;
      }
    });
    return any && weight > 0 ? Math.round((sum / weight) * 100) / 100 : null;
  }

  function success(data, state, where, score, mastery) {
    var saved = data.mastery.quizzes.map(function (id) {
      return { quiz: data.quizzes[id], saved: state.quizzes[where.quiz[id]] };
    });
    var allSubmitted = saved.every(function (entry) {
      return entry.saved.attempts > 0;
    });
    if (!allSubmitted || score === null) return "unknown";
    if (score >= mastery) return "passed";
    var allLocked = saved.every(function (entry) {
      return cf.scoring.isLocked(entry.quiz, entry.saved);
    });
    return allLocked ? "failed" : "unknown";
  }

  /**
   * @param {object} data the cf-data block
   * @param {object} state decoded saved state
   * @param {?number} lmsMastery a mastery score the LMS imposes (overrides the course's), or null
   * @returns {{scored: boolean, completed: boolean, success: string, score: ?number, final: boolean,
   *   progress: number}} success is passed|failed|unknown; scored says whether the course has mastery
   *   rules at all; final says the learner is done (passed and complete, failed with no attempt left, or
   *   an unscored course complete): until then the learner is still working, whatever the score;
   *   progress is the share of the required work done (workDone), 1 only once complete
   */
  function evaluate(data, state, lmsMastery) {
    var where = positions(data);
    var completed = isComplete(data, state, where);
    var result = { scored: false, completed: completed, success: "unknown", score: null, final: completed };
    result.progress = completed ? 1 : Math.min(workDone(data, state, where), 0.99);
    if (!data.mastery) return result;
    var mastery = typeof lmsMastery === "number" ? lmsMastery : data.mastery.score;
    result.scored = true;
    result.score = masteryScore(data, state, where);
    result.success = success(data, state, where, result.score, mastery);
    result.final = result.success === "failed" || (result.success === "passed" && completed);
    return result;
  }

  /**
   * The LMS's mastery score (SCORM 1.2: authoritative for status) becomes the course's and the passing
   * score of each mastery quiz, so the result a learner reads and the status the LMS records agree.
   */
  function applyLmsMastery(data, lmsMastery) {
    if (typeof lmsMastery !== "number" || !data.mastery) return;
    data.mastery.score = lmsMastery;
    data.mastery.quizzes.forEach(function (id) {
      data.quizzes[id].passing = lmsMastery;
    });
  }

  cf.progress = {
    evaluate: evaluate,
    applyLmsMastery: applyLmsMastery,
    positions: positions,
    screenIndex: screenIndex,
    isComplete: isComplete
  };
})(window);
