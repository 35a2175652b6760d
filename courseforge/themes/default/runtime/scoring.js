/*
 * The quiz engine without the DOM: drawing and shuffling questions, judging responses by ids, and
 * points-weighted scores. Responses are by id, so scoring is the same in every language.
 *
 * Response shapes by question type:
 *   single, multiple  -> array of choice ids
 *   true-false        -> true | false | null
 *   fill-in, numeric  -> trimmed string
 *   matching          -> { sourceId: targetId } (only sources the learner matched)
 *   sequencing        -> { itemId: position 1..n } (only items the learner placed)
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});

  /** Fisher-Yates on a copy; `random` is injectable so tests can make draws predictable. */
  function shuffled(list, random) {
    var copy = list.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1));
      var swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return copy;
  }

  /**
   * The authored indexes of the questions one attempt shows, in display order: a pool draws `draw`
   * of them (kept in authored order unless the quiz shuffles).
   */
  function drawQuestions(quiz, random) {
    var indexes = quiz.questions.map(function (_question, index) {
      return index;
    });
    if (isPool(quiz)) {
      indexes = shuffled(indexes, random).slice(0, quiz.draw).sort(function (a, b) {
        return a - b;
      });
    }
    return quiz.shuffle ? shuffled(indexes, random) : indexes;
  }

  function keys(object) {
    return Object.keys(object || {});
  }

  function isAnswered(question, response) {
    if (response === null || response === undefined) return false;
    if (Array.isArray(response)) return response.length > 0;
    if (typeof response === "string") return response !== "";
    if (typeof response === "boolean") return true;
    return keys(response).length > 0;
  }

  /**
   * Answered as a learner means it, before submitting: every source matched, every item placed (a
   * partly matched question is still unanswered); other types as isAnswered.
   */
  function isComplete(question, response) {
    if (!isAnswered(question, response)) return false;
    if (question.type === "matching") return keys(response).length === question.sources.length;
    if (question.type === "sequencing") return keys(response).length === question.items.length;
    return true;
  }

  function normalizeText(text, caseSensitive) {
    var trimmed = String(text).trim().normalize("NFC");
    return caseSensitive ? trimmed : trimmed.toLowerCase();
  }

  /**
   * Digits as learners type them in any locale: Arabic-Indic (U+0660..) and Extended Arabic-Indic
   * (U+06F0..) become ASCII; the Arabic decimal separator and minus sign become "." and "-".
   */
  function asciiDigits(text) {
    return text
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); })
      .replace(/[\u06F0-\u06F9]/g, function (d) { return String(d.charCodeAt(0) - 0x06F0); })
      .replace(/\u066B/g, ".")
      .replace(/[\u2212\u066C]/g, function (c) { return c === "\u2212" ? "-" : ""; });
  }

  /** A learner's number, in any script's digits, accepting a decimal comma; NaN when not a plain number. */
  function parseNumber(text) {
    var plain = asciiDigits(String(text).trim()).replace(",", ".");
    return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(plain) ? Number(plain) : NaN;
  }

  /** Item ids in the order the learner's positions put them (ties keep authored order). */
  function sequenceOrder(question, response) {
    return question.items
      .filter(function (id) {
        return response[id] !== undefined;
      })
      .sort(function (a, b) {
        return response[a] - response[b] || question.items.indexOf(a) - question.items.indexOf(b);
      });
  }

  function sameSet(a, b) {
    if (a.length !== b.length) return false;
    return a.every(function (id) {
      return b.indexOf(id) >= 0;
    });
  }

  var judges = {
    single: function (q, r) {
      return sameSet(r, q.correct);
    },
    multiple: function (q, r) {
      return sameSet(r, q.correct);
    },
    "true-false": function (q, r) {
      return r === q.answer;
    },
    "fill-in": function (q, r) {
      var given = normalizeText(r, q.caseSensitive);
      return q.accepted.some(function (text) {
        return normalizeText(text, q.caseSensitive) === given;
      });
    },
    numeric: function (q, r) {
      var value = parseNumber(r);
      if (isNaN(value)) return false;
      if (typeof q.answer === "number") return Math.abs(value - q.answer) <= 1e-9 * Math.max(1, Math.abs(q.answer));
      return value >= q.min && value <= q.max;
    },
    matching: function (q, r) {
      return q.sources.every(function (id) {
        return r[id] === q.answer[id];
      });
    },
    sequencing: function (q, r) {
      var order = sequenceOrder(q, r);
      var positions = keys(r).map(function (id) {
        return r[id];
      });
      var distinct = positions.filter(function (p, i) {
        return positions.indexOf(p) === i;
      });
      return order.length === q.items.length && distinct.length === positions.length &&
        order.join(",") === q.answer.join(",");
    }
  };

  function isCorrect(question, response) {
    return isAnswered(question, response) && judges[question.type](question, response);
  }

  /** Percent with at most two decimals (what SCORM's score.raw and the result line show). */
  function percent(earned, possible) {
    return possible > 0 ? Math.round((earned / possible) * 10000) / 100 : 0;
  }

  /**
   * Judges one submitted attempt.
   * @param {object} quiz quiz data
   * @param {number[]} shown authored indexes of the questions in the attempt
   * @param {Object<string, *>} responses by question id
   */
  function scoreAttempt(quiz, shown, responses) {
    var earned = 0;
    var possible = 0;
    var results = shown.map(function (index) {
      var question = quiz.questions[index];
      var response = responses[question.id];
      var correct = isCorrect(question, response);
      possible += question.points;
      if (correct) earned += question.points;
      return { index: index, question: question, response: response, answered: isAnswered(question, response), correct: correct };
    });
    return { results: results, percent: percent(earned, possible) };
  }

  function totalPoints(quiz) {
    return quiz.questions.reduce(function (sum, question) {
      return sum + question.points;
    }, 0);
  }

  /** A pool: each attempt draws some of the questions, and which ones is not saved. */
  function isPool(quiz) {
    return Boolean(quiz.draw && quiz.draw < quiz.questions.length);
  }

  /** Points one attempt is worth: all questions, or the expected share of them when a pool draws. */
  function attemptWeight(quiz) {
    var total = totalPoints(quiz);
    return isPool(quiz) ? (total * quiz.draw) / quiz.questions.length : total;
  }

  /**
   * A quiz's best percent from saved state. Without a pool it is recomputed exactly from the questions
   * answered correctly; with a pool the drawn set is not saved, so the stored percent (two decimals) is used.
   */
  function bestPercent(quiz, saved) {
    if (saved.best === null) return null;
    if (isPool(quiz)) return saved.best;
    var earned = quiz.questions.reduce(function (sum, question, index) {
      return sum + (saved.correct[index] ? question.points : 0);
    }, 0);
    return percent(earned, totalPoints(quiz));
  }

  function isPassed(quiz, saved) {
    var best = bestPercent(quiz, saved);
    return best !== null && best >= quiz.passing;
  }

  /** A quiz accepts no more attempts once passed or once its attempts are used up. */
  function isLocked(quiz, saved) {
    return isPassed(quiz, saved) || (quiz.attempts > 0 && saved.attempts >= quiz.attempts);
  }

  /**
   * Folds a submitted attempt into saved state: one more attempt; the best attempt is kept. Only a pool's
   * best is read back as it is (two decimals); other quizzes recompute it, so a whole percent is enough.
   */
  function recordAttempt(quiz, saved, scored) {
    saved.attempts += 1;
    var previous = bestPercent(quiz, saved);
    if (previous !== null && scored.percent <= previous) return;
    saved.best = isPool(quiz) ? scored.percent : Math.floor(scored.percent);
    saved.correct = quiz.questions.map(function () {
      return false;
    });
    scored.results.forEach(function (result) {
      saved.correct[result.index] = result.correct;
    });
  }

  cf.scoring = {
    shuffled: shuffled,
    drawQuestions: drawQuestions,
    isAnswered: isAnswered,
    isComplete: isComplete,
    isCorrect: isCorrect,
    parseNumber: parseNumber,
    sequenceOrder: sequenceOrder,
    percent: percent,
    scoreAttempt: scoreAttempt,
    attemptWeight: attemptWeight,
    isPool: isPool,
    bestPercent: bestPercent,
    isPassed: isPassed,
    isLocked: isLocked,
    recordAttempt: recordAttempt
  };
})(window);
