// digest serve: reload this tab when the served site changes.
// The server tags this script with the build epoch the page was served at;
// it announces every new epoch (a finished build, or a build error to show)
// over Server-Sent Events, with a long-poll fallback. Injected by the dev
// server only; never part of the built site.
(function () {
  "use strict";
  var me = document.currentScript;
  var epoch = me && me.getAttribute("data-digest-epoch");
  if (!epoch || window.__digestLiveReload) { return; }
  window.__digestLiveReload = true;
  var reloading = false;

  function changed(token) {
    if (!token || token === epoch || reloading) { return; }
    if (document.hidden) {  // pause while hidden: reload when the tab is shown again
      document.addEventListener("visibilitychange", function () {
        if (!document.hidden) { changed(token); }
      }, { once: true });
      return;
    }
    reloading = true;
    location.reload();
  }

  // "quiet": the site changed but not this page (a fast preview of an edit
  // followed by the exact rebuild): take the new epoch without reloading.
  function quiet(token) {
    if (token && !reloading) { epoch = token; }
  }

  var page = "&page=" + encodeURIComponent(location.pathname);

  function longPoll(delay) {
    var url = "/__digest/poll?epoch=" + encodeURIComponent(epoch) + page;
    fetch(url, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var parts = text.trim().split(" ");
        if (parts[1] === "quiet") { quiet(parts[0]); } else { changed(parts[0]); }
        longPoll(250);
      })
      .catch(function () { setTimeout(function () { longPoll(Math.min(delay * 2, 5000)); }, delay); });
  }

  if (typeof EventSource === "function") {
    var source = new EventSource("/__digest/events?epoch=" + encodeURIComponent(epoch) + page);
    source.addEventListener("epoch", function (ev) { changed(ev.data); });
    source.addEventListener("quiet", function (ev) { quiet(ev.data); });
    window.addEventListener("pagehide", function () { source.close(); });
  } else {
    longPoll(250);
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t && t.hasAttribute && t.hasAttribute("data-digest-dismiss")) {
      var box = document.getElementById("digest-error-overlay");
      if (box) { box.remove(); }
    }
  });
})();
