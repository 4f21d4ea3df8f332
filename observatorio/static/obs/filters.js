// The one filter form of the dashboard and the map (template dashboard/_filters.html), made easier by script
// and working without it: the form's GET parameters are the same either way.
// - a <select multiple data-picker> becomes a searchable list of checkboxes (no Ctrl-click, names not cut);
//   the select stays in the form, hidden, and is what is sent;
// - only the date fields the period uses are shown (month, year, or from–to as dd-mm-aaaa);
// - empty fields stay out of the URL, so a shared link says only what was chosen;
// - on a phone the dashboard's filters start folded, below a one-line summary, so the figures come first.
(function () {
  "use strict";
  var picked = 0;

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function picker(select) {
    picked += 1;
    var box = document.createElement("div");
    box.className = "picker";
    var search = document.createElement("input");
    search.type = "search";
    search.className = "picker__search";
    search.placeholder = select.getAttribute("data-search") || "";
    search.setAttribute("aria-label", search.placeholder);
    var count = document.createElement("p");
    count.className = "picker__count";
    count.setAttribute("aria-live", "polite");
    var list = document.createElement("div");
    list.className = "picker__list";
    list.id = "picker-" + picked;
    list.setAttribute("role", "group");
    var label = document.querySelector("label[for='" + select.id + "']");
    if (label) {
      list.setAttribute("aria-label", label.textContent.trim());
      label.htmlFor = search.id = select.id + "-search";
    }
    search.setAttribute("aria-controls", list.id);
    var items = [];
    function addOption(option, group) {
      var row = document.createElement("label");
      row.className = "picker__item";
      var box_ = document.createElement("input");
      box_.type = "checkbox";
      box_.checked = option.selected;
      box_.setAttribute("data-value", option.value);
      box_.addEventListener("change", function () {
        option.selected = box_.checked;
        say();
      });
      row.appendChild(box_);
      row.appendChild(document.createTextNode(" " + option.textContent));
      (group || list).appendChild(row);
      items.push({row: row, text: plain(option.textContent + " " + (option.parentNode.label || ""))});
    }
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        var group = document.createElement("div");
        group.className = "picker__group";
        var head = document.createElement("p");
        head.className = "picker__head";
        head.textContent = child.label;
        group.appendChild(head);
        Array.prototype.forEach.call(child.children, function (option) { addOption(option, group); });
        list.appendChild(group);
      } else {
        addOption(child, null);
      }
    });
    function say() {
      var n = select.selectedOptions.length;
      var template = n ? (select.form.getAttribute("data-chosen") || "{n}") : (select.form.getAttribute("data-none") || "");
      count.textContent = template.replace("{n}", n);
    }
    search.addEventListener("input", function () {
      var wanted = plain(search.value.trim());
      items.forEach(function (item) { item.row.hidden = wanted !== "" && item.text.indexOf(wanted) < 0; });
      list.querySelectorAll(".picker__group").forEach(function (group) {
        group.hidden = !group.querySelector(".picker__item:not([hidden])");
      });
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter searches; it does not send the form
    });
    box.appendChild(search);
    box.appendChild(list);
    box.appendChild(count);
    select.hidden = true;
    select.parentNode.insertBefore(box, select.nextSibling);
    say();
  }

  function setUp(form) {
    form.querySelectorAll("select[multiple][data-picker]").forEach(picker);
    var period = form.querySelector("[name=period]");
    var pickers = form.querySelectorAll("[data-for]");
    function togglePickers() {
      pickers.forEach(function (el) {
        el.hidden = !period || period.value !== el.getAttribute("data-for");
      });
    }
    if (period) {
      period.addEventListener("change", togglePickers);
      togglePickers();
    }
    form.addEventListener("submit", function () {
      pickers.forEach(function (el) {
        if (el.hidden) { el.querySelectorAll("input").forEach(function (input) { input.disabled = true; }); }
      });
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && !field.multiple && field.value === "" && field.tagName !== "BUTTON") { field.disabled = true; }
      });
    });
  }

  document.querySelectorAll("form[data-filters]").forEach(setUp);

  // The dashboard's fold: open on a wide screen, folded on a phone (unless it shows an error to correct).
  var fold = document.querySelector("details[data-fold]");
  if (fold && !fold.hasAttribute("data-keep-open") && window.matchMedia("(max-width: 720px)").matches) {
    fold.open = false;
  }
})();
