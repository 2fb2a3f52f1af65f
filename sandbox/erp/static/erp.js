// Small helpers of the ERP screens: the line grid, defaults from the master data, the
// customer search pop-up. Elements are found through data-js hooks, not ids, because
// ids change with the theme.
(function () {
  "use strict";

  function hook(name, root) { return (root || document).querySelector('[data-js="' + name + '"]'); }
  function hooks(name, root) { return Array.from((root || document).querySelectorAll('[data-js="' + name + '"]')); }

  function optionFor(input) {
    var list = input.list;
    if (!list) return null;
    return Array.from(list.options).find(function (o) { return o.value === input.value.trim().toUpperCase(); }) || null;
  }

  // Item typed: show its description and default the price unless the user typed one.
  function wireLine(row) {
    var item = hook("item", row), price = hook("price", row), description = hook("description", row);
    if (!item) return;
    var refresh = function () {
      var option = optionFor(item);
      description.textContent = option ? option.dataset.description : "";
      if (option && price && !price.dataset.touched) price.value = option.dataset.price;
    };
    item.addEventListener("change", refresh);
    item.addEventListener("input", refresh);
    if (price) price.addEventListener("input", function () { price.dataset.touched = price.value ? "1" : ""; });
    if (item.value) { var option = optionFor(item); if (option) description.textContent = option.dataset.description; }
  }

  function addLine() {
    var body = hook("line-body"), template = hook("line-template");
    var n = body.querySelectorAll("tr").length + 1;
    var wrapper = document.createElement("tbody");
    wrapper.innerHTML = template.innerHTML.replace(/__N__/g, String(n));
    var row = wrapper.querySelector("tr");
    body.appendChild(row);
    wireLine(row);
    hook("item", row).focus();
  }

  // Customer chosen: show the name and default the ship-to.
  function wireCustomer() {
    var customer = hook("customer");
    if (!customer) return;
    var name = hook("customer-name"), shipTo = hook("ship-to");
    var refresh = function () {
      var option = optionFor(customer);
      if (name) name.textContent = option ? option.dataset.name + " (" + option.dataset.currency + ")" : "";
      if (option && shipTo && !shipTo.value) shipTo.value = option.dataset.shipTo;
    };
    customer.addEventListener("change", refresh);
    customer.addEventListener("input", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    hooks("line-body").forEach(function (body) { body.querySelectorAll("tr").forEach(wireLine); });
    wireCustomer();
    var add = hook("add-line");
    if (add) add.addEventListener("click", addLine);

    hooks("customer-search").forEach(function (button) {
      button.addEventListener("click", function () {
        var url = button.dataset.url + "?field=" + encodeURIComponent(button.dataset.field);
        window.open(url, "customer_search", "width=760,height=520");
      });
    });
    // In the pop-up: hand the chosen number back to the form that opened it.
    hooks("choose-customer").forEach(function (button) {
      button.addEventListener("click", function () {
        if (window.opener && !window.opener.closed) {
          var field = window.opener.document.getElementById(button.dataset.field);
          if (field) {
            field.value = button.dataset.customer;
            field.dispatchEvent(new Event("change", { bubbles: true }));
            field.focus();
          }
        }
        // Close once the click has been handled, as the old search helps do.
        window.setTimeout(function () { window.close(); }, 100);
      });
    });

    hooks("close-dialog").forEach(function (button) {
      button.addEventListener("click", function () {
        var dialog = button.closest('[role="dialog"]');
        if (dialog.previousElementSibling) dialog.previousElementSibling.remove();
        dialog.remove();
      });
    });
    // Selecting an invoice proposes its open amount.
    hooks("select-invoice").forEach(function (box) {
      box.addEventListener("change", function () {
        var row = box.closest("tr"), amount = hook("apply-amount", row);
        if (box.checked && !amount.value) amount.value = row.dataset.open;
      });
    });
  });
})();
