/*
 * Saved state (suspend_data) format v1, as specified in courseforge/model/suspend.py:
 *   1~<screens>~<quizzes>~<checklist items>~<surveys>[~<interactions>]
 * Only positions are stored, never text, so the build can prove the worst case fits SCORM 1.2's 4096.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var VERSION = "1";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var ATTEMPTS_CAP = 36 * 36 - 1;
  var INTERACTIONS_CAP = 36 * 36 * 36 * 36 - 1;
  var BASE36 = /^[0-9a-z]{1,2}$/;
  var COUNT36 = /^[0-9a-z]{1,4}$/;
  var HUNDREDTHS = /^[0-9a-z]{3}$/;

  /**
   * How many bits each section holds, from the course data: a saved string is only trusted when it
   * has exactly this shape.
   * @param {object} data the cf-data block
   */
  function layout(data) {
    var quizzes = [];
    var items = 0;
    var surveys = 0;
    data.screens.forEach(function (screen) {
      if (screen.kind === "quiz") quizzes.push(data.quizzes[screen.id].questions.length);
      if (screen.kind === "checklist") items += data.checklists[screen.id].items.length;
      if (screen.kind === "survey") surveys += 1;
    });
    return { screens: data.screens.length, quizzes: quizzes, items: items, surveys: surveys };
  }

  function falses(count) {
    var bits = [];
    for (var i = 0; i < count; i++) bits.push(false);
    return bits;
  }

  /** A state with nothing done yet: what a first launch (or an unreadable save) starts from. */
  function fresh(shape) {
    return {
      visited: falses(shape.screens),
      quizzes: shape.quizzes.map(function (count) {
        return { attempts: 0, best: null, correct: falses(count) };
      }),
      checked: falses(shape.items),
      submitted: falses(shape.surveys),
      interactions: 0
    };
  }

  /** Six bits per character, least significant first; trailing zero characters are dropped. */
  function encodeBits(bits) {
    var out = "";
    for (var start = 0; start < bits.length; start += 6) {
      var value = 0;
      for (var bit = 0; bit < 6 && start + bit < bits.length; bit++) {
        if (bits[start + bit]) value |= 1 << bit;
      }
      out += ALPHABET.charAt(value);
    }
    return out.replace(/A+$/, "");
  }

  /** Reverse of encodeBits; throws when the text cannot come from a set of `count` bits. */
  function decodeBits(text, count) {
    if (text.length > Math.ceil(count / 6)) throw new Error("bit set too long");
    var bits = falses(count);
    for (var index = 0; index < text.length; index++) {
      var value = ALPHABET.indexOf(text.charAt(index));
      if (value < 0) throw new Error("bad bit set character");
      for (var bit = 0; bit < 6; bit++) {
        if (!(value & (1 << bit))) continue;
        if (index * 6 + bit >= count) throw new Error("bit outside the set");
        bits[index * 6 + bit] = true;
      }
    }
    return bits;
  }

  /**
   * The best score: a whole percent as 1-2 base-36 digits (as ever), any other as hundredths of a percent
   * in exactly 3 (so a pool's 44.44 stays 44.44 after a relaunch; the length tells the two apart).
   */
  function encodeBest(best) {
    if (best === null) return "";
    var hundredths = Math.max(0, Math.min(10000, Math.round(best * 100)));
    if (hundredths % 100 === 0) return (hundredths / 100).toString(36);
    return ("00" + hundredths.toString(36)).slice(-3);
  }

  function decodeBest(text) {
    if (text === "") return null;
    var best = HUNDREDTHS.test(text) ? parseInt(text, 36) / 100 : BASE36.test(text) ? parseInt(text, 36) : NaN;
    if (!(best <= 100)) throw new Error("bad quiz score");
    return best;
  }

  function encodeQuiz(quiz) {
    var attempts = Math.min(quiz.attempts, ATTEMPTS_CAP).toString(36);
    return attempts + "." + encodeBest(quiz.best) + "." + encodeBits(quiz.correct);
  }

  function decodeQuiz(text, count) {
    var parts = text.split(".");
    if (parts.length !== 3 || !BASE36.test(parts[0])) throw new Error("bad quiz entry");
    return { attempts: parseInt(parts[0], 36), best: decodeBest(parts[1]), correct: decodeBits(parts[2], count) };
  }

  /**
   * @returns {string} the suspend_data text for a state. The interactions written so far (the next index,
   * for an LMS that cannot say cmi.interactions._count) follow only once there are some, so a save without
   * any reads as before.
   */
  function encode(state) {
    var sections = [
      VERSION,
      encodeBits(state.visited),
      state.quizzes.map(encodeQuiz).join(","),
      encodeBits(state.checked),
      encodeBits(state.submitted)
    ];
    if (state.interactions > 0) sections.push(Math.min(state.interactions, INTERACTIONS_CAP).toString(36));
    return sections.join("~");
  }

  function decodeCount(text) {
    if (text === undefined) return 0;
    if (!COUNT36.test(text)) throw new Error("bad interaction count");
    return parseInt(text, 36);
  }

  function decodeStrict(text, shape) {
    var sections = text.split("~");
    if (sections.length < 5 || sections.length > 6 || sections[0] !== VERSION) throw new Error("not format v1");
    var quizTexts = sections[2] === "" ? [] : sections[2].split(",");
    if (quizTexts.length !== shape.quizzes.length) throw new Error("quiz count differs");
    return {
      visited: decodeBits(sections[1], shape.screens),
      quizzes: quizTexts.map(function (entry, index) {
        return decodeQuiz(entry, shape.quizzes[index]);
      }),
      checked: decodeBits(sections[3], shape.items),
      submitted: decodeBits(sections[4], shape.surveys),
      interactions: decodeCount(sections[5])
    };
  }

  /**
   * Reads saved state. Anything unreadable (another tool's data, a changed course, truncation by an
   * LMS) gives a fresh state instead of an error: losing progress beats a course that will not start.
   */
  function decode(text, shape) {
    if (typeof text !== "string" || text === "") return fresh(shape);
    try {
      return decodeStrict(text, shape);
    } catch (error) {
      if (root.console) root.console.warn("courseforge: saved progress ignored (" + error.message + ")");
      return fresh(shape);
    }
  }

  /** True when a state records anything done, i.e. there is something to resume. */
  function hasProgress(state) {
    return state.visited.indexOf(true) >= 0;
  }

  cf.state = {
    layout: layout,
    fresh: fresh,
    encode: encode,
    decode: decode,
    hasProgress: hasProgress,
    encodeBits: encodeBits,
    decodeBits: decodeBits
  };
})(window);
