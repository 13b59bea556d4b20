// The partner pages' service worker (docs/offline.md), loaded by /partner/sw.js after
// store.js. It keeps the report form's shell, the outbox page, the place list and their CSS
// and scripts; opens them when the network does not answer; keeps a report whose posting
// fails; answers the place box from the kept place list; and sends what waits (Background
// Sync, or when a page asks).
"use strict";
var C = self.OFFLINE, P = C.pages, CACHE = "tracker-offline-" + C.version;
var PAGES = [P.shell, P.outbox, P.places];
var PAGE_WAIT_MS = 10000, POST_WAIT_MS = 30000, SEARCH_WAIT_MS = 5000;
var places = null;
TrackerOutbox.configure({state: P.state});

function late(ms) {
  return new Promise(function (ok, ko) { setTimeout(function () { ko(new Error("timeout")); }, ms); });
}

// Fetch and keep what the pages need offline; a page that is not there (signed out: the log-in
// page answers instead) is left as it was.
function refresh(urls) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, {credentials: "same-origin"}).then(function (r) {
        if (r.ok && !r.redirected) {
          if (url === P.places) places = null;
          return cache.put(url, r);
        }
      }).catch(function () {});
    }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(refresh(C.assets.concat(PAGES)).then(function () {
    return TrackerOutbox.setMeta("refreshed", Date.now()).catch(function () {});
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("tracker-offline-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data === "refresh") event.waitUntil(refresh(PAGES));
  if (event.data === "flush") event.waitUntil(TrackerOutbox.flush());
});

self.addEventListener("sync", function (event) {
  if (event.tag === TrackerOutbox.channel) event.waitUntil(TrackerOutbox.flush());
});

// The network's answer, or the kept page when the network fails or is too slow.
async function page(event, kept) {
  var network = fetch(event.request);
  var hit = await caches.match(kept);
  if (!hit) return network;
  try {
    return await Promise.race([network, late(PAGE_WAIT_MS)]);
  } catch (e) {
    return hit;
  }
}

// A report posted with no connection is kept and the outbox shown: the server may still have
// it when the answer was only slow, and sending it again later then answers "already sent".
async function postOrKeep(event) {
  var copy = event.request.clone();
  try {
    return await Promise.race([fetch(event.request), late(POST_WAIT_MS)]);
  } catch (e) {
    var form = await copy.formData();
    var adding = form.has("add_figure") || form.has("add_source");
    // Kept under the account last signed in on this phone; keep() refuses when none is known
    // (the pages record it on every opening), and the browser then shows its network error.
    var id = await TrackerOutbox.keep(Array.from(form.entries()), {
      action: new URL(copy.url).pathname, state: adding ? "attention" : "waiting",
    });
    if (self.registration.sync) self.registration.sync.register(TrackerOutbox.channel).catch(function () {});
    return Response.redirect(P.outbox + "?kept=" + id, 303);
  }
}

function fold(text) { return text.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim(); }

// The place box's question answered from the kept list when the server cannot answer it:
// P-codes that start with what was typed, names equal to it, names that start with it, then
// names and labels that contain it.
async function search(event, url) {
  try {
    var r = await Promise.race([fetch(event.request), late(SEARCH_WAIT_MS)]);
    if (r.ok) return r;
  } catch (e) { /* answered below */ }
  if (!places) {
    var hit = await caches.match(P.places);
    places = hit ? (await hit.json()).places : [];
  }
  var q = fold(url.searchParams.get("q") || ""), found = [];
  var code = q.match(/\(([a-z]{2,3}[0-9a-z]*)\)$/);
  if (code) q = code[1];
  if (q) places.forEach(function (p, order) {
    var names = [fold(p[2]), fold(p[3] || "")], rank = null;
    if (p[0].toLowerCase().indexOf(q) === 0) rank = p[0].toLowerCase() === q ? 0 : 2;
    else if (names.indexOf(q) >= 0) rank = 1;
    else if (names.some(function (n) { return n && n.indexOf(q) === 0; })) rank = 2;
    else if (names.some(function (n) { return n.indexOf(q) > 0; }) || fold(p[1]).indexOf(q) >= 0) rank = 3;
    if (rank !== null) found.push([rank, order, p]);
  });
  found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
  var body = {places: found.slice(0, 15).map(function (f) { return {pcode: f[2][0], label: f[2][1]}; })};
  return new Response(JSON.stringify(body), {headers: {"Content-Type": "application/json"}});
}

// Kept CSS and scripts answer at once and are refreshed behind (new deployments have new
// names, so a stale copy lives one page at most).
async function asset(event) {
  var hit = await caches.match(event.request);
  var network = fetch(event.request).then(function (r) {
    if (r.ok) caches.open(CACHE).then(function (c) { c.put(event.request, r.clone()); });
    return r;
  });
  if (hit) { event.waitUntil(network.catch(function () {})); return hit; }
  return network;
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === P.form) {
    if (request.method === "POST") event.respondWith(postOrKeep(event));
    else if (request.method === "GET") event.respondWith(page(event, P.shell));
  } else if (request.method !== "GET") {
    return;
  } else if (request.mode === "navigate" && url.pathname === P.outbox) {
    event.respondWith(page(event, P.outbox));
  } else if (url.pathname === P.search) {
    event.respondWith(search(event, url));
  } else if (C.assets.indexOf(url.pathname) >= 0) {
    event.respondWith(asset(event));
  }
});
