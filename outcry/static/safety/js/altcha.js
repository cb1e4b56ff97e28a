// Outcry's proof of work (the ALTCHA v1 scheme), solved quietly in the background while the supporter
// fills the form. Without it (JavaScript off, an old browser) the form still submits; the action is
// then held for review or counted after email confirmation, as the README explains.
(function () {
  "use strict";
  var encoder = new TextEncoder();

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  async function solve(challenge) {
    var algorithm = challenge.algorithm || "SHA-256";
    var batch = 500;
    for (var start = 0; start <= challenge.maxNumber; start += batch) {
      var tries = [];
      for (var n = start; n < start + batch && n <= challenge.maxNumber; n++) {
        tries.push(crypto.subtle.digest(algorithm, encoder.encode(challenge.salt + n)));
      }
      var digests = await Promise.all(tries);
      for (var i = 0; i < digests.length; i++) {
        if (hex(digests[i]) === challenge.challenge) return start + i;
      }
    }
    return null;
  }

  async function answer(input) {
    var response = await fetch(input.dataset.challengeUrl, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    var challenge = await response.json();
    var number = await solve(challenge);
    if (number === null) return;
    input.value = btoa(JSON.stringify({
      algorithm: challenge.algorithm, challenge: challenge.challenge, number: number,
      salt: challenge.salt, signature: challenge.signature
    }));
  }

  function protect(input) {
    var form = input.form;
    // crypto.subtle exists only on https and localhost: elsewhere the no-JavaScript path applies.
    if (!form || !window.crypto || !crypto.subtle || !window.fetch) return;
    var pending = answer(input).catch(function () {});
    // A challenge lives an hour (OUTCRY_POW_EXPIRES_SECONDS): a tab left open gets a fresh one in time.
    setInterval(function () { pending = answer(input).catch(function () {}); }, 30 * 60 * 1000);
    form.addEventListener("submit", function (event) {
      if (input.value || form.dataset.powWaited) return;
      // A fast supporter submits before the answer is ready: wait for it (a few seconds at most).
      event.preventDefault();
      form.dataset.powWaited = "1";
      var timeout = new Promise(function (resolve) { setTimeout(resolve, 8000); });
      Promise.race([pending, timeout]).then(function () {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  }

  function start() {
    document.querySelectorAll("input[name=altcha][data-challenge-url]").forEach(protect);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
