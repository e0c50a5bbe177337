/* Tỉnh số: the session warning and the drafts kept across an expired session
   (tinhso.workspace.session_timeout). Works with nothing but this file; without JavaScript the
   session still ends, the sign-in page still says so. */
(function () {
  "use strict";
  var DRAFTS = "tinhso-drafts";          // sessionStorage: {path: {at, forms: {action: {name: value}}}}
  var RESTORE = "tinhso-restore-drafts"; // set by the sign-in page shown after an expiry
  var MAX_DRAFT_AGE_MS = 60 * 60 * 1000;

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function readDrafts() {
    try { return JSON.parse(sessionStorage.getItem(DRAFTS) || "{}") || {}; } catch (e) { return {}; }
  }
  function writeDrafts(drafts) {
    try { sessionStorage.setItem(DRAFTS, JSON.stringify(drafts)); } catch (e) { /* storage full or off */ }
  }
  function kept(el) {
    return el.name && !el.disabled && ["password", "hidden", "file", "submit", "button", "reset"].indexOf(el.type) === -1 &&
      el.name !== "csrfmiddlewaretoken";
  }
  function fieldsOf(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { (out[el.name] = out[el.name] || []).push(el.value); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        out[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      } else if (el.value) {
        out[el.name] = el.value;
      }
    });
    return out;
  }
  function postForms() {
    return Array.prototype.filter.call(document.querySelectorAll("form"), function (form) {
      return (form.getAttribute("method") || "").toLowerCase() === "post" && !form.hasAttribute("data-no-draft");
    });
  }
  function formKey(form) { return form.getAttribute("action") || location.pathname; }
  function saveDrafts(only) {
    var forms = {};
    (only ? [only] : postForms()).forEach(function (form) {
      var fields = fieldsOf(form);
      if (Object.keys(fields).length) { forms[formKey(form)] = fields; }
    });
    if (!Object.keys(forms).length) { return; }
    var drafts = readDrafts();
    drafts[location.pathname] = { at: Date.now(), forms: forms };
    writeDrafts(drafts);
  }
  function fill(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el) || !(el.name in fields)) { return; }
      var value = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = [].concat(value).indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = [].concat(value).indexOf(o.value) !== -1; });
      } else {
        el.value = value;
      }
    });
    var details = form.closest("details");
    if (details) { details.open = true; }
  }
  function restoreOrForget() {
    var drafts = readDrafts();
    var mine = drafts[location.pathname];
    var restoring = sessionStorage.getItem(RESTORE) === "1";
    if (mine && restoring && Date.now() - mine.at < MAX_DRAFT_AGE_MS) {
      var restored = false;
      postForms().forEach(function (form) {
        var fields = mine.forms[formKey(form)];
        if (fields) { fill(form, fields); restored = true; }
      });
      var notice = document.getElementById("session-restored");
      if (restored && notice) {
        notice.hidden = false;
        var dismiss = notice.querySelector("[data-dismiss]");
        if (dismiss) { dismiss.addEventListener("click", function () { notice.hidden = true; }); }
      }
    }
    if (restoring && document.getElementById("session-warning")) { sessionStorage.removeItem(RESTORE); }
    if (mine && (restoring || !document.querySelector("[data-session-expired]"))) {
      delete drafts[location.pathname];
      writeDrafts(drafts);
    }
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }

  function watch(banner) {
    var warnMs = parseInt(banner.getAttribute("data-warn-seconds"), 10) * 1000;
    var deadline = Date.now() + parseInt(banner.getAttribute("data-seconds-left"), 10) * 1000;
    var warning = banner.querySelector("[data-session-warning]");
    var ended = banner.querySelector("[data-session-ended]");
    var keep = banner.querySelector("[data-session-keep]");
    var countdown = banner.querySelector("[data-countdown]");
    var asking = false, over = false;

    function show(state) {
      banner.hidden = state === "none";
      warning.hidden = keep.hidden = state !== "warning";
      ended.hidden = state !== "ended";
    }
    function ask(url, options) {
      asking = true;
      return fetch(url, options).then(function (r) { return r.json(); }).then(function (data) {
        deadline = Date.now() + (data.seconds_left || 0) * 1000;
        return data.seconds_left || 0;
      }).catch(function () { return null; }).then(function (left) { asking = false; return left; });
    }
    function tick() {
      if (over || asking) { return; }
      var left = deadline - Date.now();
      if (left > warnMs) { show("none"); return; }
      if (banner.hidden || left <= 0) {
        // Entering the warning, or the end: ask the server (another tab may have kept the session).
        ask(banner.getAttribute("data-status-url"), { credentials: "same-origin" }).then(function (seconds) {
          if (seconds === 0) {
            over = true;
            saveDrafts();
            show("ended");
          } else if (seconds !== null && seconds * 1000 <= warnMs) {
            show("warning");
          }
        });
        return;
      }
      var s = Math.ceil(left / 1000);
      countdown.textContent = Math.floor(s / 60) + ":" + two(s % 60);
    }
    keep.addEventListener("click", function () {
      ask(banner.getAttribute("data-keep-url"), {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() },
      }).then(function (seconds) { if (seconds) { show("none"); } });
    });
    setInterval(tick, 1000);
    tick();
  }

  ready(function () {
    if (document.querySelector("[data-session-expired]")) { sessionStorage.setItem(RESTORE, "1"); }
    restoreOrForget();
    // A form sent after the session ended comes back through the sign-in page: keep its fields.
    postForms().forEach(function (form) {
      form.addEventListener("submit", function () { saveDrafts(form); });
    });
    var banner = document.getElementById("session-warning");
    if (banner && window.fetch) { watch(banner); }
  });
})();
