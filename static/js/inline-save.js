/* Inline rows (Statement of Applicability, framework requirements, audit checklist).

   Each row is an htmx form (hx-post, hx-trigger="change, input delay:1s, submit") and the
   server answers with the row rendered again: "Saved", badges, suggestion, the checklist's
   progress bar (out of band). This file adds only what htmx leaves to the page, through its
   events (no hx-on attribute: the Content-Security-Policy refuses inline handlers):

   - no post when nothing changed since the last save (a select fires both input and change;
     leaving a text area after the typing pause fires change);
   - a refused save (400, 409 for a closed audit) is swapped in like a success: the row shows
     the server's message and keeps what was typed;
   - a dropped connection or a server error (5xx) keeps the row as typed, says so, and tries
     again with back-off (1, 2, 4 ... 30 s), at once when the browser is back online: no work
     is lost while the page stays open;
   - what is typed while a save is on its way is put back into the row that comes back and
     saved next, and open <details> stay open;
   - every outcome is read out by one live region; leaving the page with an unsaved row asks
     first. */
(function () {
  "use strict";
  if (!window.htmx) return;

  var ROW = "form.autosave";
  var MAX_DELAY = 30000;
  var rows = new WeakMap(); // form -> {saved, sending, sentData, timer, attempt, retry}
  var carried = {}; // form id -> what to put back into the row that replaces it
  var resend = new WeakSet(); // rows that came back older than what the person typed
  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);

  function rowOf(elt) {
    var form = elt && elt.closest ? elt.closest(ROW) : null;
    return form && form.hasAttribute("hx-post") ? form : null;
  }
  function serialize(form) { return new URLSearchParams(new FormData(form)).toString(); }
  function info(form) {
    var data = rows.get(form);
    if (!data) {
      data = { saved: serialize(form), sending: null, attempt: 0, timer: null };
      rows.set(form, data);
    }
    return data;
  }
  function label(form, key) {
    var box = form.closest("[data-save-labels]");
    return (box && box.dataset[key]) || "…";
  }
  function refOf(form) {
    var ref = form.querySelector(".ref");
    return ref ? ref.textContent.trim() + " : " : "";
  }
  function show(form, text, kind) {
    var box = form.querySelector(".save-state");
    if (box) {
      box.textContent = text;
      box.className = "save-state " + (kind || "");
    }
    if (kind !== "pending") announcer.textContent = refOf(form) + text;
  }

  // Every row on the page starts clean (scripts are deferred: the rows are parsed).
  Array.prototype.forEach.call(document.querySelectorAll(ROW), info);

  document.body.addEventListener("htmx:confirm", function (event) {
    var form = rowOf(event.detail.elt);
    if (!form || event.detail.elt !== form) return;
    var trigger = event.detail.triggeringEvent;
    if (!trigger || (trigger.type !== "change" && trigger.type !== "input")) return;
    var data = info(form), now = serialize(form);
    if (now === data.saved || now === data.sending) event.preventDefault();
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = rowOf(event.detail.elt);
    if (!form) return;
    var data = info(form);
    data.sending = serialize(form);
    data.sentData = new FormData(form);
    clearTimeout(data.timer);
    data.timer = null;
    show(form, label(form, "saving"), "pending");
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var form = rowOf(event.detail.elt);
    if (!form || event.detail.target !== form) return;
    var xhr = event.detail.xhr;
    // Sent to the login page (session over): never put that page in the row.
    var path = event.detail.requestConfig && event.detail.requestConfig.path;
    var answered = xhr.responseURL && new URL(xhr.responseURL).pathname;
    if (answered && path && answered !== new URL(path, location.href).pathname) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      failed(form, label(form, "failed"));
      return;
    }
    if (xhr.status === 400 || xhr.status === 409) {  // refused: the row says why
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    if (event.detail.shouldSwap) carry(form);
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var form = event.target;
    var kept = form.id && carried[form.id];
    if (!kept) return;
    delete carried[form.id];
    announcer.textContent = refOf(form) + (form.querySelector(".save-state") || {}).textContent;
    if (!form.matches(ROW)) return; // came back read-only (a closed audit): nothing to keep
    var data = info(form); // what the server has: the row as it came back
    var details = form.querySelectorAll("details");
    kept.open.forEach(function (open, i) { if (open && details[i]) details[i].open = true; });
    var again = false;
    kept.fields.forEach(function (field) {
      var input = form.elements.namedItem(field.name);
      if (!input) return;
      if (input.value !== field.value) {
        input.value = field.value;
        if (field.changed) again = true;
      }
      // htmx gives the focus back by id, but not to a field in a <details> it had just
      // closed: the person keeps typing where they were.
      if (field.focused && input.focus) {
        if (document.activeElement !== input) input.focus({ preventScroll: true });
        if (input.setSelectionRange) input.setSelectionRange(field.start, field.end);
      }
    });
    if (again) {  // typed while the save was on its way: save that too, once htmx
      data.saved = null;  // has wired the new row (htmx:load)
      resend.add(form);
    }
  });

  document.body.addEventListener("htmx:load", function (event) {
    var form = event.target;
    if (!resend.has(form)) return;
    resend.delete(form);
    htmx.trigger(form, "change");
  });

  // Before the row is replaced: what changed since the request left (typed on, another
  // choice made), the text field being typed in (the server may have trimmed it), and
  // which <details> are open.
  function carry(form) {
    var sent = info(form).sentData || new FormData();
    var now = new FormData(form);
    var active = document.activeElement;
    var names = {};
    sent.forEach(function (value, name) { names[name] = true; });
    now.forEach(function (value, name) { names[name] = true; });
    var fields = [];
    Object.keys(names).forEach(function (name) {
      var value = now.get(name);
      var changed = sent.get(name) !== value;
      var focused = active && active.name === name && active.tagName === "TEXTAREA";
      if (!changed && !focused) return;
      fields.push({
        name: name, value: value === null ? "" : value, changed: changed, focused: focused,
        start: focused ? active.selectionStart : 0, end: focused ? active.selectionEnd : 0
      });
    });
    var open = Array.prototype.map.call(form.querySelectorAll("details"), function (d) {
      return d.open;
    });
    carried[form.id] = { fields: fields, open: open };
  }

  function retryLater(form, event, kind) {
    var data = info(form);
    data.sending = null;
    var config = event.detail.requestConfig || {};
    var decision = config.formData && config.formData.get("decision");
    data.retry = { path: config.path, values: decision ? { decision: decision } : {} };
    data.attempt += 1;
    var delay = Math.min(MAX_DELAY, 1000 * Math.pow(2, data.attempt - 1));
    form.classList.add("dirty");
    var offline = kind === "retrying" && data.attempt > 4; // 15 s without a connection
    show(form, label(form, offline ? "offline" : kind), "error");
    clearTimeout(data.timer);
    data.timer = setTimeout(function () { retry(form); }, delay);
  }

  function retry(form) {
    var data = info(form);
    data.timer = null;
    if (!document.body.contains(form) || !data.retry) return;
    htmx.ajax("POST", data.retry.path, {
      source: form, target: form, swap: "outerHTML", values: data.retry.values
    });
  }

  function failed(form, text) {
    var data = info(form);
    data.sending = null;
    form.classList.add("dirty");
    show(form, text, "error");
  }

  document.body.addEventListener("htmx:sendError", function (event) {
    var form = rowOf(event.detail.elt);
    if (form) retryLater(form, event, "retrying");
  });
  document.body.addEventListener("htmx:timeout", function (event) {
    var form = rowOf(event.detail.elt);
    if (form) retryLater(form, event, "retrying");
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var form = rowOf(event.detail.elt);
    if (!form) return;
    var status = event.detail.xhr.status;
    if (status >= 500) retryLater(form, event, "serverError");
    else failed(form, label(form, "failed") + " (" + status + ")");
  });

  window.addEventListener("online", function () {
    Array.prototype.forEach.call(document.querySelectorAll(ROW), function (form) {
      var data = rows.get(form);
      if (data && data.timer) {
        clearTimeout(data.timer);
        retry(form);
      }
    });
  });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = Array.prototype.some.call(document.querySelectorAll(ROW), function (form) {
      var data = rows.get(form);
      return data && (data.timer || data.sending !== null || serialize(form) !== data.saved);
    });
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });
})();
