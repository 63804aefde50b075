/* Saves a row form as soon as one of its fields changes, without leaving the page.
   A save that fails on the network is retried with back-off and shown; a refused save
   (400) shows the server's message and keeps what the person typed. */
(function () {
  "use strict";
  var RETRIES = 5;

  function state(form, text, kind) {
    var box = form.querySelector(".save-state");
    if (!box) return;
    box.textContent = text;
    box.className = "save-state " + (kind || "");
  }

  function save(form, attempt) {
    var labels = form.dataset;
    state(form, labels.saving || "…", "pending");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      if (result.status === 200 && result.data.ok) {
        state(form, labels.saved || "✓", "ok");
        form.classList.remove("dirty");
        return;
      }
      var errors = result.data.errors || {};
      var messages = [];
      Object.keys(errors).forEach(function (key) { messages = messages.concat(errors[key]); });
      state(form, messages.join(" ") || labels.failed || "!", "error");
    }).catch(function () {
      if (attempt < RETRIES) {
        var delay = Math.min(30, Math.pow(2, attempt)) * 1000;
        state(form, (labels.retrying || "…") + " (" + (attempt + 1) + "/" + RETRIES + ")", "error");
        setTimeout(function () { save(form, attempt + 1); }, delay);
      } else {
        state(form, labels.offline || "!", "error");
      }
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.classList.contains("autosave")) return;
    form.classList.add("dirty");
    save(form, 0);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("autosave")) return;
    event.preventDefault();
    save(form, 0);
  });
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form.autosave.dirty")) { event.preventDefault(); event.returnValue = ""; }
  });
})();
