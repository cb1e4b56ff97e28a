// The Markdown toolbar of the studio's long texts (studio/widgets/markdown.html). Without JavaScript the
// toolbar stays hidden and the field's help says the format; with it, each button puts Markdown into the
// textarea at the cursor, and Image uploads a picture for the story and inserts its ![alt](url).
// A role=toolbar: one tab stop, arrow keys move between buttons; Ctrl+B, Ctrl+I and Ctrl+K in the text.
(function () {
  "use strict";

  function insert(area, text, selectFrom, selectTo) {
    var start = area.selectionStart;
    area.focus();
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      area.setRangeText(text, start, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) area.setSelectionRange(start + selectFrom, start + selectTo);
  }

  function wrap(area, before, after, placeholder) {
    var chosen = area.value.slice(area.selectionStart, area.selectionEnd) || placeholder;
    insert(area, before + chosen + after, before.length, before.length + chosen.length);
  }

  function prefixLines(area, prefix, placeholder) {
    // From the start of the first chosen line to the end of the last, each line gets the prefix.
    var value = area.value;
    var start = value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    var end = area.selectionEnd;
    var lineEnd = value.indexOf("\n", end);
    end = lineEnd === -1 ? value.length : lineEnd;
    var lines = (value.slice(start, end) || placeholder).split("\n");
    var text = lines.map(function (line) { return prefix + line; }).join("\n");
    area.setSelectionRange(start, end);
    insert(area, text, prefix.length, text.length);
  }

  function onItsOwnLines(area, block) {
    var before = area.value.slice(0, area.selectionStart);
    var after = area.value.slice(area.selectionEnd);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = after === "" || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    insert(area, lead + block + tail);
  }

  function act(kind, button, area, dialog) {
    var placeholder = button ? button.dataset.placeholder || "" : "";
    if (kind === "bold") wrap(area, "**", "**", placeholder);
    else if (kind === "italic") wrap(area, "*", "*", placeholder);
    else if (kind === "link") {
      var chosen = area.value.slice(area.selectionStart, area.selectionEnd) || placeholder;
      var text = "[" + chosen + "](https://)";
      insert(area, text, text.length - 9, text.length - 1);  // "https://" chosen, ready to be typed over
    } else if (kind === "heading") prefixLines(area, "## ", placeholder);
    else if (kind === "list") prefixLines(area, "- ", placeholder);
    else if (kind === "quote") prefixLines(area, "> ", placeholder);
    else if (kind === "image" && dialog) openDialog(dialog, area, button);
  }

  function openDialog(dialog, area, opener) {
    var file = dialog.querySelector("[data-image-file]");
    var alt = dialog.querySelector("[data-image-alt]");
    var error = dialog.querySelector("[data-image-error]");
    var upload = dialog.querySelector("[data-image-upload]");
    var cursor = [area.selectionStart, area.selectionEnd];
    file.value = "";
    alt.value = "";
    error.textContent = "";
    dialog.showModal();
    file.focus();

    function close() {
      dialog.close();
    }
    function send() {
      error.textContent = "";
      if (!file.files.length) { error.textContent = file.labels[0].textContent; file.focus(); return; }
      if (!alt.value.trim()) { error.textContent = alt.labels[0].textContent; alt.focus(); return; }
      var body = new FormData();
      body.append("image", file.files[0]);
      body.append("alt", alt.value);
      body.append("csrfmiddlewaretoken", area.form.elements.namedItem("csrfmiddlewaretoken").value);
      upload.disabled = true;
      fetch(dialog.dataset.uploadUrl, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
        })
        .then(function (result) {
          upload.disabled = false;
          if (!result.ok) {
            var errors = result.answer.errors || {};
            error.textContent = [].concat(errors.image || [], errors.alt || []).join(" ") || dialog.dataset.failed;
            return;
          }
          close();
          area.focus();
          area.setSelectionRange(cursor[0], cursor[1]);
          onItsOwnLines(area, result.answer.markdown);
        })
        .catch(function () { upload.disabled = false; error.textContent = dialog.dataset.failed; });
    }
    upload.onclick = send;
    dialog.querySelector("[data-image-cancel]").onclick = close;
    // Enter in a field here must not submit the campaign form around the dialog.
    dialog.onkeydown = function (event) {
      if (event.key === "Enter" && event.target.tagName === "INPUT") { event.preventDefault(); send(); }
    };
    dialog.onclose = function () { if (opener) opener.focus(); };
  }

  function setUp(editor) {
    var toolbar = editor.querySelector("[data-markdown-toolbar]");
    var area = editor.querySelector("textarea[data-markdown]");
    var dialog = editor.querySelector("[data-image-dialog]");
    if (!toolbar || !area) return;
    var format = area.form ? area.form.elements.namedItem("text_format") : null;
    function markdownOn() {
      return (format ? format.value : area.dataset.textFormat || "markdown") === "markdown";
    }
    toolbar.hidden = !markdownOn();
    if (format) format.addEventListener("change", function () { toolbar.hidden = !markdownOn(); });

    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
    buttons.forEach(function (button, index) {
      button.tabIndex = index === 0 ? 0 : -1;
      button.addEventListener("click", function () { act(button.dataset.md, button, area, dialog); });
    });
    toolbar.addEventListener("keydown", function (event) {
      var at = buttons.indexOf(document.activeElement);
      if (at === -1) return;
      var next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (document.dir === "rtl" || getComputedStyle(toolbar).direction === "rtl") {
        if (event.key === "ArrowRight") next = at - 1;
        else if (event.key === "ArrowLeft") next = at + 1;
      }
      if (next === undefined) return;
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[at].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    area.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || !markdownOn()) return;
      var kind = { b: "bold", i: "italic", k: "link" }[event.key.toLowerCase()];
      if (!kind) return;
      event.preventDefault();
      act(kind, toolbar.querySelector('[data-md="' + kind + '"]'), area, dialog);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".markdown-editor"), setUp);
})();
