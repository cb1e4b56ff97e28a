// The editor's live preview: the story is rendered by the server (the same function as the page) a moment
// after typing stops. Without JavaScript, "Show the story" does the same with a round trip.
(function () {
  "use strict";
  var form = document.querySelector("form[data-render-url]");
  var preview = document.querySelector("[data-story-preview]");
  if (!form || !preview || !window.fetch) return;
  var story = form.elements.namedItem("story");
  var format = form.elements.namedItem("text_format");
  var note = document.querySelector("[data-preview-note]");
  if (note) note.hidden = true;
  preview.setAttribute("aria-live", "off");  // typing must not make a screen reader read the story aloud each time
  var timer = null;
  var sent = 0;
  var waits = 0;
  function render() {
    var mine = ++sent;
    var body = new FormData();
    body.append("story", story.value);
    body.append("text_format", format ? format.value : "markdown");
    body.append("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
    fetch(form.dataset.renderUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        // An uploaded image is still being prepared by the worker: ask again shortly (for a minute at most).
        if (response.ok && response.headers.get("X-Images-Pending") === "1" && waits < 40) {
          waits += 1;
          clearTimeout(timer);
          timer = setTimeout(render, 1500);
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        // Only the newest answer is shown; the HTML was sanitised on the server.
        if (html !== null && mine === sent) preview.innerHTML = html;
      })
      .catch(function () {});
  }
  function later() {
    waits = 0;
    clearTimeout(timer);
    timer = setTimeout(render, 400);
  }
  story.addEventListener("input", later);
  if (format) format.addEventListener("change", render);
})();
