// The LMS page of courseforge preview: frames the content (or opens it as a popup, or nests it in
// frames, as the LMS behaviour profile says) and, when the launch config has an "api" (SCORM), builds
// that standard's scorm-again API first, applies the calls the profile refuses, records every API call
// with its result and error code, and sends the record to the server. With "sequencing" (SCORM 2004) the
// API runs the package's activity tree in scorm-again's engine (sequencing.js), which delivers the SCO
// before it loads; what the engine does is recorded beside the calls (Sequencing.* events). Standards
// whose LMS is on the server (xAPI, cmi5) get no API here: their plug-in records what arrives there.
// Nothing here knows about tests: a profile is data (see profiles.py), and the recorded calls are exactly
// what the content sent (and, apart, what the engine did).
"use strict";

window.courseforgeLms = (function () {
  const launchStart = performance.now();
  const calls = [];        // every recorded call, for a person debugging in the console
  let config = null;
  let nextSeq = 0;
  let unsent = [];         // recorded, not yet posted
  let unconfirmed = [];    // posted by fetch, no answer yet: sent again by beacon if the page goes
  let flushTimer = null;
  let posting = Promise.resolve();
  let dismissed = false;
  let refusedError = null; // the error code of the last call the profile refused
  let sequenced = null;     // the engine's side, with sequencing (sequencing.js)

  function copy(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  function isDismissed() {
    return dismissed || document.visibilityState === "hidden";
  }

  function beacon(batch) {
    if (batch.length) {
      navigator.sendBeacon(config.eventsUrl, new Blob([JSON.stringify(batch)], {type: "text/plain;charset=UTF-8"}));
    }
  }

  // Posts what was recorded, after any post still on its way (so batches arrive in order); resolves
  // once the server has everything recorded so far (the session awaits this before reading).
  function flush() {
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    if (!unsent.length) {
      return posting;
    }
    const batch = unsent;
    unsent = [];
    if (isDismissed()) {
      beacon(batch);
      return posting;
    }
    unconfirmed = unconfirmed.concat(batch);
    posting = posting.then(function () {
      return fetch(config.eventsUrl, {method: "POST", body: JSON.stringify(batch),
                                      headers: {"Content-Type": "application/json"}});
    }).then(function () {
      unconfirmed = unconfirmed.filter(function (event) { return batch.indexOf(event) < 0; });
    }).catch(function () {
      // Not confirmed: the batch stays in unconfirmed and goes by beacon when the page is dismissed.
    });
    return posting;
  }

  function onDismiss() {
    dismissed = true;
    if (sequenced) sequenced.dismissed();  // an LMS ends a session the content left open as its window goes
    beacon(unconfirmed.concat(unsent));
    unconfirmed = [];
    unsent = [];
  }

  function note(method, args, result, error) {
    const event = {seq: nextSeq, at_ms: performance.now() - launchStart, method: method,
                   args: args.map(String), result: result === null || result === undefined ? null : String(result),
                   error: String(error)};
    nextSeq += 1;
    calls.push(event);
    unsent.push(event);
    if (isDismissed()) {
      flush();
    } else if (flushTimer === null) {
      flushTimer = setTimeout(flush, 50);
    }
  }

  function refusal(method, args) {
    for (const rule of config.api.refusals) {
      if (rule.methods.indexOf(method) < 0) continue;
      if (rule.when === "dismissed" && !isDismissed()) continue;
      if (!new RegExp(rule.element).test(args.length ? String(args[0]) : "")) continue;
      return rule;
    }
    return null;
  }

  // Replaces each API method with one that applies the profile, calls scorm-again and records the call.
  function instrument(api, shape) {
    const errorQueries = shape.error_queries;
    for (const name of shape.methods) {
      const original = api[name];
      api[name] = function (...args) {
        let result;
        if (name === shape.last_error && refusedError !== null) {
          result = refusedError;
        } else if (errorQueries.indexOf(name) >= 0) {
          result = original.apply(api, args);
        } else {
          const rule = refusal(name, args);
          refusedError = rule ? rule.error : null;
          result = rule ? rule.result : original.apply(api, args);
        }
        const error = refusedError !== null ? refusedError : String(api.lastErrorCode);
        note(name, copy(args), copy(result), name === shape.last_error ? result : error);
        return result;
      };
    }
  }

  function frameContent(launchUrl, framesBetween) {
    const iframe = document.createElement("iframe");
    iframe.title = framesBetween > 0 ? "LMS frame" : "course content";
    iframe.id = framesBetween > 0 ? "frame" : "sco";
    iframe.name = iframe.id;
    iframe.src = framesBetween > 0
      ? "frame.html?depth=" + (framesBetween - 1) + "&launch=" + encodeURIComponent(launchUrl)
      : launchUrl;
    document.body.appendChild(iframe);
  }

  function buildApi(shape) {
    const settings = Object.assign({
      autocommit: false,                 // commits happen only when the content asks
      lmsCommitUrl: config.commitUrl,    // the server keeps each commit as the learner's record
      terminateCommitParam: "terminate", // ?terminate=true marks the LMSFinish commit
      logLevel: config.logLevel,
    }, shape.settings);
    function make(withEngine) {
      const own = withEngine ? Object.assign({sequencing: config.sequencing.settings}, settings) : settings;
      const made = new window[shape.constructor](own);
      made.loadFromJSON(config.cmi);     // before initialize, so read-only elements can be seeded
      return made;
    }
    sequenced = config.sequencing ? window.courseforgeSequencing.start(make, config.sequencing, note, isDismissed)
      : null;
    const api = sequenced ? sequenced.api : make(false);
    instrument(api, shape);
    if (sequenced) sequenced.watch();
    window[shape.global_name] = api;
  }

  function start(launchConfig) {
    config = launchConfig;
    if (config.api) {
      buildApi(config.api);
    }
    if (config.profile.popup) {
      window.open(config.launchUrl, "sco");
    } else {
      frameContent(config.launchUrl, config.profile.framesBetween);
    }
  }

  // Dismissal lasts while the page is hidden: a learner who switches tabs and comes back is back.
  window.addEventListener("pagehide", onDismiss);
  window.addEventListener("pageshow", function () { dismissed = false; });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") onDismiss();
    else dismissed = false;
  });

  const launchId = new URLSearchParams(window.location.search).get("launch");
  if (launchId) {
    fetch("/__lms/launches/" + encodeURIComponent(launchId))
      .then(function (response) { return response.json(); })
      .then(start);
  }

  return {calls: calls, flush: flush, start: start, isDismissed: isDismissed};
})();
