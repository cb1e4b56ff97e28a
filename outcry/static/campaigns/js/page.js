// Enhancements only: every path on the page works without this file.
(function () {
  "use strict";

  // The live count: poll the stats endpoint, slower while the tab is hidden.
  var counter = document.querySelector("[data-stats-url]");
  if (counter && window.fetch) {
    var countEl = counter.querySelector("[data-count]");
    var bar = counter.querySelector("[data-progress]");
    // Grouped like the server's own rendering (Django's THOUSAND_SEPARATOR for the page's language),
    // so a live update never switches digits or separators under the reader's eyes.
    var separator = counter.getAttribute("data-thousands") || "";
    var format = { format: function (n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator); } };
    var interval = Number(counter.getAttribute("data-poll-ms")) || 5000;
    // The highest count shown so far, starting with the page's own: an answer from a snapshot older than
    // one already shown (another server process, a cache in between) never turns the counter back.
    var shown = Number(counter.getAttribute("data-count-value")) || 0;
    var poll = function () {
      fetch(counter.getAttribute("data-stats-url"), { credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (stats) {
          if (!stats || !(stats.count > shown)) return;
          shown = stats.count;
          countEl.textContent = format.format(stats.count);
          // Past the milestone the page was rendered with, the bar stays full until the next render moves it up.
          if (bar) bar.value = Math.min(stats.count, Number(bar.max));
        })
        .catch(function () {})
        .then(schedule);
    };
    var schedule = function () {
      setTimeout(poll, document.hidden ? interval * 6 : interval);
    };
    schedule();
    document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  }

  // The letter closes with the supporter's name as they type it.
  var signature = document.querySelector("[data-signature]");
  var first = document.getElementById("id_first_name");
  var last = document.getElementById("id_last_name");
  if (signature && first && last) {
    var placeholder = signature.textContent;
    var sign = function () {
      var name = (first.value + " " + last.value).trim();
      signature.textContent = name || placeholder;
    };
    first.addEventListener("input", sign);
    last.addEventListener("input", sign);
  }

  // Attribution: the page is one shared copy whatever its address, so the share link's parameters
  // travel to the action through the form's hidden fields (outcry/campaigns/attribution.py; without
  // this script the server reads them from the POST's Referer) and through the language links.
  var SHARE_PARAMS = ["ref", "via", "utm_source", "utm_medium", "utm_campaign"];
  var query = window.URLSearchParams ? new URLSearchParams(window.location.search) : null;
  var shared = [];
  if (query) {
    SHARE_PARAMS.forEach(function (key) {
      // Cleaned as the server cleans them: no control characters, at most 100 characters.
      var value = (query.get(key) || "").replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim().slice(0, 100);
      if (!value) return;
      shared.push([key, value]);
      Array.prototype.forEach.call(document.querySelectorAll("form.action-form input[type=hidden][name=" + key + "]"), function (input) {
        if (!input.value) input.value = value;
      });
    });
  }
  if (shared.length) {
    var extra = shared.map(function (pair) { return encodeURIComponent(pair[0]) + "=" + encodeURIComponent(pair[1]); }).join("&");
    Array.prototype.forEach.call(document.querySelectorAll("nav.languages a[hreflang]"), function (link) {
      link.href = link.getAttribute("href") + (link.getAttribute("href").indexOf("?") < 0 ? "?" : "&") + extra;
    });
  }

  // Targets per supporter: when the country changes, address the letter to that country's target in each
  // group (else the group's fallback, the one with no country), as the server does for the chosen country.
  var countrySelect = document.getElementById("id_country");
  var routedLists = document.querySelectorAll(".to-list, [data-targets]");
  if (countrySelect && routedLists.length) {
    var show = function (el, on) {
      el.hidden = !on;
      var box = el.querySelector("input");
      if (box) box.disabled = !on;
    };
    var route = function () {
      var country = countrySelect.value;
      Array.prototype.forEach.call(routedLists, function (list) {
        var groups = {};
        Array.prototype.forEach.call(list.querySelectorAll("[data-group]"), function (el) {
          var group = el.getAttribute("data-group");
          if (group) (groups[group] = groups[group] || []).push(el);
          else show(el, true);
        });
        Object.keys(groups).forEach(function (group) {
          var members = groups[group];
          var pick = function (code) { return members.filter(function (el) { return el.getAttribute("data-country") === code; })[0]; };
          var chosen = pick(country) || pick("");
          members.forEach(function (el) { show(el, el === chosen); });
        });
      });
    };
    countrySelect.addEventListener("change", route);
    // Not needed with the list live; and gone, not hidden, so Enter in a field still sends the letter.
    var showButton = document.querySelector("[data-show-targets]");
    if (showButton) showButton.parentNode.parentNode.removeChild(showButton.parentNode);
  }

  // The shared page guesses the country from its language only; the browser's own languages say more
  // (en-US: the United States). Only on a fresh form, before the supporter chose.
  var guessing = document.querySelector("form.action-form[data-country-guess]");
  if (guessing && countrySelect && navigator.languages) {
    var region = "";
    navigator.languages.some(function (tag) {
      var parts = String(tag).split("-");
      region = parts.length > 1 && parts[parts.length - 1].length === 2 ? parts[parts.length - 1].toUpperCase() : "";
      return region;
    });
    var option = region && countrySelect.querySelector("option[value='" + region + "']");
    if (option && countrySelect.value !== region) {
      countrySelect.value = region;
      countrySelect.dispatchEvent(new Event("change"));
    }
  }

  // Move focus to the error summary so screen readers hear it after a failed submit.
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();

  // Copy link and the phone's own share sheet, where the browser has them.
  // Each copy button (the share link; a mailto campaign's address and message) reports in its own status line.
  if (navigator.clipboard) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (copyButton) {
      copyButton.hidden = false;
      copyButton.addEventListener("click", function () {
        var input = document.getElementById(copyButton.getAttribute("data-copy"));
        var status = copyButton.parentNode.querySelector("[data-copied-text]");
        navigator.clipboard.writeText(input.value).then(function () {
          status.textContent = status.getAttribute("data-copied-text");
        });
      });
    });
  }
  var native = document.querySelector("[data-native-share]");
  if (native && navigator.share) {
    native.hidden = false;
    var button = native.querySelector("button");
    button.addEventListener("click", function () {
      navigator.share({
        title: button.getAttribute("data-share-title"),
        text: button.getAttribute("data-share-text"),
        url: button.getAttribute("data-share-url"),
      }).catch(function () {});
    });
  }
})();
