/* Import page: show that the upload is under way, follow the drafts being read, and
 * confirm before discarding. Without JavaScript the page refreshes itself (meta refresh
 * in <noscript>) while drafts are being read, and everything else still works.
 */
(function () {
  "use strict";

  var upload = document.getElementById("upload-form");
  if (upload) {
    upload.addEventListener("submit", function () {
      var button = upload.querySelector("[data-upload-button]");
      if (!button) return;
      // Disabled after this tick, so the submission itself goes through.
      window.setTimeout(function () { button.disabled = true; }, 0);
      button.querySelector("[data-upload-spinner]").classList.remove("d-none");
      button.querySelector("[data-upload-label]").textContent = "Subiendo…";
    });
  }

  document.querySelectorAll("form[data-discard]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm("¿Descartar este borrador? El acta no se registrará.")) event.preventDefault();
    });
  });

  var list = document.getElementById("drafts");
  if (!list || !list.dataset.active) return;
  var ids = list.dataset.active.split(",").filter(Boolean);
  if (!ids.length) return;
  var url = list.dataset.statusUrl + "?ids=" + ids.join(",");
  var delay = 1500;

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        var changed = false;
        var stillActive = false;
        data.drafts.forEach(function (d) {
          var row = list.querySelector('[data-draft-id="' + d.id + '"]');
          if (!row) return;
          if (row.dataset.draftStatus !== d.status) changed = true;
          if (d.active) stillActive = true;
          var stage = row.querySelector("[data-stage]");
          if (stage && d.stage && stage.textContent !== d.stage) stage.textContent = d.stage;
        });
        if (changed) {
          window.location.reload();  // the server renders the new state and its buttons
          return;
        }
        if (stillActive) {
          delay = Math.min(delay * 1.3, 8000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, delay);
})();
