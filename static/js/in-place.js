/*
 * What htmx leaves to the page when it changes things in place: refusals shown beside the
 * control that was used, and text boxes that keep the size a visitor gave them.
 *
 * Refusals. htmx swaps only 2xx answers, so a refused request (a vote over the rate limit, an
 * edit after its window, a vote on a distinction a moderator has just removed, a database
 * outage, a failed CSRF check) or a lost connection would change nothing on screen. The site
 * answers htmx with one sentence in [data-refusal] (smsn/refusals.py): this shows it next to
 * the control that was used, as an alert, and empties the live region so it no longer holds the
 * last success. It evaluates nothing and writes text only, never the answer's HTML.
 */
(function () {
  "use strict";

  var UNREACHABLE =
    "The site could not be reached, so nothing was sent. Check your connection and try again.";

  function fallback(status) {
    if (status === 429) {
      return "Too many requests just now, so nothing was changed. Wait a minute and try again.";
    }
    if (status === 404) {
      return "This is no longer here: it may have been removed. Reload the page to see it as it is now.";
    }
    if (status >= 500) {
      return "Something went wrong on our side, so nothing was changed. Try again in a moment.";
    }
    return "This could not be done, so nothing was changed. Reload the page and try again.";
  }

  function sentence(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = "";
    if (type.indexOf("text/html") === 0) {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var found = page.querySelector("[data-refusal]");
      text = found ? found.textContent.trim() : "";
    } else if (type.indexOf("text/plain") === 0 && xhr.responseText.length <= 500) {
      text = xhr.responseText.trim();
    }
    return text || fallback(xhr.status);
  }

  // Where the sentence goes: in the form that was sent, else beside the link that was followed.
  function placeFor(elt) {
    if (!elt || !elt.isConnected) {
      return document.getElementById("main");
    }
    return elt.closest("form") || elt.parentElement;
  }

  function clear(place) {
    var old = place && place.querySelector(":scope > .refusal");
    if (old) {
      old.remove();
    }
  }

  function show(elt, text) {
    var place = placeFor(elt);
    clear(place);
    var alert = document.createElement("p");
    alert.className = "refusal";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    place.appendChild(alert);
    var live = document.getElementById("live-notice");
    if (live) {
      live.textContent = "";
    }
  }

  var body = document.body;
  // In debug mode django-htmx's script replaces the whole page with any 400, 403 or 404 answer
  // to htmx. Refusals are shown here instead; only tracebacks (500) still reach it.
  body.addEventListener("htmx:beforeOnLoad", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status !== 500) {
      event.stopPropagation();
    }
  });
  body.addEventListener("htmx:beforeRequest", function (event) {
    clear(placeFor(event.detail.elt));
  });
  body.addEventListener("htmx:responseError", function (event) {
    show(event.detail.elt, sentence(event.detail.xhr));
  });
  body.addEventListener("htmx:sendError", function (event) {
    show(event.detail.elt, UNREACHABLE);
  });

  // Text boxes. A form sent back with its errors replaces the one the visitor typed in; a box
  // they had dragged larger would shrink back. htmx must not carry its style attribute over
  // (the CSP forbids inline styles: base.html's attributesToSettle), so the size is carried
  // over here through the element's style object, which the CSP allows.
  var sizes = {};
  body.addEventListener("htmx:beforeSwap", function (event) {
    sizes = {};
    var target = event.detail.target;
    if (!event.detail.shouldSwap || !target) {
      return;
    }
    target.querySelectorAll("textarea[id]").forEach(function (box) {
      if (box.style.width || box.style.height) {
        sizes[box.id] = { width: box.style.width, height: box.style.height };
      }
    });
  });
  body.addEventListener("htmx:afterSwap", function () {
    Object.keys(sizes).forEach(function (id) {
      var box = document.getElementById(id);
      if (box) {
        box.style.width = sizes[id].width;
        box.style.height = sizes[id].height;
      }
    });
    sizes = {};
  });
})();
