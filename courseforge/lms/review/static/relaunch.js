/* courseforge review LMS, watch mode: when live reload says the course was rebuilt, the player launches the newest
   version (a new LMS session) instead of reloading its frame, whose SCORM API cannot start a second session. */
(function () {
  "use strict";
  var form = document.getElementById("relaunch");
  if (!form) return;
  window.addEventListener("courseforge:live-reload", function (event) {
    event.preventDefault();
    form.submit();
  });
})();
