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

  // A webhook request as the page shows it; every value goes in as text, never as markup.
  function request(item) {
    var li = document.createElement("li");
    li.className = "request";
    li.setAttribute("data-id", String(item.id));
    var line = document.createElement("p");
    line.className = "request-line";
    var method = document.createElement("strong");
    method.className = "method";
    method.textContent = item.method;
    var path = document.createElement("code");
    path.className = "path";
    path.textContent = item.path + (item.query ? "?" + item.query : "");
    var at = document.createElement("time");
    at.setAttribute("datetime", item.received_at);
    at.textContent = item.received_at;
    var source = document.createElement("span");
    source.className = "source";
    source.textContent = item.source;
    line.append(method, " ", path, " ", at, " from ", source);
    var details = document.createElement("details");
    var summary = document.createElement("summary");
    var headers = item.headers || {};
    var names = Object.keys(headers);
    summary.textContent = "Headers (" + names.length + ")";
    var table = document.createElement("table");
    table.className = "headers";
    var body = document.createElement("tbody");
    names.forEach(function (name) {
      var row = document.createElement("tr");
      var th = document.createElement("th");
      th.setAttribute("scope", "row");
      th.textContent = name;
      var td = document.createElement("td");
      td.textContent = [].concat(headers[name]).join(", ");
      row.append(th, td);
      body.appendChild(row);
    });
    table.appendChild(body);
    details.append(summary, table);
    var pre = document.createElement("pre");
    pre.className = "body";
    pre.textContent = item.body !== null && item.body !== undefined
      ? item.body
      : "(" + item.body_size + " bytes that are not UTF-8 text: see body_base64)";
    li.append(line, details, pre);
    return li;
  }

  // Follows a server-sent event stream: a service's log lines, or a receiver's requests.
  function streams() {
    document.querySelectorAll("[data-stream]").forEach(function (list) {
      if (!window.EventSource) return;
      var status = list.parentElement.querySelector(".stream-status");
      function say(text) { if (status) status.textContent = text; }
      var kind = list.getAttribute("data-event") || "message";
      var source = new EventSource(list.getAttribute("data-stream"));
      source.onopen = function () {
        list.setAttribute("data-live", "open");
        say("Live.");
      };
      source.addEventListener(kind, function (event) {
        if (kind === "request") {
          var item;
          try { item = JSON.parse(event.data); } catch (e) { return; }
          if (list.querySelector("li[data-id='" + String(item.id) + "']")) return;
          list.insertBefore(request(item), list.firstChild);
          var none = document.getElementById("no-requests");
          if (none) none.hidden = true;
        } else {
          var line = document.createElement("li");
          line.textContent = event.data;
          list.appendChild(line);
        }
      });
      // The server's own end or error event closes the stream for good (no reconnecting).
      function ended(event) {
        if (event.data === undefined) {
          if (source.readyState === EventSource.CLOSED) {
            list.setAttribute("data-live", "closed");
            say("The stream stopped: reload the page to follow again.");
          }
          return;
        }
        source.close();
        list.setAttribute("data-live", "closed");
        say("Ended: " + event.data + ".");
      }
      source.addEventListener("end", ended);
      source.addEventListener("error", ended);
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
