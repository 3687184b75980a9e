/* Helpers shared by the pages. Customer strings only ever reach the page through textContent. */
"use strict";
(function (root) {
  var SESSION_KEY = "caleta.session";

  /* An element with text (never markup) and optional attributes. */
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  /* JSON over fetch to our own API; the key goes in the Authorization header, never the URL. */
  function call(method, path, body, apiKey) {
    var headers = {"Accept": "application/json"};
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (apiKey) { headers["Authorization"] = "Bearer " + apiKey; }
    return fetch(path, {method: method, headers: headers, credentials: "omit", cache: "no-store",
                        body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        var parsed = type.indexOf("application/json") === 0 ? response.json() : response.blob();
        return parsed.then(function (data) { return {status: response.status, data: data, response: response}; });
      });
  }

  /* The customer id and key for this tab only (sessionStorage is cleared when the tab closes). */
  function saveSession(customerId, apiKey) {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({customer_id: customerId, api_key: apiKey}));
  }
  function loadSession() {
    try {
      var value = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
      return value && value.customer_id && value.api_key ? value : null;
    } catch (e) { return null; }
  }
  function endSession() { sessionStorage.removeItem(SESSION_KEY); }

  /* Show `message` under the field `name` (or hide it when empty) and mark the input invalid. */
  function setFieldError(name, message) {
    var box = document.getElementById(name + "-error");
    var input = document.getElementById(name);
    if (!box) { return false; }
    box.textContent = message || "";
    box.hidden = !message;
    if (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
    return true;
  }

  /* Save bytes as a file through a temporary object URL. */
  function download(blob, filename) {
    var url = URL.createObjectURL(blob);
    var link = el("a", null, {href: url, download: filename});
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  /* Copy the text of element `id` (an input's value or an element's text); report on `statusNode`. */
  function copyFrom(id, statusNode) {
    var source = document.getElementById(id);
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function (ok) {
      if (statusNode) { statusNode.textContent = ok ? "Copied." : "Select the text and copy it yourself."; }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(legacyCopy(source)); });
    } else { done(legacyCopy(source)); }
  }
  function legacyCopy(source) {
    try {
      if (source.select) { source.select(); } else {
        var range = document.createRange(); range.selectNodeContents(source);
        var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
      }
      return document.execCommand("copy");
    } catch (e) { return false; }
  }

  function formatDate(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString("en-GB", {dateStyle: "medium", timeStyle: "short",
                                                                       timeZone: "UTC"}) + " UTC";
  }

  root.Caleta = {el: el, clear: clear, call: call, saveSession: saveSession, loadSession: loadSession,
                 endSession: endSession, setFieldError: setFieldError, download: download, copyFrom: copyFrom,
                 formatDate: formatDate};
}(window));
