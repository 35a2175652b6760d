/*
 * A quiz screen: draws and orders the questions of each attempt, reads the learner's answers, shows
 * feedback and the result line, and reports every answered question as an interaction. Submitting with
 * unanswered questions asks first (quiz.unanswered "ask") or is refused ("refuse"): nothing is recorded
 * until the learner really submits.
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var dom = cf.dom;
  var doc = root.document;

  /** Reads one question's response from its fieldset (shapes as documented in scoring.js). */
  var readers = {
    single: checkedValues,
    multiple: checkedValues,
    "true-false": function (fieldset) {
      var checked = dom.one(fieldset, "input:checked");
      return checked ? checked.value === "true" : null;
    },
    "fill-in": textValue,
    numeric: textValue,
    matching: function (fieldset) {
      return selectMap(fieldset, "data-source", String);
    },
    sequencing: function (fieldset) {
      return selectMap(fieldset, "data-item", Number);
    }
  };

  function checkedValues(fieldset) {
    return dom.all(fieldset, "input:checked").map(function (input) {
      return input.value;
    });
  }

  function textValue(fieldset) {
    return dom.answerText(dom.one(fieldset, '[data-role="answer"]'));
  }

  function selectMap(fieldset, attribute, convert) {
    var map = {};
    dom.all(fieldset, "select[" + attribute + "]").forEach(function (select) {
      if (select.value !== "") map[select.getAttribute(attribute)] = convert(select.value);
    });
    return map;
  }

  /** Clears answers and feedback so a new attempt starts blank. */
  function resetFieldset(fieldset) {
    fieldset.disabled = false;
    fieldset.classList.remove("cf-is-correct", "cf-is-incorrect");
    dom.all(fieldset, "input").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") input.checked = false;
      else input.value = "";
    });
    dom.all(fieldset, "select").forEach(function (select) {
      select.selectedIndex = 0;
    });
    dom.all(fieldset, "[data-role=feedback], [data-verdict], [data-feedback-for]").forEach(function (node) {
      node.hidden = true;
    });
  }

  /** Where a learner continues a question: its first unset list, else its first control. */
  function openControl(fieldset) {
    var empty = dom.all(fieldset, "select").filter(function (select) {
      return select.value === "";
    });
    return empty[0] || dom.one(fieldset, "input, select");
  }

  function shuffleOptions(fieldset) {
    var box = dom.one(fieldset, '[data-role="options"]');
    if (!box) return;
    cf.scoring.shuffled(dom.all(box, "[data-option]"), Math.random).forEach(function (option) {
      box.appendChild(option);
    });
  }

  /** Reveals the verdict and the feedback of each choice the learner picked. */
  function showFeedback(fieldset, result) {
    fieldset.classList.add(result.correct ? "cf-is-correct" : "cf-is-incorrect");
    dom.one(fieldset, "[data-role=feedback]").hidden = false;
    dom.one(fieldset, '[data-verdict="' + (result.correct ? "correct" : "incorrect") + '"]').hidden = false;
    if (!Array.isArray(result.response)) return;
    result.response.forEach(function (choiceId) {
      var note = dom.one(fieldset, '[data-feedback-for="' + choiceId + '"]');
      if (note) note.hidden = false;
    });
  }

  /** @constructor */
  function QuizScreen(section, id, session) {
    this.section = section;
    this.id = id;
    this.quiz = session.data.quizzes[id];
    this.index = session.where.quiz[id];
    this.session = session;
    this.form = dom.one(section, '[data-role="form"]');
    this.list = dom.one(section, '[data-role="questions"]');
    this.submitButton = dom.one(section, '[data-role="submit"]');
    this.result = dom.one(section, '[data-role="result"]');
    this.retryButton = dom.one(section, '[data-role="retry"]');
    this.attemptsLine = dom.one(section, '[data-role="attempts"]');
    this.refusal = dom.one(section, '[data-role="unanswered"]');
    this.dialog = dom.one(section, '[data-role="confirm"]');
    this.fieldsets = {};
    this.attempt = null;
    this.missing = [];
    this.choice = "";
    var self = this;
    dom.all(section, "[data-question]").forEach(function (fieldset) {
      self.fieldsets[fieldset.getAttribute("data-question")] = fieldset;
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    this.retryButton.addEventListener("click", function () {
      self.retry();
    });
    this.bindUnanswered();
  }

  /** The dialog's buttons and every "unanswered" link; what happens is decided when the dialog has closed. */
  QuizScreen.prototype.bindUnanswered = function () {
    var self = this;
    var dialog = this.dialog;
    function choose(choice) {
      self.choice = choice;
      if (dialog.open) dialog.close();
      else self.afterChoice();
    }
    dom.one(dialog, '[data-role="keep"]').addEventListener("click", function () {
      choose(self.missing[0].id);
    });
    dom.one(dialog, '[data-role="submit-anyway"]').addEventListener("click", function () {
      choose("submit");
    });
    dialog.addEventListener("close", function () {
      self.afterChoice();
    });
    this.section.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-cf-question]") : null;
      if (!link) return;
      event.preventDefault();
      choose(link.getAttribute("data-cf-question"));
    });
  };

  /** After the dialog: submit, go to a question, or (Escape) back to the submit button. */
  QuizScreen.prototype.afterChoice = function () {
    var choice = this.choice;
    this.choice = "";
    if (choice === "submit") this.record();
    else if (this.fieldsets[choice]) dom.focus(openControl(this.fieldsets[choice]));
    else dom.focus(this.submitButton);
  };

  QuizScreen.prototype.saved = function () {
    return this.session.state.quizzes[this.index];
  };

  /** Called each time the screen is shown: an attempt in progress is left as it is. */
  QuizScreen.prototype.show = function () {
    if (this.attempt) return;
    if (cf.scoring.isLocked(this.quiz, this.saved())) this.showLocked();
    else this.start();
  };

  QuizScreen.prototype.start = function () {
    var self = this;
    var order = cf.scoring.drawQuestions(this.quiz, Math.random);
    Object.keys(this.fieldsets).forEach(function (questionId) {
      self.fieldsets[questionId].hidden = true;
    });
    order.forEach(function (index) {
      var question = self.quiz.questions[index];
      var fieldset = self.fieldsets[question.id];
      resetFieldset(fieldset);
      if (question.shuffle) shuffleOptions(fieldset);
      fieldset.hidden = false;
      self.list.appendChild(fieldset);
    });
    this.attempt = { order: order, started: Date.now(), submitted: false };
    this.form.hidden = false;
    this.refusal.hidden = true;
    this.submitButton.hidden = false;
    this.result.textContent = "";
    this.retryButton.hidden = true;
    this.showAttempts();
  };

  QuizScreen.prototype.showAttempts = function () {
    var total = this.quiz.attempts;
    this.attemptsLine.hidden = !total;
    if (total) this.attemptsLine.textContent = dom.format(this.session.ui.attemptsUsed, { used: this.saved().attempts, total: total });
  };

  QuizScreen.prototype.showResult = function (percent, passed) {
    var ui = this.session.ui;
    var text = dom.format(passed ? ui.resultPassed : ui.resultFailed, { percent: dom.number(percent) });
    if (!passed && cf.scoring.isLocked(this.quiz, this.saved())) text += " " + ui.noAttemptsLeft;
    this.result.textContent = text;
  };

  QuizScreen.prototype.responses = function () {
    var self = this;
    var responses = {};
    this.attempt.order.forEach(function (index) {
      var question = self.quiz.questions[index];
      responses[question.id] = readers[question.type](self.fieldsets[question.id]);
    });
    return responses;
  };

  /** The questions of this attempt a learner would call unfinished, in display order. */
  QuizScreen.prototype.unanswered = function () {
    var quiz = this.quiz;
    var responses = this.responses();
    return this.attempt.order
      .map(function (index) {
        return quiz.questions[index];
      })
      .filter(function (question) {
        return !cf.scoring.isComplete(question, responses[question.id]);
      });
  };

  /** Fills a box's count line and its list of links to the unanswered questions. */
  QuizScreen.prototype.listUnanswered = function (box) {
    var self = this;
    var list = dom.one(box, '[data-role="list"]');
    dom.one(box, '[data-role="count"]').textContent = dom.format(this.session.ui.unansweredCount, {
      count: this.missing.length,
      total: this.attempt.order.length
    });
    list.textContent = "";
    this.missing.forEach(function (question) {
      var fieldset = self.fieldsets[question.id];
      var item = doc.createElement("li");
      var link = item.appendChild(doc.createElement("a"));
      link.href = "#" + fieldset.id;
      link.setAttribute("data-cf-question", question.id);
      link.textContent = dom.one(fieldset, "legend").textContent;
      list.appendChild(item);
    });
  };

  /** Submit pressed: with questions unanswered, ask or refuse; a browser without <dialog> refuses. */
  QuizScreen.prototype.submit = function () {
    if (!this.attempt || this.attempt.submitted || this.dialog.open) return;
    this.missing = this.unanswered();
    this.refusal.hidden = true;
    if (!this.missing.length) return this.record();
    var ask = this.quiz.unanswered !== "refuse" && typeof this.dialog.showModal === "function";
    this.listUnanswered(ask ? this.dialog : this.refusal);
    if (ask) this.dialog.showModal();
    else this.refusal.hidden = false;
  };

  /** Scores, saves and reports the attempt: the only place an attempt is used. */
  QuizScreen.prototype.record = function () {
    if (!this.attempt || this.attempt.submitted) return;
    var scored = cf.scoring.scoreAttempt(this.quiz, this.attempt.order, this.responses());
    cf.scoring.recordAttempt(this.quiz, this.saved(), scored);
    this.attempt.submitted = true;
    this.report(scored);
    this.submitButton.hidden = true;
    this.showResult(scored.percent, scored.percent >= this.quiz.passing);
    this.retryButton.hidden = cf.scoring.isLocked(this.quiz, this.saved());
    this.showAttempts();
    this.session.checkpoint();
    dom.focus(this.result);
  };

  /** Feedback on screen and one interaction per answered question, id quiz__question__attempt. */
  QuizScreen.prototype.report = function (scored) {
    var self = this;
    var now = new Date();
    var attemptNumber = this.saved().attempts;
    scored.results.forEach(function (result) {
      var fieldset = self.fieldsets[result.question.id];
      showFeedback(fieldset, result);
      fieldset.disabled = true;
      if (!result.answered) return;
      self.session.tracker.recordInteraction({
        id: self.id + "__" + result.question.id + "__" + attemptNumber,
        type: result.question.type,
        question: result.question,
        response: result.response,
        result: result.correct ? "correct" : "wrong",
        weighting: result.question.points,
        latencyMs: now.getTime() - self.attempt.started,
        time: now
      });
    });
  };

  QuizScreen.prototype.retry = function () {
    if (cf.scoring.isLocked(this.quiz, this.saved())) return;
    this.attempt = null;
    this.start();
    var first = dom.one(this.list, "fieldset:not([hidden]) input, fieldset:not([hidden]) select");
    dom.focus(first);
  };

  /** A quiz finished in an earlier session: its best result, without questions to answer. */
  QuizScreen.prototype.showLocked = function () {
    var saved = this.saved();
    this.form.hidden = true;
    this.retryButton.hidden = true;
    this.showAttempts();
    this.showResult(cf.scoring.bestPercent(this.quiz, saved), cf.scoring.isPassed(this.quiz, saved));
  };

  cf.QuizScreen = QuizScreen;
})(window);
