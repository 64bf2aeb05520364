// Liandong pages work without this script. It adds four conveniences, all without inline
// code (the server's CSP forbids it): checking an ID number as it is typed at the window,
// the print button of the printable notices, the kiosk's touch keypads, and keeping lists
// current: an element with an id and data-refresh="SECONDS" is replaced by the same element
// of a fresh copy of the page, unless the user is working inside it or the tab is hidden;
// with data-events="URL" also as soon as the server's event stream says it changed (the
// hall's display board).
(function () {
  "use strict";
  // GB 11643: weights and check characters of the 18-character resident ID.
  var W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var C = "10X98765432";
  function residentOk(v) {
    if (!/^\d{17}[\dX]$/.test(v)) return false;
    var s = 0;
    for (var i = 0; i < 17; i++) s += (v.charCodeAt(i) - 48) * W[i];
    return C.charAt(s % 11) === v.charAt(17);
  }
  // GB 32100: the unified social credit code.
  var A = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var CW = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  function creditOk(v) {
    if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(v)) return false;
    var s = 0;
    for (var i = 0; i < 17; i++) s += A.indexOf(v.charAt(i)) * CW[i];
    return A.charAt((31 - (s % 31)) % 31) === v.charAt(17);
  }
  function check(input) {
    var hint = document.getElementById("id-hint");
    if (!hint) return;
    var v = input.value.trim().toUpperCase();
    if (v.length < 18) { hint.textContent = hint.getAttribute("data-default") || hint.textContent; hint.className = "hint"; return; }
    var org = document.querySelector("input[name=applicant_type][value=organisation]");
    var ok = org && org.checked ? creditOk(v) : residentOk(v);
    hint.textContent = input.getAttribute(ok ? "data-ok" : "data-bad");
    hint.className = ok ? "hint ok" : "hint bad";
    input.setAttribute("aria-invalid", ok ? "false" : "true");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var id = document.querySelector("[data-idcheck]");
    if (id) {
      var hint = document.getElementById("id-hint");
      if (hint) hint.setAttribute("data-default", hint.textContent);
      id.addEventListener("input", function () { check(id); });
      document.querySelectorAll("input[name=applicant_type]").forEach(function (r) {
        r.addEventListener("change", function () { check(id); });
      });
    }
    // The kiosk's touch keypads type into the input they name.
    document.querySelectorAll("[data-keypad]").forEach(function (pad) {
      var input = document.getElementById(pad.getAttribute("data-keypad"));
      if (!input) return;
      pad.removeAttribute("aria-hidden");
      pad.addEventListener("click", function (e) {
        var key = e.target.getAttribute && e.target.getAttribute("data-key");
        if (!key) return;
        var max = parseInt(input.getAttribute("maxlength"), 10) || 64;
        if (key === "back") input.value = input.value.slice(0, -1);
        else if (key === "clear") input.value = "";
        else if (input.value.length < max) input.value += key;
        input.dispatchEvent(new Event("input"));
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-refresh][id]").forEach(function (el) {
      var seconds = Math.max(10, parseInt(el.getAttribute("data-refresh"), 10) || 60);
      function refresh() {
        if (el.contains(document.activeElement) && document.activeElement !== document.body) return;
        fetch(window.location.href, { credentials: "same-origin" })
          .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
          .then(function (html) {
            if (!html) return;
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(el.id);
            if (!fresh) return;
            el.innerHTML = fresh.innerHTML;
            el.setAttribute("data-refreshed", String(Date.now()));
          })
          .catch(function () { /* offline for a moment: the next round tries again */ });
      }
      el.addEventListener("liandong:refresh", refresh);
      window.setInterval(function () { if (!document.hidden) refresh(); }, seconds * 1000);
    });
    // An element with data-events="URL" is refreshed as soon as the server says it changed
    // (server-sent events); data-refresh stays the fallback.
    document.querySelectorAll("[data-events][id]").forEach(function (el) {
      if (!window.EventSource) return;
      var source = new EventSource(el.getAttribute("data-events"));
      source.addEventListener("board", function () {
        el.dispatchEvent(new Event("liandong:refresh"));
      });
    });
  });
})();
