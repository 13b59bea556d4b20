// Suggests places while a partner types a place or a figure's destination (optional: without
// JavaScript the server resolves the typed name). One small request per pause in typing;
// nothing else is loaded. The suggestions are a list of buttons under the box, not the
// <datalist>: browsers hide datalist options that do not contain the typed text, and the
// server finds places by variant spellings ("Dee Maw Soe"), typos and Burmese names whose
// labels do not.
(function () {
  var script = document.currentScript, datalist = document.getElementById("place-options");
  if (!script || !window.fetch || !datalist) return;
  var timer = null;

  function listFor(input) {
    var list = input.nextElementSibling;
    if (list && list.classList.contains("place-suggestions")) return list;
    list = document.createElement("ul");
    list.className = "place-suggestions";
    list.setAttribute("role", "listbox");
    // Its own name ("Matching places"), not the box's label: one label, one control.
    list.setAttribute("aria-label", script.dataset.suggestionsLabel || "");
    // Set through the CSSOM, which the Content-Security-Policy allows (no style attribute).
    list.style.listStyle = "none";
    list.style.margin = "0.25rem 0";
    list.style.padding = "0";
    list.style.maxWidth = "100%";
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    return list;
  }

  function show(input, places) {
    var list = listFor(input);
    list.replaceChildren.apply(list, places.map(function (p) {
      var item = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";  // the site's quiet button: a choice, not an action
      button.textContent = p.label;
      button.style.display = "block";
      button.style.width = "100%";
      button.style.textAlign = "left";
      button.style.margin = "0.125rem 0";
      button.addEventListener("click", function () {
        input.value = p.label;
        list.hidden = true;
        input.focus();
      });
      item.setAttribute("role", "option");
      item.appendChild(button);
      return item;
    }));
    list.hidden = places.length === 0;
    // The datalist no box points to any more is kept filled too, for scripts that read it.
    datalist.replaceChildren.apply(datalist, places.map(function (p) {
      var option = document.createElement("option");
      option.value = p.label;
      return option;
    }));
  }

  document.querySelectorAll('input[list="place-options"]').forEach(function (input) {
    var last = "";
    input.removeAttribute("list");
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") listFor(input).hidden = true;
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { show(input, []); last = ""; return; }
        if (q === last) return;
        last = q;
        fetch(script.dataset.url + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {places: []}; })
          .then(function (data) {
            if (input.value.trim() === q) show(input, data.places);
          })
          .catch(function () {});
      }, 300);
    });
  });
})();
