// labdash.js: small progressive enhancements. Every page works without it.
(function () {
  "use strict";
  // Copy buttons: <button data-copy="#input-id">.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn) return;
    var el = document.querySelector(btn.getAttribute("data-copy"));
    if (!el) return;
    el.select();
    var done = function () { btn.textContent = "Copied"; setTimeout(function () { btn.textContent = "Copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(el.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  // Confirmations: <form data-confirm="…">.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  }, true);
  // Live updates whose access ended (a revoked link, a sign-out, a removed assistant)
  // are closed by the server with 4001 and the reason (handlers/live). The ws extension
  // reconnects only after 1006, 1011, 1012 and 1013, so it stops there rather than loop
  // on an upgrade that would be refused; say why the page went quiet.
  document.addEventListener("htmx:wsClose", function (ev) {
    var e = ev.detail && ev.detail.event;
    if (!e || (e.code !== 4001 && e.code !== 1008)) return;
    var el = ev.target, p = document.querySelector("[data-testid=live-ended]");
    if (!p) {
      p = document.createElement("p");
      p.className = "notice";
      p.setAttribute("role", "alert");
      p.setAttribute("data-testid", "live-ended");
      el.parentNode.insertBefore(p, el);
    }
    p.textContent = "Live updates stopped: " + (e.reason || "access ended") + ". What is shown below may be out of date.";
    var b = document.querySelector("[data-testid=conn-banner]");
    if (b) b.remove(); // not reconnecting: the note above says why
  });
  // Connection banner (every live area: the console's grid, the student page). When
  // a socket drops for any reason but an ended access (above), say so above the live
  // area with the time of the last frame received, keep saying it while the ws
  // extension retries, and clear it when the socket opens again. The "update live"
  // hint ([data-live-hint]) stops claiming liveness meanwhile.
  var lastFrame = new Date(); // the page itself is the first update
  function hhmmss(d) {
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }
  function liveHints(live) {
    document.querySelectorAll("[data-live-hint]").forEach(function (h) {
      if (h.dataset.liveText === undefined) h.dataset.liveText = h.textContent;
      h.textContent = live ? h.dataset.liveText : "Not updating while disconnected: the cells below are the last values received.";
      h.classList.toggle("hint-stale", !live);
    });
  }
  function disconnected(el, retrying) {
    var b = document.querySelector("[data-testid=conn-banner]");
    if (!b) {
      b = document.createElement("p");
      b.className = "conn-banner";
      b.setAttribute("role", "status");
      b.setAttribute("aria-live", "polite");
      b.setAttribute("data-testid", "conn-banner");
      el.parentNode.insertBefore(b, el);
    }
    var text = retrying ? "Disconnected — reconnecting… (last update " + hhmmss(lastFrame) + ")"
      : "Disconnected (last update " + hhmmss(lastFrame) + "). Reload the page to reconnect.";
    if (b.textContent !== text) b.textContent = text;
    liveHints(false);
  }
  document.addEventListener("htmx:wsClose", function (ev) {
    var e = ev.detail && ev.detail.event;
    if (e && (e.code === 4001 || e.code === 1008)) return; // access ended: said above, no retry
    if (!document.body.contains(ev.target)) return; // the live area itself went away
    disconnected(ev.target, !e || [1006, 1011, 1012, 1013].indexOf(e.code) >= 0);
  });
  document.addEventListener("htmx:wsError", function (ev) {
    if (document.body.contains(ev.target)) disconnected(ev.target, true);
  });
  document.addEventListener("htmx:wsOpen", function () {
    var b = document.querySelector("[data-testid=conn-banner]");
    if (b) b.remove();
    liveHints(true);
  });
  // The grid's summary row ([data-summary-lab]) is recounted from the cells after each
  // frame, so "7 of 12 done" moves with the cells it sums.
  function recountSummary() {
    document.querySelectorAll("table.grid [data-summary-lab]").forEach(function (td) {
      var table = td.closest("table"), lab = td.getAttribute("data-summary-lab");
      var cells = Array.prototype.filter.call(table.querySelectorAll("tbody td.cell"), function (c) { return c.getAttribute("data-lab") === lab; });
      if (!cells.length || cells.every(function (c) { return c.getAttribute("data-tone") === "none"; })) return;
      var done = cells.filter(function (c) { return c.getAttribute("data-tone") === "pass"; }).length;
      var text = done + " of " + cells.length + " done";
      if (td.textContent !== text) td.textContent = text;
    });
  }
  document.addEventListener("htmx:wsAfterMessage", function () { lastFrame = new Date(); recountSummary(); });
  // Retry a dropped socket within 10 s (the extension's default backs off to 64 s, so a
  // restarted labdash would stay "reconnecting" for a minute): 1, 2, 4, 8, then 10 s,
  // each with some jitter so a class's pages do not all arrive at once.
  if (window.htmx) {
    htmx.config.wsReconnectDelay = function (retry) {
      return Math.min(10000, 1000 * Math.pow(2, Math.min(retry, 4))) * (0.5 + Math.random() / 2);
    };
  }
  // htmx requests carry the page's CSRF token.
  document.addEventListener("htmx:configRequest", function (ev) {
    var f = document.querySelector("input[name=csrf_token]");
    if (f) ev.detail.headers["X-CSRF-Token"] = f.value;
  });
})();

// ---- Rehearsal block (student page, simulator) ----
// A refused or failed rehearsal press (409, 502) answers the block with the reason in
// its status line; htmx swaps only 2xx answers by default, so let these through too.
document.addEventListener("htmx:beforeSwap", function (ev) {
  var t = ev.detail.target, s = ev.detail.xhr && ev.detail.xhr.status;
  if (t && t.classList && t.classList.contains("rehearsal") && (s === 409 || s === 502)) {
    ev.detail.shouldSwap = true;
    ev.detail.isError = false;
  }
});
