// lightgate bring-up console: keeps / and /ports/{port} live. No framework, no build
// step; everything it needs comes from this agent. Text from the agent is only ever
// set as textContent; markup is built from numbers and fixed strings.
"use strict";
(function () {
  var body = document.body;
  var HISTORY_MS = 10 * 60 * 1000;

  // Absolute URLs on the page's origin: a page opened as https://user:pass@host/ has
  // its credentials in the base URL, and fetch refuses relative URLs resolved from it.
  function api(path) { return window.location.origin + path; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function badge(ready) {
    var b = el("span", ready ? "badge ready" : "badge not-ready",
      ready ? "\u2714 READY" : "\u2718 NOT READY");
    b.setAttribute("data-verdict", ready ? "ready" : "not-ready");
    return b;
  }

  function setConn(live) {
    var c = document.getElementById("conn");
    if (!c) return;
    c.textContent = live ? "\u25CF live" : "\u26A0 connection lost, reconnecting\u2026";
    c.className = live ? "conn" : "conn lost";
  }

  // ---- / : the port list, refreshed every few seconds --------------------------------
  function indexPage() {
    function refresh() {
      fetch(api("/api/v1/verdicts"), { cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (all) {
          setConn(true);
          var rows = {};
          document.querySelectorAll("#ports tr").forEach(function (r) {
            rows[r.getAttribute("data-port")] = r;
          });
          (all.ports || []).forEach(function (p) {
            var row = rows[p.port];
            if (!row) return;
            row.querySelector(".verdict").replaceChildren(badge(p.ready));
            row.querySelector(".reason").textContent = p.reason || "";
          });
        })
        .catch(function () { setConn(false); });
    }
    refresh();
    setInterval(refresh, 3000);
  }

  // ---- /ports/{port} ---------------------------------------------------------------
  function portPage() {
    var path = body.getAttribute("data-port-path");
    var latest = null;
    var skew = 0; // agent clock minus browser clock (ms)
    var history = {}; // "link1/0/rx" -> [[time ms, dBm or null], ...]
    var pollAsked = null; // {at: ms, reads: {link: read_at}} while a poll-now waits

    function agentNow() { return Date.now() + skew; }

    function fmtSecs(s) {
      s = Math.max(0, Math.round(s));
      if (s < 90) return s + " s";
      var m = Math.floor(s / 60);
      return m + " min " + (s % 60) + " s";
    }

    function mw(dbm) {
      var v = Math.pow(10, dbm / 10);
      var digits = v >= 1000 ? 0 : Math.min(8, Math.max(0, 3 - Math.floor(Math.log10(v))));
      return v.toFixed(digits);
    }

    function remember(link, reading) {
      if (!reading || !link.read_at) return;
      var t = Date.parse(link.read_at);
      var lanes = reading.lanes.length ? reading.lanes
        : [{ lane: "-", rx_dbm: reading.rx_dbm, tx_dbm: reading.tx_dbm }];
      lanes.forEach(function (l) {
        [["rx", l.rx_dbm], ["tx", l.tx_dbm]].forEach(function (d) {
          var key = link.link + "/" + l.lane + "/" + d[0];
          var h = history[key] || (history[key] = []);
          if (h.length && h[h.length - 1][0] >= t) return;
          h.push([t, d[1] === undefined ? null : d[1]]);
          while (h.length && h[0][0] < t - HISTORY_MS) h.shift();
        });
      });
    }

    // The dBm scale of a link: wide enough for the window, the thresholds and the values.
    function scale(state, reading) {
      var lo = -30, hi = 6;
      var vals = [state.healthy_min_dbm, state.healthy_max_dbm];
      ["rx", "tx"].forEach(function (d) {
        var t = reading.thresholds[d];
        vals.push(t.low_alarm, t.high_alarm);
      });
      reading.lanes.forEach(function (l) { vals.push(l.rx_dbm, l.tx_dbm); });
      vals.push(reading.rx_dbm, reading.tx_dbm);
      vals.forEach(function (v) {
        if (typeof v !== "number") return;
        lo = Math.min(lo, Math.floor(v - 2));
        hi = Math.max(hi, Math.ceil(v + 1));
      });
      return { lo: Math.max(lo, -50), hi: Math.min(hi, 15) };
    }

    function x(sc, v) {
      var c = Math.min(sc.hi, Math.max(sc.lo, v));
      return ((c - sc.lo) / (sc.hi - sc.lo)) * 300;
    }

    function bar(sc, value, window, levels, dim) {
      var s = '<svg class="bar" viewBox="0 0 300 22" preserveAspectRatio="none" aria-hidden="true">';
      s += '<rect x="0" y="4" width="300" height="14" fill="#eee"/>';
      if (window) {
        s += '<rect x="' + x(sc, window[0]).toFixed(1) + '" y="4" width="' +
          (x(sc, window[1]) - x(sc, window[0])).toFixed(1) + '" height="14" fill="var(--band)"/>';
      }
      if (typeof value === "number") {
        s += '<rect x="0" y="8" width="' + x(sc, value).toFixed(1) + '" height="6" fill="' +
          (dim ? "#999" : "#2f6fb3") + '"/>';
        s += '<rect x="' + (x(sc, value) - 1.5).toFixed(1) + '" y="2" width="3" height="18" fill="' +
          (dim ? "#999" : "#123d6a") + '"/>';
      }
      [["low_alarm", "#c62828", ""], ["high_alarm", "#c62828", ""],
        ["low_warning", "#b26a00", ' stroke-dasharray="3 2"'], ["high_warning", "#b26a00", ' stroke-dasharray="3 2"']]
        .forEach(function (k) {
          var v = levels[k[0]];
          if (typeof v !== "number") return;
          var px = x(sc, v).toFixed(1);
          s += '<line x1="' + px + '" x2="' + px + '" y1="0" y2="22" stroke="' + k[1] + '" stroke-width="2"' + k[2] + '/>';
        });
      return s + "</svg>";
    }

    // The sparkline is scaled to its own values (at least 1 dB tall), so that a re-seat
    // or a cleaned connector shows as a step even when the bar hardly moves.
    function spark(key) {
      var h = (history[key] || []).filter(function (p) { return p[1] !== null; });
      var now = agentNow();
      var s = '<svg class="spark" viewBox="0 0 300 18" preserveAspectRatio="none" aria-hidden="true">';
      var lo = Infinity, hi = -Infinity;
      h.forEach(function (p) { lo = Math.min(lo, p[1]); hi = Math.max(hi, p[1]); });
      if (hi - lo < 1) { var mid = (hi + lo) / 2; lo = mid - 0.5; hi = mid + 0.5; }
      var pts = [];
      h.forEach(function (p) {
        var px = 300 - ((now - p[0]) / HISTORY_MS) * 300;
        var py = 17 - ((p[1] - lo) / (hi - lo)) * 16;
        pts.push(Math.max(0, px).toFixed(1) + "," + py.toFixed(1));
      });
      if (pts.length) {
        s += '<polyline fill="none" stroke="#2f6fb3" stroke-width="1.5" points="' + pts.join(" ") + '"/>';
      }
      return s + "</svg>";
    }

    function judge(dir, value, state, levels) {
      if (dir === "rx") {
        if (value < state.healthy_min_dbm) return "\u2718 below the window";
        if (value > state.healthy_max_dbm) return "\u2718 above the window";
        return "\u2714 in window";
      }
      if (typeof levels.low_alarm === "number" && value < levels.low_alarm) return "\u2718 below the optic's low alarm";
      if (typeof levels.high_alarm === "number" && value > levels.high_alarm) return "\u2718 above the optic's high alarm";
      if (typeof levels.low_warning === "number" && value < levels.low_warning) return "\u26A0 below the optic's low warning";
      if (typeof levels.high_warning === "number" && value > levels.high_warning) return "\u26A0 above the optic's high warning";
      return "";
    }

    function direction(link, lane, dir, state, reading, sc) {
      var value = lane[dir + "_dbm"];
      var dark = lane[dir + "_no_light"];
      var levels = reading.thresholds[dir];
      var box = el("div", "dir");
      box.appendChild(el("span", "dir-name", dir === "rx" ? "Rx" : "Tx"));
      var right = el("div");
      var val = el("div", "value");
      if (dark) {
        val.appendChild(el("span", "state dark", "\u25D0 NO LIGHT"));
      } else if (lane[dir + "_inconsistent"]) {
        val.appendChild(el("span", "state unknown", "\u2260 INCONSISTENT"));
      } else if (typeof value !== "number") {
        val.appendChild(el("span", "state unknown", "? not reported"));
      } else {
        right.innerHTML = bar(sc, value, dir === "rx" ? [state.healthy_min_dbm, state.healthy_max_dbm] : null,
          levels, !link.fresh);
        val.appendChild(document.createTextNode(value.toFixed(2) + " dBm "));
        val.appendChild(el("small", "", "(" + mw(value) + " mW) " + judge(dir, value, state, levels)));
      }
      right.appendChild(val);
      var sp = el("div");
      sp.innerHTML = spark(link.link + "/" + lane.lane + "/" + dir);
      right.appendChild(sp);
      box.appendChild(right);
      return box;
    }

    function renderLink(state, link) {
      var section = document.getElementById(link.link);
      if (!section) return;
      section.querySelector(".azure-admin").textContent = link.azure_admin_state;
      var line = link.azure && link.azure.line_protocol_up;
      section.querySelector(".azure-line").textContent =
        line === true ? "up" : line === false ? "down" : "not observed";
      var box = section.querySelector(".reading");
      box.replaceChildren();
      var r = link.reading;
      if (!r) {
        box.appendChild(el("p", "state unknown", "? never read" + (link.last_error ? ": " + link.last_error : "")));
      } else {
        var status = el("p", "status", "oper " + r.oper_status + " \u00B7 admin " + r.admin_status + " \u00B7 ");
        if (link.fresh) {
          status.appendChild(el("span", "age", ""));
        } else {
          status.appendChild(el("span", "state stale", "\u25F7 STALE"));
          status.appendChild(el("span", "age", ""));
        }
        box.appendChild(status);
        if (link.last_error) box.appendChild(el("p", "state stale", "last error: " + link.last_error));
        var sc = scale(state, r);
        var lanes = r.lanes.length ? r.lanes : [{
          lane: "-", rx_dbm: r.rx_dbm, tx_dbm: r.tx_dbm, rx_no_light: r.rx_no_light, tx_no_light: r.tx_no_light,
          rx_inconsistent: r.rx_inconsistent, tx_inconsistent: r.tx_inconsistent
        }];
        var wrap = el("div", link.fresh ? "lanes-live" : "lanes-live stale-box");
        lanes.forEach(function (l) {
          var row = el("div", "lane-row");
          row.setAttribute("data-lane", String(l.lane));
          row.appendChild(el("span", "lane-name", l.lane === "-" ? "" : "L" + l.lane));
          var dirs = el("div");
          dirs.appendChild(direction(link, l, "rx", state, r, sc));
          dirs.appendChild(direction(link, l, "tx", state, r, sc));
          row.appendChild(dirs);
          wrap.appendChild(row);
        });
        box.appendChild(wrap);
      }
      fillChecks(section.querySelector("ul.checks"), link.checks);
    }

    // A list of checks: icon and word (never colour alone), name, detail.
    function fillChecks(ul, checks) {
      ul.replaceChildren();
      checks.forEach(function (c) {
        var li = el("li", c.pass ? "pass" : "fail");
        li.setAttribute("data-check", c.check);
        li.appendChild(document.createTextNode(c.pass ? "\u2714 " : "\u2718 "));
        li.appendChild(el("b", "", c.check));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", "word", c.pass ? "pass" : "FAIL"));
        li.appendChild(document.createTextNode(": " + c.detail));
        ul.appendChild(li);
      });
    }

    // Countdowns and ages move every second without an event.
    function tick() {
      if (!latest) return;
      var elapsed = (agentNow() - Date.parse(latest.evaluated_at)) / 1000;
      ["link1", "link2"].forEach(function (name) {
        var link = latest.links[name];
        var section = document.getElementById(name);
        if (!section) return;
        var cd = section.querySelector(".countdown");
        var stable = link.checks.some(function (c) { return c.check === "stable" && c.pass; });
        if (typeof link.stable_seconds !== "number") {
          cd.textContent = "not started: no reading yet";
        } else if (stable) {
          cd.textContent = "\u2714 complete (stable for " + fmtSecs(link.stable_seconds + elapsed) + ")";
        } else {
          var left = latest.hold_down_seconds - (link.stable_seconds + elapsed);
          cd.textContent = left > 0 ? "\u25F7 " + fmtSecs(left) + " left" : "\u25F7 ending now";
        }
        var age = section.querySelector(".age");
        if (age && link.read_at) {
          age.textContent = "read " + fmtSecs((agentNow() - Date.parse(link.read_at)) / 1000) + " ago";
        }
      });
    }

    function fmtCount(v) { return typeof v === "number" ? String(v) : "\u2013"; }

    // The peerings section, rebuilt from the port's state (text only, no markup).
    function renderPeerings(state) {
      var section = document.getElementById("peerings");
      if (!section || !state.peerings || !state.peerings.length) return;
      section.querySelectorAll(".peering, .none").forEach(function (n) { n.remove(); });
      state.peerings.forEach(function (p) {
        var div = el("div", "peering");
        div.setAttribute("data-peering", p.circuit + "/" + p.peering);
        var h = el("h3", "", p.circuit + " " + p.peering + " ");
        h.appendChild(badge(p.ready));
        div.appendChild(h);
        var table = el("table", "sessions");
        var head = el("tr");
        ["Link", "Router", "Microsoft", "State", "AS", "Up", "Received", "Advertised / limit"].forEach(function (t) {
          var th = el("th", "", t);
          th.setAttribute("scope", "col");
          head.appendChild(th);
        });
        var thead = el("thead");
        thead.appendChild(head);
        table.appendChild(thead);
        var tbody = el("tbody");
        p.sessions.forEach(function (s) {
          var tr = el("tr");
          var th = el("th", "", s.link);
          th.setAttribute("scope", "row");
          tr.appendChild(th);
          var state = s.state || "no such neighbour";
          if (s.state && s.state !== "established" && s.last_error) state += " (last error: " + s.last_error + ")";
          if (s.bfd) state += ", BFD " + s.bfd + (s.bfd_diagnostic ? " (" + s.bfd_diagnostic + ")" : "");
          [s.device, s.neighbor + " (" + s.family + ")", state,
            s.remote_as === null || s.remote_as === undefined ? "\u2013" : String(s.remote_as),
            (typeof s.established_seconds === "number" ? fmtSecs(s.established_seconds) : "\u2013") +
              (s.flaps_seen > 0 ? " (" + s.flaps_seen + " flaps seen)" : ""),
            fmtCount(s.prefixes_received) + (typeof s.prefixes_accepted === "number" ? " (" + fmtCount(s.prefixes_accepted) + " accepted)" : ""),
            fmtCount(s.prefixes_advertised) + " / " + s.prefix_limit].forEach(function (t) {
            tr.appendChild(el("td", "", t));
          });
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        div.appendChild(table);
        var ul = el("ul", "checks");
        fillChecks(ul, p.checks);
        div.appendChild(ul);
        section.appendChild(div);
      });
    }

    function render(state) {
      document.getElementById("verdict").replaceChildren(badge(state.ready));
      renderPeerings(state);
      document.getElementById("reason").textContent = state.failing[0] || "";
      renderLink(state, state.links.link1);
      renderLink(state, state.links.link2);
      if (pollAsked) {
        var fresh = ["link1", "link2"].every(function (n) {
          var at = state.links[n].read_at;
          return at && at !== pollAsked.reads[n];
        });
        if (fresh) {
          document.getElementById("poll-result").textContent =
            "\u2714 new readings after " + fmtSecs((Date.now() - pollAsked.at) / 1000);
          pollAsked = null;
        }
      }
      tick();
    }

    function addDecision(d) {
      var list = document.getElementById("decisions");
      if (!list) return;
      var none = list.querySelector(".none");
      if (none) none.remove();
      var li = el("li");
      li.setAttribute("data-decision", d.decision_id);
      li.appendChild(el("time", "", d.time));
      li.appendChild(document.createTextNode(" " + (d.verdict === "ready" ? "\u2714 " : "\u2718 ") +
        d.action + (d.circuit ? " " + d.circuit : "") + " "));
      li.appendChild(el("b", "", d.verdict));
      li.appendChild(document.createTextNode(" by " + d.user + "@" + d.host + (d.reason ? ": " + d.reason : "")));
      list.insertBefore(li, list.firstChild);
    }

    // A stream the agent refused (503 when the event streams hold their share, 401
    // after a credential change) is closed for good by the browser: open a new one
    // after the Retry-After the agent gives (10 s); the fresh stream brings the state.
    function listen() {
      var source = new EventSource(api("/api/v1/ports/" + path + "/events"));
      source.onopen = function () { setConn(true); };
      source.onerror = function () {
        setConn(false);
        if (source.readyState === EventSource.CLOSED) setTimeout(listen, 10000);
      };
      source.addEventListener("clock", function (e) {
        var clock = JSON.parse(e.data);
        skew = Date.parse(clock.now) - Date.now();
        // A fresh connection brings the sparklines' last ten minutes:
        // [time ms, link, lane or null, rx dBm or null, tx dBm or null].
        (clock.history || []).forEach(function (s) {
          var lane = s[2] === null ? "-" : s[2];
          [["rx", s[3]], ["tx", s[4]]].forEach(function (d) {
            var key = s[1] + "/" + lane + "/" + d[0];
            var h = history[key] || (history[key] = []);
            if (!h.length || h[h.length - 1][0] < s[0]) h.push([s[0], d[1]]);
          });
        });
        setConn(true);
      });
      source.addEventListener("port", function (e) {
        var state = JSON.parse(e.data);
        remember(state.links.link1, state.links.link1.reading);
        remember(state.links.link2, state.links.link2.reading);
        latest = state;
        render(state);
      });
      source.addEventListener("decision", function (e) {
        var d = JSON.parse(e.data);
        if (document.querySelector('[data-decision="' + CSS.escape(d.decision_id) + '"]')) return;
        addDecision(d);
      });
    }
    listen();
    setInterval(tick, 1000);

    document.getElementById("poll").addEventListener("click", function () {
      var out = document.getElementById("poll-result");
      if (!latest) { out.textContent = "no state yet"; return; }
      var devices = [latest.links.link1.device, latest.links.link2.device].filter(function (d, i, a) {
        return a.indexOf(d) === i;
      });
      pollAsked = { at: Date.now(), reads: { link1: latest.links.link1.read_at, link2: latest.links.link2.read_at } };
      out.textContent = "\u25F7 polling " + devices.join(", ") + "\u2026";
      Promise.all(devices.map(function (d) {
        return fetch(api("/api/v1/devices/poll?device=" + encodeURIComponent(d)), { method: "POST" })
          .then(function (r) {
            if (r.ok) return null;
            return r.json().then(function (j) { return d + ": " + j.error; }, function () { return d + ": HTTP " + r.status; });
          });
      })).then(function (errors) {
        errors = errors.filter(function (e) { return e; });
        if (errors.length) { out.textContent = "\u2718 " + errors.join("; "); pollAsked = null; }
      }).catch(function (e) { out.textContent = "\u2718 poll request failed: " + e; pollAsked = null; });
    });
  }

  if (body.getAttribute("data-page") === "port") portPage();
  else if (body.getAttribute("data-page") === "index") indexPage();
})();
