// Small behaviours the o2c web apps share. No inline script anywhere: pages opt in with data- attributes.
(function () {
  "use strict";

  // <input type="checkbox" data-select-all="name">: ticks or clears every checkbox called name.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-select-all]")) {
      var name = box.getAttribute("data-select-all");
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (other) {
        other.checked = box.checked;
      });
    }
    // <form data-autosubmit>: a changed select or checkbox submits the form (filters).
    var form = box.form;
    if (form && form.hasAttribute("data-autosubmit") && (box.tagName === "SELECT" || box.type === "checkbox") &&
        !box.hasAttribute("data-select-all") && !box.closest("[data-no-autosubmit]")) {
      form.requestSubmit();
    }
  });

  // <form data-confirm="Dismiss 3 items?">: asks before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    var button = event.submitter;
    if (button && button.getAttribute("data-confirm")) { question = button.getAttribute("data-confirm"); }
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // <button data-fill-target="id" data-fill-value="12.50">: puts a value in a field (e.g. "pay in full").
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill-target]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-fill-target"));
    if (field) {
      field.value = button.getAttribute("data-fill-value");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    event.preventDefault();
  });

  // <form data-sum-target="id" data-sum-expected="123.45">: keeps a running total of its
  // [data-sum] fields in the element with that id, and marks it when it differs. Amounts are
  // added as whole cents, so no floating point rounding shows.
  function cents(text) {
    var match = /^\s*(-?)(\d*)(?:\.(\d{0,2}))?\s*$/.exec(text || "");
    if (!match || (match[2] === "" && !match[3])) { return 0; }
    var value = parseInt(match[2] || "0", 10) * 100 + parseInt(((match[3] || "") + "00").slice(0, 2), 10);
    return match[1] ? -value : value;
  }
  function money(value) {
    var sign = value < 0 ? "-" : "";
    value = Math.abs(value);
    return sign + Math.floor(value / 100) + "." + ("0" + (value % 100)).slice(-2);
  }
  function updateSums() {
    document.querySelectorAll("form[data-sum-target]").forEach(function (form) {
      var total = 0;
      form.querySelectorAll("input[data-sum]").forEach(function (field) { total += cents(field.value); });
      var out = document.getElementById(form.getAttribute("data-sum-target"));
      if (!out) { return; }
      var expected = cents(form.getAttribute("data-sum-expected"));
      out.textContent = money(total);
      out.classList.toggle("sum-ok", total === expected);
      out.classList.toggle("sum-off", total !== expected);
    });
  }
  document.addEventListener("input", updateSums);
  document.addEventListener("DOMContentLoaded", updateSums);
  document.addEventListener("htmx:afterSwap", updateSums);
})();
