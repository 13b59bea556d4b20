// Suggests places while a partner types a place or a figure's destination (optional: without
// JavaScript the server resolves the typed name). One small request per pause in typing;
// nothing else is loaded. Every box with list="place-options" shares the one list.
(function () {
  var script = document.currentScript, list = document.getElementById("place-options");
  if (!script || !list || !window.fetch) return;
  var timer = null, last = "";
  document.querySelectorAll('input[list="place-options"]').forEach(function (input) {
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
  });
})();
