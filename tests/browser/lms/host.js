// Shared LMS-side glue for the browser-test host pages: builds the runtime API, records every
// tracking call the content makes, and frames the launch page. Kept free of test logic so the
// recorded calls are exactly what the content sent.
"use strict";

window.courseforgeLms = (function () {
  // Each entry: {method, args, result, error} where error is the API's last error code after the call.
  const calls = [];

  function copy(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  // Replace api[name] with a function that calls the original and records the exchange.
  function record(api, names) {
    for (const name of names) {
      const original = api[name];
      api[name] = function (...args) {
        const result = original.apply(api, args);
        calls.push({method: name, args: copy(args), result: copy(result), error: String(api.lastErrorCode)});
        return result;
      };
    }
  }

  // Content polls the last error after every call; keep only the answers that report a problem.
  function recordErrors(api, name) {
    const original = api[name];
    api[name] = function (...args) {
      const code = original.apply(api, args);
      if (String(code) !== "0") {
        calls.push({method: name, args: copy(args), result: copy(code), error: String(code)});
      }
      return code;
    };
  }

  function frame(launchUrl) {
    const iframe = document.createElement("iframe");
    iframe.id = "sco";
    iframe.name = "sco";
    iframe.title = "course content";
    iframe.src = launchUrl;
    document.body.appendChild(iframe);
  }

  // config: {launchUrl, commitUrl (string or false), cmi (object for loadFromJSON), logLevel}
  function start12(config) {
    const api = new Scorm12API({
      autocommit: false,                 // commits happen only when the content asks
      lmsCommitUrl: config.commitUrl,    // the test server keeps each commit as the learner's record
      terminateCommitParam: "terminate", // ?terminate=true marks the LMSFinish commit
      logLevel: config.logLevel,
    });
    api.loadFromJSON(config.cmi);        // before LMSInitialize, so read-only elements can be seeded
    record(api, ["LMSInitialize", "LMSFinish", "LMSSetValue", "LMSCommit"]);
    recordErrors(api, "LMSGetLastError");
    window.API = api;
    frame(config.launchUrl);
  }

  return {calls: calls, start12: start12};
})();
