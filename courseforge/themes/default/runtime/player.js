/*
 * The player: connects tracking, restores saved state, shows one screen at a time, and reports progress
 * at every checkpoint (screen change, quiz submit, checklist change, survey submit, page hidden).
 */
(function (root) {
  "use strict";

  var cf = root.courseforge;
  var dom = cf.dom;
  var doc = root.document;
  var controllers = { quiz: cf.QuizScreen, checklist: cf.ChecklistScreen, survey: cf.SurveyScreen };

  function readJson(id) {
    return JSON.parse(doc.getElementById(id).textContent);
  }

  /** @constructor */
  function Player(data, ui, tracker) {
    this.data = data;
    this.ui = ui;
    this.tracker = tracker;
    cf.progress.applyLmsMastery(data, tracker.getMasteryScore());
    this.shape = cf.state.layout(data);
    this.state = cf.state.decode(tracker.getState(), this.shape);
    tracker.continueInteractions(this.state.interactions);
    this.where = cf.progress.positions(data);
    this.current = -1;
    this.finished = false;
    this.sections = data.screens.map(function (screen) {
      return doc.querySelector('[data-screen="' + screen.id + '"]');
    });
    this.links = dom.all(doc, ".cf-contents [data-cf-goto]");
    this.screens = this.sections.map(this.controllerFor, this);
  }

  Player.prototype.controllerFor = function (section, index) {
    var screen = this.data.screens[index];
    var Controller = controllers[screen.kind];
    return Controller ? new Controller(section, screen.id, this) : null;
  };

  /**
   * Saves state and reports score, always before status (some LMSs' reports depend on it). The score
   * goes out only once it is final: LMSs that decide pass/fail from the score (Moodle's "mastery score
   * overrides status", scorm-again's mastery_override) would turn a learner still working into "failed".
   */
  Player.prototype.report = function () {
    this.state.interactions = this.tracker.interactionCount();
    this.tracker.saveState(cf.state.encode(this.state));
    var result = cf.progress.evaluate(this.data, this.state, null);
    this.tracker.setScore(result.final ? result.score : null);
    this.tracker.setStatus(result);
  };

  /** A checkpoint: report, then commit so a crash or closed window loses nothing. */
  Player.prototype.checkpoint = function () {
    if (this.finished) return;
    this.report();
    this.tracker.commit();
  };

  /** Shows screen `index`; with `moveFocus` the new heading gets focus, as a page load would. */
  Player.prototype.go = function (index, moveFocus) {
    if (index < 0 || index >= this.sections.length) return;
    if (this.current >= 0) this.sections[this.current].hidden = true;
    this.current = index;
    this.sections[index].hidden = false;
    if (this.screens[index]) this.screens[index].show();
    this.state.visited[index] = true;
    this.tracker.setBookmark(this.data.screens[index].id);
    this.updateChrome();
    this.checkpoint();
    if (moveFocus) dom.focus(dom.one(this.sections[index], "h1"));
  };

  /** Progress line, pager buttons and the contents list follow the current screen. */
  Player.prototype.updateChrome = function () {
    var index = this.current;
    var state = this.state;
    dom.one(doc, "#cf-progress").textContent = dom.format(this.ui.progress, { current: index + 1, total: this.sections.length });
    dom.one(doc, "#cf-prev").disabled = index === 0;
    dom.one(doc, "#cf-next").disabled = index === this.sections.length - 1;
    this.links.forEach(function (link, position) {
      if (position === index) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
      dom.one(link, ".cf-visited-mark").hidden = !state.visited[position];
    });
  };

  Player.prototype.goTo = function (screenId) {
    var index = cf.progress.screenIndex(this.data, screenId);
    if (index >= 0) this.go(index, true);
  };

  Player.prototype.bind = function () {
    var self = this;
    dom.one(doc, "#cf-prev").addEventListener("click", function () {
      self.go(self.current - 1, true);
    });
    dom.one(doc, "#cf-next").addEventListener("click", function () {
      self.go(self.current + 1, true);
    });
    doc.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-cf-goto]") : null;
      if (!link) return;
      event.preventDefault();
      self.goTo(link.getAttribute("data-cf-goto"));
    });
    // No unload/beforeunload: they are unreliable and break the back/forward cache.
    doc.addEventListener("visibilitychange", function () {
      if (doc.visibilityState === "hidden") self.checkpoint();
    });
    root.addEventListener("pagehide", function () {
      self.finish();
    });
  };

  /**
   * Final report and LMSFinish (which commits by itself; a separate commit during page dismissal
   * would need a synchronous request, which browsers refuse). The tracker also guards against a
   * second finish.
   */
  Player.prototype.finish = function () {
    if (this.finished) return;
    this.report();
    this.finished = true;
    this.tracker.finish();
  };

  /** Offers to return to the bookmark; "Start over" keeps all progress and only goes to screen 1. */
  Player.prototype.offerResume = function (index) {
    var self = this;
    var dialog = dom.one(doc, "#cf-resume");
    if (typeof dialog.showModal !== "function") return this.go(index, true); // no <dialog> support
    dom.one(dialog, "#cf-resume-where").textContent = dom.format(this.ui.resumeWhere, { title: this.data.screens[index].title });
    function choose(target) {
      if (dialog.open) dialog.close();
      self.go(target, true);
    }
    dom.one(dialog, '[data-role="resume"]').addEventListener("click", function () {
      choose(index);
    });
    dom.one(dialog, '[data-role="restart"]').addEventListener("click", function () {
      choose(0);
    });
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      choose(index);
    });
    this.sections[0].hidden = true;
    dialog.showModal();
  };

  Player.prototype.start = function () {
    this.bind();
    if (this.tracker.mode === "standalone") dom.one(doc, "#cf-standalone").hidden = false;
    var bookmark = cf.progress.screenIndex(this.data, this.tracker.getBookmark());
    if (bookmark >= 0 && cf.state.hasProgress(this.state)) this.offerResume(bookmark);
    else this.go(0, false);
  };

  function boot() {
    var tracker = cf.tracking.connect(root);
    var ui = readJson("cf-ui");
    dom.useNumberSymbols(ui.number);
    var player = new Player(readJson("cf-data"), ui, tracker);
    cf.player = player;
    player.start();
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", boot);
  else boot();
})(window);
