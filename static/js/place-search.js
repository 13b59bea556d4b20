// Suggests places while a partner types (optional: without JavaScript the server resolves
// the typed name). One small request per pause in typing; nothing else is loaded.
(function () {
  var script = document.currentScript, input = document.getElementById("id_place"),
      list = document.getElementById("place-options"), timer = null, last = "";
  if (!script || !input || !list || !window.fetch) return;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      last = q;
      fetch(script.dataset.url + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {places: []}; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.places.map(function (p) {
            var option = document.createElement("option");
            option.value = p.label;
            return option;
          }));
        })
        .catch(function () {});
    }, 300);
  });
})();
