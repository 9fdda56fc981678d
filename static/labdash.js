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
  });
  // htmx requests carry the page's CSRF token.
  document.addEventListener("htmx:configRequest", function (ev) {
    var f = document.querySelector("input[name=csrf_token]");
    if (f) ev.detail.headers["X-CSRF-Token"] = f.value;
  });
})();
