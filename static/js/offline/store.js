// The phone's outbox (docs/offline.md): reports kept while the connection is down, encrypted
// in IndexedDB with a key the page cannot read out, and sent when it returns. Loaded by the
// partner pages and by the service worker, so both send the same way; the server's one-time
// submission key makes a second sending of the same report harmless.
(function (self) {
  "use strict";
  var NAME = "tracker-offline", LOCK = "tracker-outbox", SENT_KEPT_MS = 7 * 864e5;
  var RETRY = ["waiting", "login", "other"];
  var config = {};
  var opened = null;

  function done(request) {
    return new Promise(function (ok, ko) {
      request.onsuccess = function () { ok(request.result); };
      request.onerror = function () { ko(request.error); };
    });
  }
  function db() {
    if (!opened) {
      var open = indexedDB.open(NAME, 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("items", {keyPath: "id"});
        open.result.createObjectStore("meta");
      };
      opened = done(open).then(function (d) {
        // Let "delete everything" (in another page or the worker) proceed: close on request.
        d.onversionchange = function () { d.close(); opened = null; };
        return d;
      });
    }
    return opened;
  }
  // One request in its own transaction, made in the same tick as the transaction.
  function run(store, mode, act) {
    return db().then(function (d) { return done(act(d.transaction(store, mode).objectStore(store))); });
  }
  function changed() {
    if (self.BroadcastChannel) new BroadcastChannel(LOCK).postMessage("changed");
  }

  // AES-GCM with a key made on this phone, stored non-extractable: a script can use it but not
  // read it out, and deleting it makes every copy left on the disk unreadable.
  async function key() {
    var k = await run("meta", "readonly", function (s) { return s.get("key"); });
    if (k) return k;
    k = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"]);
    try {
      await run("meta", "readwrite", function (s) { return s.add(k, "key"); });
      return k;
    } catch (e) {
      return run("meta", "readonly", function (s) { return s.get("key"); }); // made elsewhere first
    }
  }
  async function seal(bytes) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return {iv: iv, data: await crypto.subtle.encrypt({name: "AES-GCM", iv: iv}, await key(), bytes)};
  }
  async function unseal(sealed) {
    return crypto.subtle.decrypt({name: "AES-GCM", iv: sealed.iv}, await key(), sealed.data);
  }
  async function sealJSON(value) { return seal(new TextEncoder().encode(JSON.stringify(value))); }
  async function unsealJSON(sealed) { return JSON.parse(new TextDecoder().decode(await unseal(sealed))); }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function newKey() { return hex(crypto.getRandomValues(new Uint8Array(16))); }

  function meta(name) { return run("meta", "readonly", function (s) { return s.get(name); }); }
  function setMeta(name, value) { return run("meta", "readwrite", function (s) { return s.put(value, name); }); }
  function put(item) { item.updated = Date.now(); return run("items", "readwrite", function (s) { return s.put(item); }); }
  function all() { return run("items", "readonly", function (s) { return s.getAll(); }); }
  function get(id) { return run("items", "readonly", function (s) { return s.get(id); }); }
  function remove(id) { return run("items", "readwrite", function (s) { return s.delete(id); }).then(changed); }

  // entries: [name, string or File] pairs as FormData gives them; options: action (where the
  // form posts), user (who filled it), state ("waiting", or "attention" for a form that needs
  // the person before it can be sent).
  // A report is always kept under the account that filled it: with nobody known it is not
  // kept (it could never be sent, nor shown to anyone).
  async function keep(entries, options) {
    var user = options.user || (await meta("user")) || "";
    if (!user) throw new Error("no user to keep the report under");
    var fields = [], files = [], sealedFiles = [];
    for (var i = 0; i < entries.length; i++) {
      var name = entries[i][0], value = entries[i][1];
      if (typeof value === "string") fields.push([name, value]);
      else {
        files.push([name, value.name, value.type]);
        sealedFiles.push(await seal(await value.arrayBuffer()));
      }
    }
    var title = (fields.find(function (f) { return f[0] === "title"; }) || [0, ""])[1];
    var item = {
      id: newKey(), state: options.state || "waiting", created: Date.now(), report: null,
      sealed: await sealJSON({
        user: user, action: options.action,
        title: title, fields: fields, files: files,
      }),
      files: sealedFiles,
    };
    await put(item);
    changed();
    return item.id;
  }

  async function open(item) {
    var payload = await unsealJSON(item.sealed);
    payload.blobs = [];
    for (var i = 0; i < (item.files || []).length; i++) {
      var f = payload.files[i];
      payload.blobs.push([f[0], new File([await unseal(item.files[i])], f[1], {type: f[2]})]);
    }
    return payload;
  }

  // What the signed-in person may see: their own items, newest first, with their titles (sent
  // ones: only the report number, kept 7 days), and how many unsent ones other accounts keep
  // on this phone (counted only: no title, no name). {mine: [...], others: N}
  async function list(user) {
    var items = await all(), mine = [], others = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (item.state === "sent" && Date.now() - item.updated > SENT_KEPT_MS) { await remove(item.id); continue; }
      var payload = await unsealJSON(item.sealed);
      if (!user || payload.user !== user) {
        if (item.state !== "sent") others++;
        continue;
      }
      mine.push({id: item.id, state: item.state, created: item.created, updated: item.updated,
        report: item.report, title: item.state === "sent" ? "" : payload.title});
    }
    mine.sort(function (a, b) { return b.created - a.created; });
    return {mine: mine, others: others};
  }

  // Who is signed in, with a fresh CSRF token: {user, csrf}, {login: true}, or null when the
  // server cannot be reached.
  async function signedIn() {
    try {
      var r = await fetch(config.state, {credentials: "same-origin", cache: "no-store"});
      if (r.status === 401 || r.status === 403 || r.redirected) return {login: true};
      return r.ok ? await r.json() : null;
    } catch (e) {
      return null;
    }
  }

  // The report as the form would post it: a report id when it arrived (or had already arrived),
  // else what to do: "network" (try later), "csrf", "login", "attention", "waiting".
  async function post(payload, csrf) {
    var body = payload.blobs.length ? new FormData() : new URLSearchParams();
    payload.fields.forEach(function (f) { body.append(f[0], f[0] === "csrfmiddlewaretoken" ? csrf : f[1]); });
    payload.blobs.forEach(function (f) { body.append(f[0], f[1]); });
    var r;
    try {
      r = await fetch(payload.action, {method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": csrf}});
    } catch (e) {
      return "network";
    }
    if (r.redirected) {
      var saved = new URL(r.url).pathname.match(/\/reports\/(\d+)\/$/);
      return saved ? Number(saved[1]) : "login";
    }
    if (r.status === 403) return "csrf";
    if (r.status >= 500 || r.status === 429) return "waiting";
    return "attention"; // the form came back with what to correct
  }

  async function sendAll() {
    var items = (await all()).filter(function (i) { return RETRY.indexOf(i.state) >= 0; });
    if (!items.length) return;
    var state = await signedIn();
    if (!state) return;
    for (var i = 0; i < items.length; i++) {
      var item = items[i], payload = await open(item), answer;
      if (state.login) answer = "login";
      // Never under someone else's name, nor under nobody's.
      else if (!payload.user || payload.user !== state.user) answer = "other";
      else {
        answer = await post(payload, state.csrf);
        if (answer === "csrf") {
          // The token changed (a new sign-in): ask for the current one and try once more.
          state = await signedIn();
          if (!state) break;
          answer = state.login ? "login" : await post(payload, state.csrf);
          if (answer === "csrf") answer = "attention";
        }
      }
      if (answer === "network") break;
      // Re-read the item: the person may have taken it back into the form meanwhile.
      var now = await get(item.id);
      if (!now) continue;
      if (typeof answer === "number") {
        // Sent: only whose it is stays (to list it to them with its link and time); the
        // title, the fields and the files are dropped at once.
        now.state = "sent";
        now.report = answer;
        now.sealed = await sealJSON({user: payload.user});
        now.files = [];
      } else {
        now.state = answer;
      }
      await put(now);
    }
    changed();
  }

  // Send what waits, once at a time across the pages and the worker.
  function flush() {
    if (self.navigator.locks) {
      return navigator.locks.request(LOCK, {ifAvailable: true}, function (lock) { return lock && sendAll(); });
    }
    return sendAll();
  }

  // The item's form, taken out of the outbox to open it in the form again: only by the
  // account that filled it (null for anyone else, and the item stays).
  async function take(id, user) {
    var item = await get(id);
    if (!item || item.state === "sent") return null;
    var payload = await open(item);
    if (!user || payload.user !== user) return null;
    await remove(id);
    return payload;
  }

  // Everything this phone keeps for the tracker: the outbox, its key (so no copy left on the
  // disk can be read again), the kept pages, the worker, and what the evidence uploader
  // remembers of unfinished uploads (localStorage keys starting with "evidence-upload").
  async function forget() {
    if (self.localStorage) {
      var names = [];
      for (var i = 0; i < localStorage.length; i++) names.push(localStorage.key(i));
      names.forEach(function (n) { if (n && n.indexOf("evidence-upload") === 0) localStorage.removeItem(n); });
    }
    if (opened) (await opened).close();
    opened = null;
    await done(indexedDB.deleteDatabase(NAME));
    var kept = await caches.keys();
    await Promise.all(kept.filter(function (n) { return n.indexOf(NAME) === 0; }).map(function (n) { return caches.delete(n); }));
    if (self.navigator.serviceWorker) {
      var workers = await navigator.serviceWorker.getRegistrations();
      await Promise.all(workers.map(function (w) { return w.unregister(); }));
    }
  }

  self.TrackerOutbox = {
    available: !!(self.indexedDB && self.crypto && crypto.subtle && self.Promise),
    channel: LOCK,
    configure: function (options) { Object.assign(config, options); },
    keep: keep, list: list, flush: flush, take: take, remove: remove, newKey: newKey,
    signedIn: signedIn, meta: meta, setMeta: setMeta, forget: forget,
  };
})(self);
