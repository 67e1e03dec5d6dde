// digest serve: keep the "Building the site" page's status line current.
// It asks the server what the first build is doing a few times a second.
// Reloading into the site when it is ready is livereload.js's job (the page
// carries it too); this script only updates the text.
(function () {
  "use strict";
  var line = document.getElementById("digest-progress");
  if (!line) { return; }

  function poll(delay) {
    fetch("/__digest/progress", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        text = text.trim();
        if (text === "ready") { return; }  // livereload.js reloads the tab
        if (text) { line.textContent = text; }
        setTimeout(function () { poll(250); }, 250);
      })
      .catch(function () { setTimeout(function () { poll(Math.min(delay * 2, 5000)); }, delay); });
  }

  poll(250);
})();
