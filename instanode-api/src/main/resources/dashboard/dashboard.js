// instanode dashboard: small progressive enhancements. Every page works without this file;
// it counts expiry down, copies secrets to the clipboard, and follows live streams.
(function () {
  "use strict";

  function left(ms) {
    if (ms <= 0) return "expired";
    var s = Math.floor(ms / 1000);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    return h > 0 ? h + "h " + m + "m " + sec + "s left" : m + "m " + sec + "s left";
  }

  function countdowns() {
    var clocks = document.querySelectorAll("time.countdown[datetime]");
    if (!clocks.length) return;
    function tick() {
      var now = Date.now();
      clocks.forEach(function (t) {
        t.textContent = left(Date.parse(t.getAttribute("datetime")) - now);
      });
    }
    tick();
    setInterval(tick, 1000);
  }

  function copyButtons() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      var status = button.parentElement.querySelector(".copy-status");
      button.hidden = false;
      button.addEventListener("click", function () {
        function done(ok) {
          button.setAttribute("data-copied", ok ? "true" : "false");
          if (status) status.textContent = ok ? "Copied to the clipboard." : "Copy failed: select the text and copy it.";
        }
        function fallback() {
          field.focus();
          field.select();
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          done(ok);
        }
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(field.value).then(function () { done(true); }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  function streams() {
    document.querySelectorAll("[data-stream]").forEach(function (log) {
      if (!window.EventSource) return;
      var source = new EventSource(log.getAttribute("data-stream"));
      source.onmessage = function (event) {
        var line = document.createElement("li");
        line.textContent = event.data;
        log.appendChild(line);
      };
    });
  }

  function start() {
    countdowns();
    copyButtons();
    streams();
    var revealed = document.getElementById("revealed");
    if (revealed) revealed.scrollIntoView();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
