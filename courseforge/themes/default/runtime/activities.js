/*
 * Checklist and survey screens. A checklist saves on every change; a survey is submitted once and its
 * answers are reported as neutral interactions (they are opinions, never right or wrong).
 */
(function (root) {
  "use strict";

  var cf = (root.courseforge = root.courseforge || {});
  var dom = cf.dom;

  /** @constructor */
  function ChecklistScreen(section, id, session) {
    this.items = session.data.checklists[id].items;
    this.offset = session.where.checklistOffset[id];
    this.session = session;
    this.boxes = dom.all(section, "input[data-item]");
    this.summary = dom.one(section, '[data-role="summary"]');
    var self = this;
    this.boxes.forEach(function (box, index) {
      box.checked = Boolean(session.state.checked[self.offset + index]);
      box.addEventListener("change", function () {
        session.state.checked[self.offset + index] = box.checked;
        self.showSummary();
        session.checkpoint();
      });
    });
  }

  ChecklistScreen.prototype.show = function () {
    this.showSummary();
  };

  ChecklistScreen.prototype.showSummary = function () {
    var self = this;
    var required = 0;
    var done = 0;
    this.items.forEach(function (item, index) {
      if (!item.required) return;
      required += 1;
      if (self.boxes[index].checked) done += 1;
    });
    var text = required ? dom.format(this.session.ui.checklistProgress, { done: done, total: required }) : "";
    if (this.summary.textContent !== text) this.summary.textContent = text;
  };

  /** Reads one survey item: likert -> scale index, text -> trimmed text; null when left empty. */
  function readItem(section, item) {
    var box = dom.one(section, '[data-item="' + item.id + '"]');
    if (item.type === "likert") {
      var checked = dom.one(box, "input:checked");
      return checked ? Number(checked.value) : null;
    }
    var text = dom.answerText(dom.one(box, "textarea"));
    return text === "" ? null : text;
  }

  /** @constructor */
  function SurveyScreen(section, id, session) {
    this.section = section;
    this.id = id;
    this.survey = session.data.surveys[id];
    this.index = session.where.survey[id];
    this.session = session;
    this.form = dom.one(section, '[data-role="form"]');
    this.summary = dom.one(section, '[data-role="summary"]');
    this.shownAt = Date.now();
    var self = this;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    if (session.state.submitted[this.index]) this.lock();
  }

  SurveyScreen.prototype.show = function () {
    this.shownAt = Date.now();
  };

  /** Submitted answers are final: the form is disabled and only the confirmation stays. */
  SurveyScreen.prototype.lock = function () {
    dom.all(this.form, "fieldset, textarea").forEach(function (control) {
      control.disabled = true;
    });
    dom.one(this.form, '[data-role="submit"]').hidden = true;
    this.summary.textContent = this.session.ui.surveySubmitted;
  };

  SurveyScreen.prototype.submit = function () {
    if (this.session.state.submitted[this.index]) return;
    var self = this;
    var now = new Date();
    this.survey.items.forEach(function (item) {
      var response = readItem(self.section, item);
      if (response === null) return;
      self.session.tracker.recordInteraction({
        id: self.id + "__" + item.id + "__1",
        type: item.type,
        question: null,
        response: response,
        result: "neutral",
        weighting: 0,
        latencyMs: now.getTime() - self.shownAt,
        time: now
      });
    });
    this.session.state.submitted[this.index] = true;
    this.lock();
    this.session.checkpoint();
    dom.focus(this.summary);
  };

  cf.ChecklistScreen = ChecklistScreen;
  cf.SurveyScreen = SurveyScreen;
})(window);
