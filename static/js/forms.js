// Progressive enhancement for forms; every form also works without it (the server checks all).
(function () {
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  // Error summary: a link moves the focus into its field, with the field's label in view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    event.preventDefault();
    var field = target.closest(".field") || target;
    field.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });

  // File inputs: refuse files that the server would refuse, before minutes of uploading them.
  function kindOf(file) {
    var type = (file.type || "").toLowerCase();
    var name = file.name.toLowerCase();
    if (/^image\/(jpeg|png|webp)$/.test(type) || (!type && /\.(jpe?g|png|webp)$/.test(name))) return "image";
    if (type === "application/pdf" || (!type && /\.pdf$/.test(name))) return "pdf";
    return null;
  }

  function checkFiles(input) {
    var data = input.dataset;
    var room = parseInt(data.maxFiles || "99", 10);
    var problems = [];
    var tooMany = [];
    var kept = [];
    Array.prototype.forEach.call(input.files, function (file) {
      var kind = kindOf(file);
      var values = { name: file.name };
      if (file.size === 0) problems.push(fill(data.msgEmpty, values));
      else if (!kind) problems.push(fill(data.msgType, values));
      else if (kind === "image" && file.size > Number(data.maxImageBytes)) problems.push(fill(data.msgImageSize, values));
      else if (kind === "pdf" && file.size > Number(data.maxPdfBytes)) problems.push(fill(data.msgPdfSize, values));
      else if (kept.length >= room) tooMany.push(file.name);
      else kept.push(file);
    });
    if (tooMany.length) problems.push(fill(data.msgCount, { max: room, names: tooMany.join(", ") }));
    if (problems.length) {
      // Keep the good files selected; drop only the refused ones.
      try {
        var transfer = new DataTransfer();
        kept.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
      } catch (error) {
        input.value = "";
      }
    }
    var box = document.getElementById(input.id + "_check");
    if (!box) {
      box = document.createElement("div");
      box.id = input.id + "_check";
      box.className = "field-errors upload-check";
      box.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", box);
    }
    box.textContent = "";
    problems.forEach(function (text) {
      var line = document.createElement("p");
      line.className = "error";
      line.textContent = text;
      box.appendChild(line);
    });
    var field = input.closest(".field");
    if (field) field.classList.toggle("field-error", problems.length > 0);
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-max-image-bytes]"), function (input) {
    input.addEventListener("change", function () { checkFiles(input); });
  });

  // Routing: the line under "Satuan kerja tujuan" names the unit of the chosen category.
  var unit = document.querySelector("select[data-category-units]");
  var category = document.getElementById("id_category");
  if (unit && category) {
    var units = JSON.parse(unit.dataset.categoryUnits || "{}");
    var hint = document.getElementById(unit.id + "_helptext");
    category.addEventListener("change", function () {
      if (!hint || !category.value) return;
      var name = category.options[category.selectedIndex].text;
      var handler = units[category.value];
      hint.textContent = handler
        ? fill(unit.dataset.hintUnit, { category: name, unit: handler })
        : fill(unit.dataset.hintNone, { category: name });
    });
  }
})();
