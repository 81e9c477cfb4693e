// Progressive enhancement: show similar published proposals while the title is typed.
(function () {
  var title = document.getElementById("id_title");
  var box = document.getElementById("usulan-serupa");
  if (!title || !box || !window.fetch) return;
  var timer = null;
  var last = "";
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var value = title.value.trim();
      if (value === last || value.length < 4) return;
      last = value;
      fetch("/usulan/mirip/?judul=" + encodeURIComponent(value), { headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () {});
    }, 400);
  });
})();
