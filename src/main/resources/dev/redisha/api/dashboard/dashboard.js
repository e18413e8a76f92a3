// The redis-ha dashboard: polls this agent's GET /status and draws it.
// Every text from the server goes into the page through textContent or an attribute set with
// setAttribute, never through an HTML parser, so a node id or an event cause cannot become markup.
// The write token lives in one variable of this page; it never reaches the URL or any storage.
"use strict";

(function () {
  const POLL_MS = 1000;
  const REQUEST_TIMEOUT_MS = 4000;
  const HISTORY_MS = 5 * 60 * 1000;
  const SVG_NS = "http://www.w3.org/2000/svg";

  let token = null;          // the API write token, only after the operator typed it
  let readToken = null;      // asked for only when the agent wants a token to read /status
  let askingReadToken = false;
  let lastStatus = null;
  let busy = false;          // an operation is in flight
  const lagHistory = [];     // [{t, lags: {node: bytes}}], oldest first, at most HISTORY_MS old

  // ---- small DOM helpers (text only) ----

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    for (const child of children) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function badge(text, kind) {
    return el("span", "badge" + (kind ? " " + kind : ""), text);
  }

  function replaceRows(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  function cell(...children) {
    return el("td", "", ...children);
  }

  function numCell(value) {
    return el("td", "num", value);
  }

  // ---- formatting ----

  function bytes(n) {
    if (n < 0) return "–";
    if (n < 1024) return n + " B";
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let v = n / 1024;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return v.toFixed(v < 10 ? 1 : 0) + " " + units[i];
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour12: false });
  }

  function ago(ms) {
    if (ms < 1000) return ms + " ms ago";
    if (ms < 120000) return (ms / 1000).toFixed(1) + " s ago";
    return Math.round(ms / 60000) + " min ago";
  }

  // ---- the group as this agent sees it ----

  /** This node and its peers as rows of one shape. */
  function members(s) {
    const self = {
      nodeId: s.node_id, state: s.state, epoch: s.epoch, priority: s.priority, redisUp: s.redis_up,
      redisRole: s.redis_role, offset: s.repl_offset, persisting: s.persisting, heardMsAgo: 0, self: true,
    };
    const peers = (s.peers || []).map((p) => ({
      nodeId: p.node_id, state: p.state, epoch: p.epoch, priority: p.priority, redisUp: p.redis_up,
      redisRole: p.redis_role, offset: p.repl_offset, persisting: p.persisting,
      heardMsAgo: p.last_heard_ms_ago, self: false,
    }));
    return [self, ...peers].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  /** The node acting as master: the epoch's master if its agent says so, else any that does. */
  function masterOf(s, nodes) {
    const serving = nodes.filter((n) => n.state === "MASTER" || n.state === "HANDING_OVER");
    return serving.find((n) => n.nodeId === s.epoch_master) || serving[0] || null;
  }

  /** Bytes each replica is behind the master, from the offsets last known here. */
  function lags(nodes, master) {
    const result = {};
    if (!master) return result;
    for (const n of nodes) {
      if (n !== master && n.redisUp && n.redisRole === "slave") {
        result[n.nodeId] = Math.max(0, master.offset - n.offset);
      }
    }
    return result;
  }

  function agentBadge(state) {
    const kinds = { MASTER: "master", REPLICA: "ok", HANDING_OVER: "warn", STARTING: "", FAULT: "bad", STOPPING: "warn" };
    return badge(state, kinds[state] !== undefined ? kinds[state] : "");
  }

  // ---- drawing ----

  function renderBanners(s) {
    const banners = [];
    if (s.paused) {
      const who = s.paused_by ? " by " + s.paused_by : "";
      const when = s.paused_at_millis ? " at " + new Date(s.paused_at_millis).toLocaleString() : "";
      banners.push(el("div", "banner warn", "Maintenance mode: automatic failover is paused" + who + when + "."));
    }
    if (s.pending_switchover) {
      banners.push(el("div", "banner info", "Switchover pending: " + s.pending_switchover));
    }
    if (s.hold_down) {
      banners.push(el("div", "banner warn", "Hold-down: this node does not take over again until the flap window passes."));
    }
    if (s.state_problem) {
      banners.push(el("div", "banner bad", "State file problem: " + s.state_problem));
    }
    for (const w of s.warnings || []) {
      banners.push(el("div", "banner warn", w));
    }
    $("banners").replaceChildren(...banners);
  }

  function renderCards(s, nodes, master) {
    $("group").textContent = s.group;
    $("self").textContent = s.node_id;
    $("decision").textContent = s.last_decision;
    $("master").replaceChildren(master ? document.createTextNode(master.nodeId) : badge("none", "bad"));
    $("epoch").textContent = String(s.epoch);

    const onDisk = nodes.filter((n) => n.redisUp && n.persisting).map((n) => n.nodeId);
    const durability = $("durability");
    if (onDisk.length === 0) {
      durability.replaceChildren(badge("in memory only", "bad"), " no node persists");
    } else {
      durability.replaceChildren(badge("on disk", "ok"), " persisting: " + onDisk.join(", "));
    }

    $("maintenance").replaceChildren(s.paused ? badge("paused", "warn") : badge("active", "ok"));
  }

  function renderNodes(nodes, master) {
    const rows = nodes.map((n) => {
      const tr = el("tr", n === master ? "is-master" : "");
      tr.setAttribute("data-node", n.nodeId);
      const name = el("td", "node", n.nodeId);
      if (n.self) name.append(" ", el("span", "muted small", "(this agent)"));
      const role = el("td", "role", agentBadge(n.state));
      const redis = cell(n.redisUp ? badge(n.redisRole || "up", "ok") : badge("down", "bad"));
      const lag = master && n !== master && n.redisUp ? bytes(Math.max(0, master.offset - n.offset)) : "–";
      tr.append(name, role, redis, numCell(n.priority), numCell(n.epoch), numCell(n.offset), numCell(lag),
        cell(n.persisting ? "yes" : "no"), cell(n.self ? "–" : ago(n.heardMsAgo)));
      return tr;
    });
    replaceRows($("nodes").tBodies[0], rows);

    const select = $("switchover-target");
    const targets = nodes.filter((n) => n !== master).map((n) => n.nodeId);
    // Rebuilt only when the choice changes: a rebuild closes a list the operator has open.
    if (select.getAttribute("data-targets") === targets.join(" ")) return;
    select.setAttribute("data-targets", targets.join(" "));
    const chosen = select.value;
    const options = [el("option", "", "the best replica")];
    options[0].value = "";
    for (const n of nodes) {
      if (n !== master) {
        const o = el("option", "", n.nodeId);
        o.value = n.nodeId;
        options.push(o);
      }
    }
    select.replaceChildren(...options);
    select.value = options.some((o) => o.value === chosen) ? chosen : "";
  }

  function renderEndpoints(s) {
    const eps = s.endpoints || [];
    if (eps.length === 0) {
      const td = el("td", "muted", "No endpoints configured on this node.");
      td.colSpan = 5;
      replaceRows($("endpoints").tBodies[0], [el("tr", "", td)]);
      return;
    }
    const rows = eps.map((e) => {
      let state;
      if (e.kind === "vip") state = e.active ? badge("held here", "master") : badge("not held here", "");
      else state = e.active ? badge("steering", "ok") : badge("no master", "bad");
      const tr = el("tr", "", cell(e.kind), cell(e.address), cell(state), cell(e.target || "–"),
        numCell(e.clients < 0 ? "–" : e.clients));
      tr.setAttribute("data-kind", e.kind);
      return tr;
    });
    replaceRows($("endpoints").tBodies[0], rows);
  }

  function renderEvents(s) {
    const events = (s.events || []).slice().reverse();
    const rows = events.map((e) => {
      const when = new Date(e.time);
      const time = cell(clock(when));
      time.title = when.toISOString();
      return el("tr", "", time, cell(e.node_id), cell(e.type), numCell(e.epoch), el("td", "cause", e.cause));
    });
    replaceRows($("events").tBodies[0], rows);
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  function renderLagChart(now) {
    // Drawn at the container's own width, so the labels keep their shape.
    const width = Math.max(300, $("lag-chart").clientWidth || 1000);
    const height = 160;
    const left = 70;
    const bottom = 20;
    const names = [];
    for (const p of lagHistory) for (const n of Object.keys(p.lags)) if (!names.includes(n)) names.push(n);
    names.sort();
    let max = 0;
    for (const p of lagHistory) for (const v of Object.values(p.lags)) max = Math.max(max, v);
    const top = max > 0 ? max * 1.1 : 1024;
    const x = (t) => left + ((t - (now - HISTORY_MS)) / HISTORY_MS) * (width - left - 5);
    const y = (v) => 5 + (1 - v / top) * (height - bottom - 5);

    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: width, height: height, role: "img" });
    chart.setAttribute("aria-label", "replication lag, last 5 minutes");
    chart.append(svg("line", { class: "axis", x1: left, y1: y(0), x2: width - 5, y2: y(0) }));
    chart.append(svg("line", { class: "axis", x1: left, y1: y(top), x2: left, y2: y(0) }));
    for (const v of [0, top / 2, top]) {
      const label = svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" });
      label.textContent = bytes(Math.round(v));
      chart.append(label);
    }
    for (const m of [5, 4, 3, 2, 1, 0]) {
      const anchor = m === 5 ? "start" : m === 0 ? "end" : "middle";
      const label = svg("text", { x: x(now - m * 60000), y: height - 4, "text-anchor": anchor });
      label.textContent = m === 0 ? "now" : "-" + m + " min";
      chart.append(label);
    }
    names.forEach((name, i) => {
      // A gap where the node was no replica (down, or master) rather than a line across it.
      let d = "";
      let pen = "M";
      for (const p of lagHistory) {
        if (p.lags[name] === undefined) {
          pen = "M";
          continue;
        }
        d += `${pen}${x(p.t).toFixed(1)},${y(p.lags[name]).toFixed(1)} `;
        pen = "L";
      }
      if (d) chart.append(svg("path", { class: "line c" + (i % 4), d: d.trim() }));
      const last = lagHistory[lagHistory.length - 1];
      if (last && last.lags[name] !== undefined) {
        // The newest value as a dot: visible even before there is a line to draw.
        chart.append(svg("circle", { class: "dot c" + (i % 4), cx: x(last.t), cy: y(last.lags[name]), r: 3 }));
      }
    });
    const legend = el("div", "legend");
    if (names.length === 0) legend.append("No replica seen yet.");
    names.forEach((name, i) => {
      const latest = lagHistory.length ? lagHistory[lagHistory.length - 1].lags[name] : undefined;
      legend.append(el("span", "", el("span", "swatch c" + (i % 4)), name + ": " + (latest === undefined ? "–" : bytes(latest))));
    });
    $("lag-chart").replaceChildren(chart, legend);
  }

  function render(s) {
    const nodes = members(s);
    const master = masterOf(s, nodes);
    const now = Date.now();
    lagHistory.push({ t: now, lags: lags(nodes, master) });
    while (lagHistory.length && lagHistory[0].t < now - HISTORY_MS) lagHistory.shift();
    renderBanners(s);
    renderCards(s, nodes, master);
    renderNodes(nodes, master);
    renderEndpoints(s);
    renderEvents(s);
    renderLagChart(now);
    document.title = "redis-ha " + s.group + " · master " + (master ? master.nodeId : "none");
  }

  // ---- polling ----

  async function fetchWithTimeout(url, options) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, Object.assign({ cache: "no-store", signal: abort.signal }, options));
    } finally {
      clearTimeout(timer);
    }
  }

  function setConnection(ok, text) {
    const c = $("connection");
    c.className = "badge " + (ok ? "ok" : "bad");
    c.textContent = text;
  }

  async function poll() {
    try {
      const bearer = token || readToken;
      const answer = await fetchWithTimeout("/status", bearer ? { headers: { Authorization: "Bearer " + bearer } } : {});
      if (answer.status === 401) {
        // The agent has api.read_token_file set: ask once for a token (read or write), then poll with it.
        readToken = null;
        setConnection(false, "token needed to read the status");
        if (!askingReadToken) {
          askingReadToken = true;
          askToken("read the status").then((typed) => {
            readToken = typed;
            askingReadToken = false;
          });
        }
        return;
      }
      if (!answer.ok) throw new Error("HTTP " + answer.status);
      lastStatus = await answer.json();
      render(lastStatus);
      setConnection(true, "live");
      $("updated").textContent = "updated " + clock(new Date());
    } catch (e) {
      setConnection(false, "agent unreachable");
      $("updated").textContent = lastStatus ? "showing data from " + $("updated").textContent.replace("updated ", "") : "";
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  // ---- operations ----

  /** Asks for the token in a dialog; resolves to it, or to null if the operator cancels. */
  function askToken(operation) {
    return new Promise((resolve) => {
      const dialog = $("token-dialog");
      const input = $("token-input");
      $("token-operation").textContent = operation;
      input.value = "";
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        const typed = input.value;
        input.value = "";
        resolve(dialog.returnValue === "ok" && typed !== "" ? typed : null);
      });
      dialog.returnValue = "";
      dialog.showModal();
      input.focus();
    });
  }

  function showResult(ok, text) {
    const r = $("op-result");
    r.className = ok ? "ok" : "bad";
    r.textContent = text;
  }

  async function operate(label, path) {
    if (busy) return;
    if (token === null) {
      const typed = await askToken(label);
      if (typed === null) return;
      token = typed;
      $("forget-token").hidden = false;
    }
    busy = true;
    for (const b of document.querySelectorAll(".ops button")) b.disabled = true;
    showResult(true, label + ": sent…");
    try {
      // A switchover answers once the handover is over, which may take the configured timeout.
      const answer = await fetch(path, { method: "POST", cache: "no-store", headers: { Authorization: "Bearer " + token } });
      let message = "HTTP " + answer.status;
      try {
        const body = await answer.json();
        message = body.message || body.error || message;
      } catch (ignored) {
        // no JSON body: the status code says it
      }
      if (answer.status === 401) forgetToken();
      // 403: a read-only token was typed for a write; ask for the write token next time.
      if (answer.status === 403) forgetToken();
      showResult(answer.ok, (answer.ok ? "Accepted (" : "Refused (") + label + "): " + message);
    } catch (e) {
      showResult(false, label + " failed: the agent did not answer (" + e.message + ")");
    } finally {
      busy = false;
      for (const b of document.querySelectorAll(".ops button")) b.disabled = false;
    }
  }

  function forgetToken() {
    token = null;
    $("forget-token").hidden = true;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("switchover").addEventListener("click", () => {
      const to = $("switchover-target").value;
      operate(to ? "switchover to " + to : "switchover", "/switchover" + (to ? "?to=" + encodeURIComponent(to) : ""));
    });
    $("pause").addEventListener("click", () => operate("pause", "/pause"));
    $("resume").addEventListener("click", () => operate("resume", "/resume"));
    $("token-cancel").addEventListener("click", () => $("token-dialog").close("cancel"));
    $("forget-token").addEventListener("click", () => {
      forgetToken();
      showResult(true, "Token forgotten.");
    });
    poll();
  });
})();
