/* Acta form: add and remove rows (attendees, region blocks, topics, commitments, other topics)
 * without losing what was typed, and suggest the next TEMA / COMPROMISO number.
 *
 * Markup contract (templates/meetings/_rows.html):
 *   [data-list="<name>"] > [data-items] > [data-item]   a list and its rows
 *   [data-field="<leaf>"]                               an input; its name is rebuilt from the
 *                                                        positions of its rows: regions-1-topics-0-text
 *   [data-add="<kind>"]  a button that appends a <template data-template="<kind>"> clone
 *                        (without JavaScript it submits and the server adds the row)
 *   [data-remove]        removes its row
 * Without JavaScript the rows the server rendered still work.
 */
(function () {
  "use strict";

  var form = document.getElementById("acta-form");
  if (!form) return;

  var ORDINALS = { 1: "1er", 2: "2do", 3: "3er", 4: "4to", 5: "5to", 6: "6to", 7: "7mo", 8: "8vo", 9: "9no", 10: "10mo" };

  function directItems(list) {
    var box = list.querySelector(":scope > [data-items]");
    return box ? Array.prototype.filter.call(box.children, function (el) { return el.hasAttribute("data-item"); }) : [];
  }

  function ownerItem(el) {
    return el.parentElement ? el.parentElement.closest("[data-item]") : null;
  }

  /* Rebuild every name, id and label of the form from the position of its rows. */
  function renumber() {
    form.querySelectorAll("[data-list]").forEach(function (list) {
      var parent = list.closest("[data-item]");
      var base = (parent ? parent.dataset.prefix : "") + list.dataset.list + "-";
      directItems(list).forEach(function (item, i) {
        item.dataset.prefix = base + i + "-";
        if (item.id) item.id = base + i;
      });
    });
    form.querySelectorAll("[data-field]").forEach(function (input) {
      var item = input.closest("[data-item]");
      if (!item) return;
      var name = item.dataset.prefix + input.dataset.field;
      if (input.name === name) return;
      var oldId = input.id;
      input.name = name;
      input.id = name;
      if (oldId) {
        item.querySelectorAll('label[for="' + oldId + '"]').forEach(function (label) { label.htmlFor = name; });
        item.querySelectorAll('[id="' + oldId + '-err"]').forEach(function (err) { err.id = name + "-err"; });
        if (input.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", name + "-err");
      }
    });
  }

  function numbers(scope, role) {
    return Array.prototype.map.call(scope.querySelectorAll('[data-role="' + role + '"]'), function (el) {
      var n = parseInt(el.value, 10);
      return isNaN(n) ? 0 : n;
    });
  }

  function nextNumber(scope, role) {
    return Math.max.apply(null, [0].concat(numbers(scope, role))) + 1;
  }

  function clone(kind) {
    var tpl = document.querySelector('template[data-template="' + kind + '"]');
    var node = tpl.content.firstElementChild.cloneNode(true);
    node.querySelectorAll("[data-remove]").forEach(function (b) { b.classList.remove("d-none"); });
    node.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    node.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    return node;
  }

  function focusFirst(node) {
    var target = node.querySelector("textarea, input[type=text], select");
    if (target) target.focus({ preventScroll: false });
    node.classList.add("acta-row-new");
  }

  function add(button) {
    var kind = button.dataset.add;
    var list = button.closest("[data-list]");
    var box = list.querySelector(":scope > [data-items]");
    var node = clone(kind);
    var block = list.closest('[data-kind="region"]');
    box.appendChild(node);
    if (kind === "attendee") {
      var rows = directItems(list);
      var previous = rows.length > 1 ? rows[rows.length - 2] : null;
      if (previous) node.querySelector('[data-role="side"]').value = previous.querySelector('[data-role="side"]').value;
    } else if (kind === "region") {
      node.querySelector('[data-role="topic-number"]').value = 1;
      node.querySelector('[data-role="commitment-number"]').value = 1;
    } else if (kind === "topic") {
      var topicNumber = node.querySelector('[data-role="topic-number"]');
      var commitmentNumber = node.querySelector('[data-role="commitment-number"]');
      topicNumber.value = "";
      commitmentNumber.value = "";
      topicNumber.value = nextNumber(block, "topic-number");
      commitmentNumber.value = nextNumber(block, "commitment-number");
    } else if (kind === "commitment") {
      var number = node.querySelector('[data-role="commitment-number"]');
      number.value = "";
      number.value = nextNumber(block, "commitment-number");
    }
    renumber();
    syncSides(node);
    focusFirst(node);
  }

  function hasTypedText(node) {
    return Array.prototype.some.call(node.querySelectorAll("textarea, input[type=text]"), function (el) {
      return el.value.trim() !== "";
    });
  }

  function remove(button) {
    var item = button.closest("[data-item]");
    var kind = item.dataset.kind;
    if ((kind === "region" || kind === "topic") && hasTypedText(item)) {
      var what = kind === "region" ? "este gobierno regional con todos sus temas y compromisos" : "este tema y sus compromisos";
      if (!window.confirm("¿Quitar " + what + "?")) return;
    }
    var list = item.parentElement.closest("[data-list]");
    item.remove();
    renumber();
    var rest = directItems(list);
    var focus = rest.length ? rest[rest.length - 1] : list.querySelector("[data-add]");
    if (focus) (focus.querySelector ? (focus.querySelector("textarea, input[type=text], select") || focus) : focus).focus();
  }

  /* A region is asked only of attendees who speak for a regional government. */
  function syncSides(scope) {
    scope.querySelectorAll('[data-role="side"]').forEach(function (side) {
      var row = side.closest("[data-item]");
      var region = row.querySelector('[data-role="attendee-region"]');
      if (region) region.disabled = side.value !== "region";
    });
  }

  function ordinal(n) { return ORDINALS[n] || n + ".°"; }

  function updateTitlePreview() {
    var body = (form.querySelector('[data-role="body"]').value || "").replace(/\s+/g, " ").trim() || "GORE Ejecutivo";
    var edition = parseInt(form.querySelector('[data-role="edition"]').value, 10);
    var type = form.querySelector('[data-role="session-type"]').value;
    var parts = [];
    if (edition > 0) parts.push(ordinal(edition));
    parts.push(body);
    parts.push(type === "extraordinaria" ? "Extraordinario" : "Ordinario");
    var title = parts.join(" ");
    form.querySelector('[data-role="title"]').placeholder = title;
    var preview = form.querySelector("[data-title-preview]");
    if (preview) preview.textContent = title;
  }

  form.addEventListener("click", function (event) {
    var addButton = event.target.closest("[data-add]");
    if (addButton && form.contains(addButton)) {
      event.preventDefault();
      add(addButton);
      return;
    }
    var removeButton = event.target.closest("[data-remove]");
    if (removeButton && form.contains(removeButton)) {
      event.preventDefault();
      remove(removeButton);
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.matches('[data-role="side"]')) syncSides(event.target.closest("[data-item]"));
  });

  form.addEventListener("input", function (event) {
    if (event.target.matches('[data-role="body"], [data-role="edition"], [data-role="session-type"]')) updateTitlePreview();
  });
  form.addEventListener("change", function (event) {
    if (event.target.matches('[data-role="session-type"]')) updateTitlePreview();
  });

  /* Pressing Enter in a one-line input must save, not trigger the first "Añadir" button. */
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input:not([type=submit]):not([type=button])")) {
      event.preventDefault();
    }
  });

  form.querySelectorAll("[data-remove]").forEach(function (b) { b.classList.remove("d-none"); });
  renumber();
  syncSides(form);
  updateTitlePreview();

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
