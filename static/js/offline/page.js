// Offline-first filing on the partner pages (docs/offline.md). On the report form: a report
// sent with no connection is kept on the phone (store.js) instead of lost, and "Add another"
// works offline. On the outbox page: what waits, what needs the person, what was sent. On both:
// the service worker is registered and what waits is sent when the connection returns. Without
// JavaScript none of this runs and the form posts as it always did.
(function () {
  "use strict";
  var box = document.getElementById("offline"), O = window.TrackerOutbox;
  if (!box || !O) return;
  var d = box.dataset, form = document.querySelector("form.report-form");
  var list = document.getElementById("outbox-list");
  if (!O.available) {
    box.textContent = d.unavailable;
    box.hidden = false;
    return;
  }
  O.configure({state: d.state});
  var worker = navigator.serviceWorker;
  if (worker) worker.register(d.worker, {scope: d.scope}).catch(function () {});

  function say(text) { box.textContent = text; box.hidden = !text; }
  function format(template, value) { return template.replace("%s", value); }
  function link(text, href) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    return a;
  }

  // The kept pages are fetched again once a day (new sources, new places), and at once when
  // another account signs in on this phone (they show the last one's name).
  Promise.all([O.meta("user"), O.meta("refreshed")]).then(function (last) {
    var stale = Date.now() - (last[1] || 0) > 864e5, other = d.user && last[0] !== d.user;
    if (other) O.setMeta("user", d.user);
    if ((stale || (other && last[0])) && !offline() && worker && worker.controller) {
      O.setMeta("refreshed", Date.now());
      worker.controller.postMessage("refresh");
    }
  });

  function offline() { return navigator.onLine === false; }

  // "Add another figure/source" with no server: copy the last row, blank, with the next number.
  function addRow(prefix, rowClass) {
    var total = form.querySelector('[name="' + prefix + '-TOTAL_FORMS"]');
    var rows = form.querySelectorAll("fieldset." + rowClass);
    if (!total || !rows.length) return;
    var n = Number(total.value), last = rows[rows.length - 1], copy = last.cloneNode(true);
    var from = prefix + "-" + (n - 1) + "-", to = prefix + "-" + n + "-";
    copy.querySelectorAll(".errorlist, .errorbox").forEach(function (e) { e.remove(); });
    copy.querySelectorAll("*").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v) el.setAttribute(a, v.split(from).join(to));
      });
      if (el.type === "checkbox" || el.type === "radio") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else if (el.name && el.type !== "hidden") el.value = "";
      el.removeAttribute("aria-invalid");
    });
    var legend = copy.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\d+(?!.*\d)/, String(n + 1));
    last.after(copy);
    total.value = String(n + 1);
  }

  function register() {
    if (worker) worker.ready.then(function (r) {
      if (r.sync) return r.sync.register(O.channel);
    }).catch(function () {});
  }

  async function keep(button) {
    var entries = Array.from(new FormData(form).entries());
    entries.push([button.name, button.value]);
    var id = await O.keep(entries, {action: form.getAttribute("action") || location.pathname, user: d.user});
    register();
    // The form is emptied with a new key: coming back to it (the back button) starts another
    // report, never a second one under the kept one's key (which would be taken for a resend).
    form.reset();
    form.querySelector('[name="submission_key"]').value = O.newKey();
    if (worker && worker.controller) {
      location.assign(d.outbox + "?kept=" + id);
    } else {
      // No worker to open the outbox page offline: say it here.
      say(d.kept);
      box.scrollIntoView();
    }
  }

  if (form) {
    var key = form.querySelector('[name="submission_key"]');
    // The kept shell carries no key: each opening makes its own, as the server would.
    if (key && !key.value) key.value = O.newKey();
    form.addEventListener("submit", async function (event) {
      var button = event.submitter;
      if (!button || !button.name || form.dataset.native) return;
      var adding = button.name === "add_figure" || button.name === "add_source";
      if (!offline() && !d.shell) return; // the page came from the server: post it as it is
      event.preventDefault();
      if (adding && offline()) {
        addRow(button.name === "add_figure" ? "figures" : "sources", button.name === "add_figure" ? "figure" : "source");
        return;
      }
      if (!offline()) {
        // The kept shell's CSRF token may be old: take the current one, then post normally.
        var state = await O.signedIn();
        if (state && state.csrf) {
          form.querySelector('[name="csrfmiddlewaretoken"]').value = state.csrf;
          form.dataset.native = "1";
          form.requestSubmit(button);
          return;
        }
      }
      await keep(button);
    });
  }

  // The outbox page.
  // Only the signed-in person's own kept reports are listed (another account's, on a shared
  // phone, are only counted); "other" is what sendAll marks an item it would not send under
  // the account signed in: for its owner it simply waits.
  var STATES = {waiting: d.waiting, attention: d.attention, login: d.login, other: d.waiting, sent: d.sent};
  async function render() {
    var kept = await O.list(d.user), items = kept.mine, waiting = 0;
    var rows = items.map(function (item) {
      var li = document.createElement("li"), title = document.createElement("strong");
      li.className = "outbox-" + item.state;
      var state = document.createElement("span");
      state.className = "outbox-state";
      state.textContent = STATES[item.state] || "";
      var when = document.createElement("small");
      when.textContent = new Date(item.state === "sent" ? item.updated : item.created).toLocaleString();
      // A sent report keeps no title on the phone: its number and link say which it was.
      if (item.state !== "sent") {
        title.textContent = item.title || d.untitled;
        li.append(title, " ");
      }
      li.append(state, " ", when, " ");
      if (item.state === "sent") li.append(link(format(d.report, item.report), d.reports + item.report + "/"));
      if (item.state === "login") li.append(link(d.logIn, d.loginUrl));
      if (item.state === "attention") {
        var open = document.createElement("button");
        open.type = "button";
        open.className = "secondary";
        open.textContent = d.open;
        open.addEventListener("click", function () { reopen(item.id); });
        li.append(open);
      }
      if (item.state !== "sent") waiting++;
      return li;
    });
    var others = document.getElementById("outbox-others");
    if (others) {
      others.textContent = kept.others ? format(d.others, kept.others) : "";
      others.hidden = !kept.others;
    }
    if (list) {
      list.replaceChildren.apply(list, rows);
      document.getElementById("outbox-empty").hidden = rows.length > 0;
      if (!waiting && box.textContent === d.kept) say(""); // it was sent meanwhile
    } else {
      box.replaceChildren();
      if (waiting) box.append(format(d.count, waiting), " ", link(d.see, d.outbox));
      box.hidden = !waiting;
    }
  }

  // Open a kept report in the form again: post it as it was, with the current CSRF token; the
  // server answers with the form and what to correct (or saves it, if nothing needs to be).
  async function reopen(id) {
    var state = await O.signedIn();
    if (!state || !state.csrf) { say(state ? d.login : d.noConnection); return; }
    // Only the account that kept it may open it (take() refuses anyone else).
    if (state.user !== d.user) { render(); return; }
    var payload = await O.take(id, state.user);
    if (!payload) { render(); return; }
    var post = document.createElement("form");
    post.method = "post";
    post.action = payload.action;
    post.hidden = true;
    payload.fields.forEach(function (f) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = f[0];
      input.value = f[0] === "csrfmiddlewaretoken" ? state.csrf : f[1];
      post.append(input);
    });
    if (payload.blobs.length) {
      post.enctype = "multipart/form-data";
      payload.blobs.forEach(function (f) {
        var input = document.createElement("input"), files = new DataTransfer();
        input.type = "file";
        input.name = f[0];
        files.items.add(f[1]);
        input.files = files.files;
        post.append(input);
      });
    }
    document.body.append(post);
    post.submit();
  }

  var forget = document.getElementById("outbox-forget");
  if (forget) {
    forget.hidden = false;
    forget.addEventListener("click", async function () {
      if (!window.confirm(d.forgetConfirm)) return;
      await O.forget();
      say(d.forgotten);
      list.replaceChildren();
      document.getElementById("outbox-empty").hidden = false;
      document.getElementById("outbox-others").hidden = true;
    });
  }
  if (list && /[?&]kept=/.test(location.search)) say(d.kept);
  if (self.BroadcastChannel) new BroadcastChannel(O.channel).onmessage = render;
  function flush() {
    if (!offline()) O.flush().then(render, render);
  }
  render();
  flush();
  window.addEventListener("online", flush);
  setInterval(flush, 60000);
})();
