// The LMS's sequencing on the courseforge preview LMS page, for SCORM 2004 (config.sequencing, built by
// plugins/scorm2004.py from the package's imsmanifest.xml): scorm-again's engine runs the activity tree.
//
// Before the content loads, the engine is asked to deliver the unit the harness launches: resumeAll when the
// attempt was left suspended (the tree state the LMS kept is restored first), else start, else a choice of that
// unit. The first request that delivers it wins; if none does, the content runs without sequencing and the
// page records why (Sequencing.refused). What the engine does is recorded beside the API calls: deliveries,
// navigation requests, exceptions, the end of the sequencing session (Sequencing.* events). After every
// Terminate the engine has processed adl.nav.request (or, with none, exit) and rolled up: the activity states
// are recorded (Sequencing.rollup) and the tree state is posted to the LMS for the next launch. A session the
// content left open (no navigation request, or one the LMS refused) is ended as an LMS ends it when its window
// closes: suspendAll after cmi.exit "suspend", else exitAll.
//
// The engine may deliver another activity after a "continue" or "choice" (a multi-SCO package): that delivery
// is recorded, but this page goes on showing the launched unit; the harness launches each unit itself.
"use strict";

window.courseforgeSequencing = (function () {
  function satisfiedOf(activity) {
    if (!activity.objectiveSatisfiedStatusKnown) return "unknown";
    return activity.objectiveSatisfiedStatus ? "satisfied" : "not satisfied";
  }

  // Every activity's tracking state, root first (SN: attempt completion status, objective satisfied status,
  // objective normalized measure, attempt completion amount).
  function activityStates(root) {
    const found = [];
    const pending = root ? [root] : [];
    while (pending.length) {
      const activity = pending.shift();
      found.push({id: activity.id, completion: activity.completionStatus || "unknown",
                  satisfied: satisfiedOf(activity),
                  measure: activity.objectiveMeasureStatus ? activity.objectiveNormalizedMeasure : null,
                  progress: activity.attemptCompletionAmountStatus ? activity.attemptCompletionAmount : null,
                  attempts: activity.attemptCount, suspended: activity.isSuspended === true});
      for (const child of activity.children || []) pending.push(child);
    }
    return found;
  }

  function currentOf(api) {
    const activity = api.getSequencingState().currentActivity;
    return activity ? activity.id : null;
  }

  // make(withEngine) builds a fresh API loaded with the attempt's data model; record(method, args, result,
  // error) adds an event; isDismissed() says whether the page is going away.
  function start(make, plan, record, isDismissed) {
    let ended = false;
    let buffered = null;    // events of a delivery try, recorded only if that try delivers the unit

    function emit(method, args, result) {
      if (buffered) buffered.push([method, args, result]);
      else record(method, args, result, "0");
    }

    const listeners = {
      onActivityDelivery: function (activity) { emit("Sequencing.deliver", [activity.id], "true"); },
      onNavigationRequest: function (request, target) {
        emit("Sequencing.request", [String(request), target ? String(target) : ""], "true");
      },
      onSequencingSessionEnd: function (data) {
        ended = true;
        emit("Sequencing.end", [String(data && data.reason || ""), String(data && data.navigationRequest || "")],
             "true");
      },
      onSequencingError: function (error, context) {
        emit("Sequencing.error", [String(error), context ? String(context) : ""], "false");
      },
    };

    function deliver() {
      const tries = [];
      if (plan.state) tries.push(["resumeAll", null]);
      tries.push(["start", null], ["choice", plan.unit]);
      const said = [];
      for (const [request, target] of tries) {
        const api = make(true);
        buffered = [];
        api.setSequencingEventListeners(listeners);
        let delivered = false;
        try {
          if (request === "resumeAll" && !api.deserializeSequencingState(plan.state)) {
            said.push("resumeAll: the saved tree state did not load");
            continue;
          }
          delivered = api.processNavigationRequest(request, target || undefined) && currentOf(api) === plan.unit;
        } catch (error) {
          buffered.push(["Sequencing.error", [String(error), request], "false"]);
        }
        const events = buffered;
        buffered = null;
        if (delivered) {
          for (const [method, args, result] of events) record(method, args, result, "0");
          return api;
        }
        const errors = events.filter(function (e) { return e[0] === "Sequencing.error"; }).map(function (e) {
          return e[1][0];
        });
        const current = currentOf(api);
        said.push(request + ": " + (errors.length ? errors.join(", ") : current ? "delivered " + current : "nothing delivered"));
      }
      ended = true;
      record("Sequencing.refused", [plan.unit].concat(said), "false", "0");
      return null;
    }

    const api = deliver();
    if (!api) {
      return {api: make(false), watch: function () {}, dismissed: function () {}};
    }

    function save() {
      const body = api.serializeSequencingState();
      if (isDismissed()) {
        return navigator.sendBeacon(plan.stateUrl, new Blob([body], {type: "text/plain;charset=UTF-8"}));
      }
      fetch(plan.stateUrl, {method: "POST", body: body, keepalive: body.length < 60000,
                            headers: {"Content-Type": "text/plain;charset=UTF-8"}}).catch(function () {});
      return true;
    }

    function settle(why) {
      const saved = save();
      const state = api.getSequencingState();
      const snapshot = {root: state.rootActivity ? state.rootActivity.id : plan.root, current: currentOf(api),
                        ended: ended, saved: saved, activities: activityStates(state.rootActivity)};
      record("Sequencing.rollup", [why, JSON.stringify(snapshot)], "true", "0");
    }

    // The learner closed the window on a session the content left open: the LMS suspends or exits it.
    function closeSession() {
      if (ended || !api.isTerminated()) return;
      const exit = api.cmi.getExitValueInternal ? api.cmi.getExitValueInternal() : "";
      api.processNavigationRequest(exit === "suspend" ? "suspendAll" : "exitAll");
      settle("the window closed");
    }

    // After the (recorded) finish call: plan.finish names it (Terminate).
    function watch() {
      const finish = api[plan.finish];
      api[plan.finish] = function () {
        const result = finish.apply(api, arguments);
        if (result === "true") {
          settle("after " + plan.finish);
          if (isDismissed()) closeSession();
        }
        return result;
      };
    }

    return {api: api, watch: watch, dismissed: closeSession};
  }

  return {start: start, activityStates: activityStates};
})();
