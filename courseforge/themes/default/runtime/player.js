/*
 * The player: connects tracking, restores saved state, shows one screen at a time, and reports progress
 * at every checkpoint (screen change, quiz submit, checklist change, survey submit, page hidden). The
 * tracker is asynchronous: the course starts once it is connected, and commits run in the background,
 * one at a time, so the learner never waits for the LMS.
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
    this.committing = false;
    this.commitAgain = false;
    this.finishing = null;
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
    this.commit();
  };

  /**
   * Starts a commit unless one is in flight; then one more follows it, carrying everything reported
   * meanwhile (LMSs answer overlapping commits out of order, or refuse them). The learner never waits.
   */
  Player.prototype.commit = function () {
    var self = this;
    if (this.committing) {
      this.commitAgain = true;
      return;
    }
    this.committing = true;
    this.commitAgain = false;
    function settled() {
      self.committing = false;
      if (self.commitAgain && !self.finished) self.commit();
    }
    this.tracker.commit().then(settled, settled);
  };

  /** Shows screen `index`; with `moveFocus` the new heading gets focus, as a page load would. */
  Player.prototype.go = function (index, moveFocus) {
    if (index < 0 || index >= this.sections.length) return;
    if (this.current >= 0) this.sections[this.current].hidden = true;
    this.current = index;
    this.sections[index].hidden = false;
    if (this.screens[index]) this.screens[index].show();
    this.state.visited[index] = true;
    var screen = this.data.screens[index];
    this.tracker.setBookmark(screen.id);
    this.tracker.screenViewed({ id: screen.id, title: screen.title, index: index, total: this.sections.length,
                                kind: screen.kind });
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
   * Final report and the end of the session (LMSFinish commits by itself; a separate commit during page
   * dismissal would need a synchronous request, which browsers refuse). Once only: the tracker also
   * guards against a second finish.
   * @returns {Promise<void>} settled once the tracker has finished
   */
  Player.prototype.finish = function () {
    if (!this.finishing) {
      this.report();
      this.finished = true;
      this.finishing = this.tracker.finish().catch(function () {});
    }
    return this.finishing;
  };

  /** The Exit control: the session ends first, then the LMS's page replaces the course. */
  Player.prototype.exit = function () {
    var url = this.tracker.exitUrl();
    this.finish().then(function () {
      root.location.assign(url);
    });
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

  /** What the learner should know about this launch: nothing is kept, or results are not recorded. */
  Player.prototype.showNotices = function () {
    var self = this;
    var mode = this.tracker.getLaunchMode();
    if (this.tracker.mode === "standalone") dom.one(doc, "#cf-standalone").hidden = false;
    else if (mode === "browse" || mode === "review") dom.one(doc, "#cf-no-credit").hidden = false;
    if (this.tracker.exitUrl() === null) return;
    var button = dom.one(doc, "#cf-exit");
    button.hidden = false;
    button.addEventListener("click", function () {
      self.exit();
    });
  };

  Player.prototype.start = function () {
    this.bind();
    this.showNotices();
    var bookmark = cf.progress.screenIndex(this.data, this.tracker.getBookmark());
    if (bookmark >= 0 && cf.state.hasProgress(this.state)) this.offerResume(bookmark);
    else this.go(0, false);
  };

  function boot() {
    var data = readJson("cf-data");
    var ui = readJson("cf-ui");
    dom.useNumberSymbols(ui.number);
    dom.limitText(doc, cf.tracking.textLimit());
    cf.tracking.connect(root, data.course).then(function (tracker) {
      var player = new Player(data, ui, tracker);
      cf.player = player;
      player.start();
    });
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", boot);
  else boot();
})(window);
