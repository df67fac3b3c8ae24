// Supervisor view: queues against wait targets, seats and load, outcomes, CSAT, handoff reasons, and a
// chart of waiting times over the last hour. Reads GET /api/supervisor/overview when the API has it;
// otherwise derives what it can from the supervisor's view of every queue (GET /api/agent/queue).
import { $, api, el, formatSeconds, formatTime, hasRoute, TIER_LABELS } from "/static/common.js";
import { GROUP_LABELS, PRESENCE_LABELS, REASON_LABELS, TIER_TARGET_SECONDS } from "/static/config.js";

const TOKEN_KEY = "cs-supervisor-token";
const HISTORY_KEY = "cs-supervisor-waits";
const POLL_MS = 5000;
const HOUR_S = 3600;
const SVG_NS = "http://www.w3.org/2000/svg";
const SERIES_COLOURS = { general: "#1f6fb2", risk: "#c62828", complaints: "#ef8f00", vip: "#6a3fb5" };
const OUTCOME_LABELS = {
  assigned: "已接入", resolved: "已解决", no_agent: "无坐席", wait_timeout: "等待超时", cancelled: "客户取消",
};

let token = sessionStorage.getItem(TOKEN_KEY);
let pollTimer = null;
let hasOverview = false;

// --- reading whatever shape the overview has --------------------------------------------------------

const first = (object, names, fallback = null) => {
  for (const name of names) if (object?.[name] !== undefined && object[name] !== null) return object[name];
  return fallback;
};

// {key: value} or [{key, count}] → [[key, value]]
function pairs(data, keyNames, valueNames) {
  if (!data) return [];
  if (Array.isArray(data)) return data.map((row) => [first(row, keyNames), Number(first(row, valueNames, 0))]);
  return Object.entries(data).map(([key, value]) => [key, typeof value === "object" ? Number(first(value, valueNames, 0)) : Number(value)]);
}

// {group: {outcome: count}} → [[outcome, total over groups]]; flat {outcome: count} passes through.
function outcomeTotals(data) {
  if (!data || Array.isArray(data)) return pairs(data, ["outcome", "name"], ["count", "value"]);
  const totals = {};
  for (const [key, value] of Object.entries(data)) {
    if (value && typeof value === "object") {
      for (const [outcome, count] of Object.entries(value)) totals[outcome] = (totals[outcome] ?? 0) + Number(count);
    } else {
      totals[key] = (totals[key] ?? 0) + Number(value);
    }
  }
  return Object.entries(totals);
}

function normaliseGroups(overview) {
  const raw = first(overview, ["groups", "queues"], []);
  const rows = Array.isArray(raw) ? raw : Object.entries(raw).map(([group, row]) => ({ group, ...row }));
  return rows.map((row) => ({
    group: first(row, ["group", "name", "id"]),
    label: first(row, ["label", "group_label"]),
    queued: Number(first(row, ["queue_length", "queued", "length", "waiting"], 0)),
    oldestWait: first(row, ["oldest_wait_seconds", "oldest_wait", "max_wait_seconds"]),
    target: first(row, ["target_wait_seconds", "oldest_target_seconds", "target_seconds", "target"]),
    online: first(row, ["agents_online", "online_agents", "online"]),
  }));
}

function normaliseAgents(overview) {
  const raw = first(overview, ["agents", "seats"], null);
  if (raw === null) return null;
  const rows = Array.isArray(raw) ? raw : Object.entries(raw).map(([username, row]) => ({ username, ...row }));
  return rows.map((row) => {
    const load = first(row, ["load", "active", "active_conversations", "conversations"], 0);
    return {
      name: first(row, ["name", "username"]),
      username: first(row, ["username", "name"]),
      groups: first(row, ["groups"], []),
      presence: first(row, ["presence", "status", "state"], "offline"),
      load: Array.isArray(load) ? load.length : Number(load),
      capacity: first(row, ["capacity"]),
    };
  });
}

function normaliseHistory(overview) {
  const raw = first(overview, ["wait_history", "wait_times", "waits", "history"], null);
  if (!Array.isArray(raw)) return null;
  return raw.map((point) => ({
    t: Number(first(point, ["ts", "t", "at", "time"], 0)),
    group: first(point, ["group"], "all"),
    wait: Number(first(point, ["wait_seconds", "oldest_wait_seconds", "wait", "seconds", "value"], 0)),
  })).filter((point) => point.t > 0);
}

// --- fallback from the supervisor's queue view ----------------------------------------------------------

function overviewFromQueue(lines) {
  const now = Date.now() / 1000;
  const groups = Object.keys(GROUP_LABELS).map((group) => {
    const mine = lines.filter((line) => line.group === group);
    const oldest = mine.reduce((best, line) => ((line.waited_seconds ?? 0) > (best?.waited_seconds ?? -1) ? line : best), null);
    return {
      group, label: GROUP_LABELS[group], queued: mine.length,
      oldestWait: oldest ? oldest.waited_seconds : 0,
      target: oldest ? TIER_TARGET_SECONDS[oldest.tier] : null,
      online: null,
    };
  });
  const reasons = {};
  for (const line of lines) if (line.reason) reasons[line.reason] = (reasons[line.reason] ?? 0) + 1;
  return { groups, agents: null, outcomes: null, csat: null, reasons, reasonsNote: "（当前排队中的会话）", sampledAt: now };
}

// --- wait history (server's, or sampled here and kept for the hour) ----------------------------------------

function loadLocalHistory() {
  try {
    return JSON.parse(sessionStorage.getItem(HISTORY_KEY) ?? "[]");
  } catch {
    return [];
  }
}

function sampleHistory(groups) {
  const now = Date.now() / 1000;
  const history = loadLocalHistory().filter((point) => point.t > now - HOUR_S);
  for (const row of groups) history.push({ t: now, group: row.group, wait: Number(row.oldestWait ?? 0) });
  sessionStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  return history;
}

// --- rendering ------------------------------------------------------------------------------------------------

function renderGroups(groups) {
  $("group-rows").replaceChildren(...groups.map((row) => {
    const over = row.target !== null && row.target !== undefined && Number(row.oldestWait ?? 0) > Number(row.target);
    const state = row.queued === 0 ? ["idle", "空闲"] : over ? ["over", "超时"] : ["ok", "正常"];
    return el("tr", { attrs: { id: `group-row-${row.group}`, "data-group": row.group, "data-queued": String(row.queued) } }, [
      el("td", { text: row.label ?? GROUP_LABELS[row.group] ?? row.group }),
      el("td", { className: "num queue-length", text: String(row.queued) }),
      el("td", { className: "num", text: row.queued ? formatSeconds(row.oldestWait) : "-" }),
      el("td", { className: "num", text: row.target ? formatSeconds(row.target) : "-" }),
      el("td", {}, [el("span", { className: `pill pill-${state[0]}`, text: state[1] })]),
      el("td", { className: "num", text: row.online === null || row.online === undefined ? "-" : String(row.online) }),
    ]);
  }));
}

function renderQueue(lines) {
  $("queue-count").textContent = String(lines.length);
  $("queue-empty").classList.toggle("hidden", lines.length > 0);
  $("queue-rows").replaceChildren(...lines.map((line) => {
    const target = TIER_TARGET_SECONDS[line.tier];
    const over = target !== undefined && (line.waited_seconds ?? 0) > target;
    return el("tr", { className: over ? "over" : "", attrs: { "data-conversation-id": line.conversation_id } }, [
      el("td", { text: line.customer_name ?? line.customer_id }),
      el("td", {}, [el("span", { className: `tier tier-${line.tier}`, text: TIER_LABELS[line.tier] ?? line.tier })]),
      el("td", { text: GROUP_LABELS[line.group] ?? line.group ?? "-" }),
      el("td", { className: "num", text: formatSeconds(line.waited_seconds) }),
      el("td", { className: "num", text: target ? formatSeconds(target) : "-" }),
      el("td", { text: REASON_LABELS[line.reason] ?? line.reason ?? "-" }),
    ]);
  }));
}

function renderAgents(agents) {
  $("agents-unavailable").classList.toggle("hidden", agents !== null);
  $("agent-rows").replaceChildren(...(agents ?? []).map((agent) => el("tr", { attrs: { "data-agent": agent.username } }, [
    el("td", { text: agent.name }),
    el("td", { text: (agent.groups ?? []).map((group) => GROUP_LABELS[group] ?? group).join("、") || "-" }),
    el("td", {}, [el("span", { className: `pill presence-${agent.presence}`, text: PRESENCE_LABELS[agent.presence] ?? agent.presence })]),
    el("td", { className: "num", text: agent.capacity ? `${agent.load} / ${agent.capacity}` : String(agent.load) }),
  ])));
}

function renderBars(listId, entries, labels) {
  const max = Math.max(1, ...entries.map(([, value]) => value));
  $(listId).replaceChildren(...entries.sort((a, b) => b[1] - a[1]).map(([key, value]) => {
    const bar = el("span", { className: "bar" });
    bar.style.width = `${Math.round((value / max) * 100)}%`;
    return el("li", { attrs: { "data-key": key } }, [
      el("span", { className: "bar-label", text: labels[key] ?? key }),
      el("span", { className: "bar-track" }, [bar]),
      el("span", { className: "bar-value", text: String(value) }),
    ]);
  }));
}

function renderCsat(csat) {
  const average = first(csat, ["average", "avg", "mean", "score"]);
  const count = first(csat, ["count", "responses", "n"], 0);
  $("csat-average").textContent = average === null ? "-" : Number(average).toFixed(2);
  $("csat-count").textContent = count ? `共 ${count} 条评价` : "暂无评价";
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function renderChart(history) {
  const width = 720;
  const height = 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 26 };
  const now = Date.now() / 1000;
  const start = now - HOUR_S;
  const points = history.filter((point) => point.t >= start);
  const maxTarget = Math.max(...Object.values(TIER_TARGET_SECONDS));
  const top = Math.max(30, ...points.map((point) => point.wait)) * 1.1;
  const x = (t) => pad.left + ((t - start) / HOUR_S) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v / top) * (height - pad.top - pad.bottom);

  const chart = svg("svg", { id: "wait-chart-svg", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none" });
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    const value = top * fraction;
    chart.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), class: "grid" }));
    const label = svg("text", { x: pad.left - 6, y: y(value) + 4, class: "axis", "text-anchor": "end" });
    label.textContent = String(Math.round(value));
    chart.append(label);
  }
  for (let minutes = 60; minutes >= 0; minutes -= 15) {
    const t = now - minutes * 60;
    const label = svg("text", { x: x(t), y: height - 6, class: "axis", "text-anchor": "middle" });
    label.textContent = minutes === 0 ? "现在" : formatTime(t);
    chart.append(label);
  }
  if (maxTarget < top) {
    const targetLine = svg("line", { x1: pad.left, x2: width - pad.right, y1: y(maxTarget), y2: y(maxTarget), class: "target" });
    chart.append(targetLine);
  }
  const groups = [...new Set(points.map((point) => point.group))];
  for (const group of groups) {
    const series = points.filter((point) => point.group === group).sort((a, b) => a.t - b.t);
    const colour = SERIES_COLOURS[group] ?? "#555";
    const path = series.map((point, index) => `${index ? "L" : "M"}${x(point.t).toFixed(1)},${y(point.wait).toFixed(1)}`).join(" ");
    if (series.length > 1) chart.append(svg("path", { d: path, stroke: colour, class: "series", "data-group": group }));
    const last = series[series.length - 1];
    chart.append(svg("circle", { cx: x(last.t), cy: y(last.wait), r: 3, fill: colour }));
  }
  $("wait-chart").replaceChildren(chart);
  $("wait-chart").dataset.points = String(points.length);
  $("wait-chart-legend").replaceChildren(...groups.map((group) => {
    const swatch = el("span", { className: "swatch" });
    swatch.style.background = SERIES_COLOURS[group] ?? "#555";
    return el("span", { className: "legend-item" }, [swatch, el("span", { text: GROUP_LABELS[group] ?? group })]);
  }), el("span", { className: "legend-item" }, [el("span", { className: "swatch target" }), el("span", { text: `最长目标时限 ${maxTarget} 秒` })]));
}

// --- polling ---------------------------------------------------------------------------------------------------

async function refresh() {
  clearTimeout(pollTimer);
  try {
    const queue = await api("GET", "/api/agent/queue", { token });
    let view = overviewFromQueue(queue);
    let serverHistory = null;
    if (hasOverview) {
      const overview = await api("GET", "/api/supervisor/overview", { token });
      const groups = normaliseGroups(overview);
      const agents = normaliseAgents(overview);
      for (const row of groups) {
        row.online ??= agents?.filter((agent) => agent.presence === "online" && agent.groups.includes(row.group)).length ?? null;
      }
      view = {
        groups: groups.length ? groups : view.groups,
        agents,
        outcomes: outcomeTotals(first(overview, ["outcomes", "outcome_counts"])),
        csat: first(overview, ["csat"], null),
        reasons: first(overview, ["handoff_reasons", "reasons", "reason_counts"], view.reasons),
        reasonsNote: "",
      };
      serverHistory = normaliseHistory(overview);
    }
    renderGroups(view.groups);
    renderQueue(queue);
    renderAgents(view.agents);
    const outcomes = view.outcomes ?? [];
    $("outcomes-unavailable").classList.toggle("hidden", outcomes.length > 0);
    renderBars("outcome-list", outcomes, OUTCOME_LABELS);
    renderCsat(view.csat);
    renderBars("reason-list", pairs(view.reasons, ["reason", "name"], ["count", "value"]), REASON_LABELS);
    $("reasons-note").textContent = view.reasonsNote ?? "";
    const localHistory = sampleHistory(view.groups);
    renderChart(serverHistory?.length ? serverHistory : localHistory);
    $("updated-at").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN")}`;
    $("dashboard-error").textContent = "";
  } catch (error) {
    if (error.status === 401 || error.status === 403) { logout(); return; }
    $("dashboard-error").textContent = `数据刷新失败：${error.message}`;
  }
  if (token) pollTimer = setTimeout(refresh, POLL_MS);
}

function showDashboard(agent) {
  if (agent.role !== "supervisor" && agent.role !== "admin") {
    logout();
    $("login-error").textContent = "该账号不是主管账号";
    return;
  }
  $("login-view").classList.add("hidden");
  $("dashboard").classList.remove("hidden");
  $("logout-button").classList.remove("hidden");
  $("supervisor-label").textContent = agent.name;
  refresh();
}

function logout() {
  clearTimeout(pollTimer);
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $("dashboard").classList.add("hidden");
  $("logout-button").classList.add("hidden");
  $("login-view").classList.remove("hidden");
  $("supervisor-label").textContent = "";
}

$("login-view").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const result = await api("POST", "/api/auth/login", {
      body: { username: $("login-username").value.trim(), password: $("login-password").value },
    });
    token = result.token;
    sessionStorage.setItem(TOKEN_KEY, token);
    showDashboard(result.agent);
  } catch (error) {
    $("login-error").textContent = error.status === 401 ? "用户名或密码错误" : `登录失败：${error.message}`;
  }
});
$("logout-button").addEventListener("click", logout);

hasOverview = await hasRoute("GET", "/api/supervisor/overview");
if (token) api("GET", "/api/agent/me", { token }).then(showDashboard, logout);
