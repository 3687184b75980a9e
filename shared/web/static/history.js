/* The review history on the account page: every published review with spend, savings found and realised, a
   small inline SVG chart of the three, and deleting a review after a confirmation. Text only via textContent. */
"use strict";
(function () {
  var C = window.Caleta, A = window.CaletaAccount;
  var SVG = "http://www.w3.org/2000/svg";
  var W = 640, H = 200, PAD = {left: 84, right: 12, top: 12, bottom: 28}, MAX_DATES = 6;
  var SERIES = [["spend", "spend_30d", "Spend (30 days)"], ["found", "savings_monthly", "Savings found"],
                ["realised", "realised_monthly", "Savings realised"]];
  var reviews = [], pending = null;

  function $(id) { return document.getElementById(id); }

  function money(value, currency) {
    if (value === null || value === undefined) { return "—"; }
    try {
      return new Intl.NumberFormat("en-GB", {style: "currency", currency: currency || "GBP",
                                             maximumFractionDigits: 0}).format(value);
    } catch (e) {  // a currency code the browser does not know
      return Math.round(value).toLocaleString("en-GB") + " " + (currency || "");
    }
  }
  function day(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso || "") : d.toLocaleDateString("en-GB", {day: "numeric", month: "short",
                                                                                 year: "numeric", timeZone: "UTC"});
  }
  function count(value) { return value === null || value === undefined ? "—" : String(value); }

  function node(name, attrs, text) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { el.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) { el.textContent = String(text); }
    return el;
  }

  /* Oldest to newest, left to right; one y axis from 0 (spend dwarfs savings, which is the point). */
  function chart(list) {
    var points = list.slice().reverse();
    var top = 0;
    points.forEach(function (r) { SERIES.forEach(function (s) { top = Math.max(top, +r[s[1]] || 0); }); });
    top = top > 0 ? top * 1.1 : 1;
    var span = W - PAD.left - PAD.right, height = H - PAD.top - PAD.bottom;
    var x = function (i) { return PAD.left + (points.length > 1 ? span * i / (points.length - 1) : span / 2); };
    var y = function (v) { return PAD.top + height * (1 - v / top); };
    var currency = (points[points.length - 1] || {}).currency;
    var svg = node("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": "history-chart-title"});
    svg.appendChild(node("title", {id: "history-chart-title"},
                         "Spend, savings found and savings realised at each of your " + points.length + " reviews"));
    [0, 0.5, 1].forEach(function (share) {
      var value = top / 1.1 * share, at = y(value);
      svg.appendChild(node("line", {"class": "grid", x1: PAD.left, x2: W - PAD.right, y1: at, y2: at}));
      svg.appendChild(node("text", {"class": "tick", x: PAD.left - 6, y: at + 4, "text-anchor": "end"},
                           money(value, currency)));
    });
    var every = Math.ceil(points.length / MAX_DATES);  // a weekly customer has 56 reviews in 13 months
    points.forEach(function (r, i) {
      if (i % every !== 0 && i !== points.length - 1) { return; }
      if (i !== points.length - 1 && points.length - 1 - i < every) { return; }  // too close to the last one
      // The outer dates align inwards so they stay inside the chart; the ones between are centred.
      var anchor = points.length < 2 ? "middle" : i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
      svg.appendChild(node("text", {"class": "tick", x: x(i), y: H - 8, "text-anchor": anchor},
                           day(r.generated_at || r.created_at)));
    });
    SERIES.forEach(function (s) {
      var known = points.map(function (r, i) { return [i, r[s[1]]]; })
        .filter(function (p) { return p[1] !== null && p[1] !== undefined; });
      if (known.length > 1) {
        var path = known.map(function (p, k) { return (k ? "L" : "M") + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1); });
        svg.appendChild(node("path", {"class": "line " + s[0], d: path.join(" ")}));
      }
      known.forEach(function (p) {
        var dot = node("circle", {"class": s[0], cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 4});
        dot.appendChild(node("title", {}, s[2] + ", " + day(points[p[0]].generated_at) + ": " +
                                          money(p[1], points[p[0]].currency)));
        svg.appendChild(dot);
      });
    });
    return svg;
  }

  function row(r) {
    var tr = C.el("tr", null, {"data-scan": r.scan_id});
    var when = C.el("td");
    when.appendChild(C.el("span", day(r.generated_at || r.created_at), {"class": "name"}));
    when.appendChild(C.el("span", (r.status === "partial" ? "Partly complete · " : "") + "scan " + r.scan_id,
                          {"class": "muted"}));
    tr.appendChild(when);
    tr.appendChild(C.el("td", money(r.spend_30d, r.currency), {"class": "num"}));
    tr.appendChild(C.el("td", money(r.savings_monthly, r.currency), {"class": "num"}));
    tr.appendChild(C.el("td", money(r.realised_monthly, r.currency), {"class": "num"}));
    tr.appendChild(C.el("td", count(r.new), {"class": "num"}));
    tr.appendChild(C.el("td", count(r.resolved), {"class": "num"}));
    var cell = C.el("td");
    var button = C.el("button", "Delete", {type: "button", "class": "secondary delete-review",
                                           "aria-label": "Delete the review of " + day(r.generated_at || r.created_at)});
    button.addEventListener("click", function () { ask(r, button); });
    cell.appendChild(button);
    tr.appendChild(cell);
    return tr;
  }

  function render(answer) {
    reviews = answer.reviews || [];
    $("history-retention").textContent = "Reviews are kept for " + answer.retention_months +
      " months, then deleted with their reports. You can delete one sooner.";
    $("history-none").hidden = reviews.length > 0;
    $("history-table").hidden = reviews.length === 0;
    $("history-chart-box").hidden = reviews.length === 0;
    var tbody = document.querySelector("#history-table tbody");
    C.clear(tbody);
    reviews.forEach(function (r) { tbody.appendChild(row(r)); });
    C.clear($("history-chart"));
    if (reviews.length) { $("history-chart").appendChild(chart(reviews)); }
  }

  function refresh() {
    var session = A.session();
    if (!session) { return; }
    C.call("GET", A.base() + "/reviews", undefined, session.api_key).then(function (answer) {
      if (answer.status !== 200) { A.say("history-message", A.problem(answer)); return; }
      render(answer.data);
    }, function () { A.say("history-message", "We could not reach Caleta."); });
  }

  function ask(review, button) {
    pending = {review: review, button: button};
    $("history-confirm-date").textContent = day(review.generated_at || review.created_at);
    $("history-confirm").hidden = false;
    A.say("history-message", "");
    $("history-confirm-button").focus();
  }

  function cancel() {
    $("history-confirm").hidden = true;
    if (pending && document.body.contains(pending.button)) { pending.button.focus(); }
    pending = null;
  }

  function confirmDelete() {
    if (!pending) { return; }
    var session = A.session(), scanId = pending.review.scan_id;
    $("history-confirm-button").disabled = true;
    C.call("DELETE", A.base() + "/scans/" + encodeURIComponent(scanId), undefined, session.api_key)
      .then(function (answer) {
        $("history-confirm-button").disabled = false;
        $("history-confirm").hidden = true;
        pending = null;
        if (answer.status !== 200) { A.say("history-message", A.problem(answer)); return; }
        A.say("history-message", "Review deleted.");
        refresh();
        A.refreshScans();
        $("history-title").focus();
      }, function () {
        $("history-confirm-button").disabled = false;
        A.say("history-message", "We could not reach Caleta.");
      });
  }

  $("history-title").setAttribute("tabindex", "-1");
  $("history-confirm-button").addEventListener("click", confirmDelete);
  $("history-cancel").addEventListener("click", cancel);
  // account.js asks for the first refresh once the customer is loaded (and again when a review finishes).
  window.CaletaHistory = {refresh: refresh};
}());
