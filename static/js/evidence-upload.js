// Resumable evidence uploads for slow, dropping connections (docs/evidence.md). Without
// JavaScript, or without the browser's SHA-256 (pages not served over HTTPS), the form posts
// the files in one request as it is. With it, each file goes in pieces: create an upload,
// send each piece with its offset, after a drop ask the server where it is and go on from
// there, and finish by giving the SHA-256 computed here, which the server checks.
(function () {
  "use strict";
  var form = document.querySelector("form.evidence-form");
  if (!form || !window.fetch || !window.crypto || !window.crypto.subtle || !window.Blob) return;
  var input = form.querySelector("input[type=file]");
  var status = form.querySelector(".evidence-progress");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var chunk = parseInt(form.getAttribute("data-chunk"), 10) || 262144;
  // The words come from the page (translated there): data-sending, data-resuming ...
  function word(name) { return form.getAttribute("data-" + name) || ""; }

  function say(text) {
    status.hidden = false;
    status.textContent = text;
  }
  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function send(url, method, body, headers) {
    var all = { "X-CSRFToken": token, "Accept": "application/json" };
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: method, body: body, headers: all, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }
  function problem(answer) {
    var errors = (answer.data && answer.data.errors) || [];
    return errors.map(function (e) { return e.detail; }).join(" ") || ("HTTP " + answer.status);
  }
  // A piece that failed to arrive (no answer at all): wait, longer each time, then ask the
  // server how much it has, and carry on from there.
  function resume(url, attempt) {
    return wait(Math.min(30000, 1000 * Math.pow(2, attempt))).then(function () {
      return send(url, "GET").then(function (answer) {
        if (answer.status !== 200) throw new Error(problem(answer));
        return answer.data.offset;
      }, function () { return resume(url, attempt + 1); });
    });
  }
  function pieces(file, url, offset, attempt) {
    if (offset >= file.size) return Promise.resolve();
    var percent = Math.floor((100 * offset) / file.size);
    say(word("sending") + " " + file.name + ": " + percent + "%");
    var piece = file.slice(offset, Math.min(file.size, offset + chunk));
    return send(url, "PATCH", piece, {
      "Upload-Offset": String(offset),
      "Content-Type": "application/offset+octet-stream",
    }).then(function (answer) {
      if (answer.status === 200) return pieces(file, url, answer.data.offset, 0);
      if (answer.status === 409 && typeof answer.data.offset === "number") {
        return pieces(file, url, answer.data.offset, 0);
      }
      throw new Error(problem(answer));
    }, function () {
      say(word("resuming") + " " + file.name);
      return resume(url, attempt).then(function (at) { return pieces(file, url, at, attempt + 1); });
    });
  }
  function forget(key) {
    try { localStorage.removeItem(key); } catch (e) { /* private mode */ }
  }
  function upload(file) {
    return file.arrayBuffer().then(function (bytes) {
      return crypto.subtle.digest("SHA-256", bytes);
    }).then(function (digest) {
      var sha256 = hex(digest);
      // Remembered by what the file is (size, date, checksum), never by its name: a file's
      // name may name an informant, and the browser keeps this after the page is closed.
      var remembered = "evidence-upload:" + form.getAttribute("data-uploads") + ":" +
        file.size + ":" + file.lastModified + ":" + sha256;
      var known = null;
      try { known = localStorage.getItem(remembered); } catch (e) { known = null; }
      var start = known
        ? send(known, "GET").then(function (a) {
            if (a.status === 200) return { url: known, offset: a.data.offset };
            forget(remembered);  // expired or gone: start again
            return null;
          }, function () { return null; })
        : Promise.resolve(null);
      return start.then(function (found) {
        if (found) return found;
        return send(form.getAttribute("data-uploads"), "POST",
          JSON.stringify({ size: file.size, name: file.name }),
          { "Content-Type": "application/json" }).then(function (answer) {
          if (answer.status !== 201) throw new Error(problem(answer));
          try { localStorage.setItem(remembered, answer.data.url); } catch (e) { /* private mode */ }
          return answer.data;
        });
      }).then(function (created) {
        return pieces(file, created.url, created.offset, 0).then(function () {
          return send(created.url + "finish/", "POST", JSON.stringify({ sha256: sha256 }),
            { "Content-Type": "application/json" });
        });
      }).then(function (answer) {
        forget(remembered);
        if (answer.status !== 201) throw new Error(problem(answer));
        return answer.data;
      }, function (error) {
        // Dropped pieces are retried inside; what ends here is final (refused, expired).
        forget(remembered);
        throw error;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var done = [];
    files.reduce(function (chain, file) {
      return chain.then(function () {
        return upload(file).then(function (evidence) { done.push(evidence); });
      });
    }, Promise.resolve()).then(function () {
      say(word("verified") + " " +
        done.map(function (e) { return e.sha256; }).join(", "));
      status.setAttribute("data-done", String(done.length));
      var reload = document.createElement("a");
      reload.href = window.location.pathname + "#evidence";
      reload.textContent = " " + word("show");
      reload.addEventListener("click", function (e) { e.preventDefault(); window.location.reload(); });
      status.appendChild(reload);
      input.value = "";
    }, function (error) {
      say(word("failed") + " " + error.message);
    }).then(function () { button.disabled = false; });
  });
})();
