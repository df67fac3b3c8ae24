// Supervisor view: queues against wait targets, seats and load, outcomes, CSAT and handoff reasons from
// GET /api/supervisor/overview, the waiting customers from GET /api/agent/queue (a supervisor sees every
// group's), and a chart of each group's longest wait over the last hour, sampled by this page at each refresh.
import { downloadCsv, refreshAnalytics } from "/static/analytics.js";
import { $, api, el, formatSeconds, formatTime, StaffSession } from "/static/common.js";
import { GROUP_LABELS, OUTCOME_LABELS, PRESENCE_LABELS, REASON_LABELS, TIER_LABELS } from "/static/config.js";

const HISTORY_KEY = "cs-supervisor-waits";
const POLL_MS = 5000;
const HOUR_S = 3600;
const SVG_NS = "http://www.w3.org/2000/svg";
const SERIES_COLOURS = { general: "#1f6fb2", risk: "#c62828", complaints: "#ef8f00", vip: "#6a3fb5" };

let pollTimer = null;
const session = new StaffSession({
  storageKey: "cs-supervisor-token",
  signedIn: ["dashboard", "logout-button"],
  label: "supervisor-label",
  refuse: (agent) => (agent.role === "supervisor" ? null : "该账号不是主管账号"),
  onSignIn: () => {
    refresh();
    refreshAnalytics(session.token);
  },
  onSignOut: () => clearTimeout(pollTimer),
});

// {group: {outcome: count}} → [[outcome, count over every group]]
function outcomeTotals(outcomes) {
  const totals = {};
  for (const counts of Object.values(outcomes)) {
    for (const [outcome, count] of Object.entries(counts)) totals[outcome] = (totals[outcome] ?? 0) + count;
  }
  return Object.entries(totals);
}

function onlineIn(agents, group) {
  return agents.filter((agent) => agent.presence === "online" && agent.groups.includes(group)).length;
}

// --- wait history (sampled here and kept for the hour) ------------------------------------------------------

function loadHistory() {
  try {
    return JSON.parse(sessionStorage.getItem(HISTORY_KEY) ?? "[]");
  } catch {
    return [];
  }
}

function sampleHistory(groups) {
  const now = Date.now() / 1000;
  const history = loadHistory().filter((point) => point.t > now - HOUR_S);
  for (const row of groups) history.push({ t: now, group: row.group, wait: row.oldest_wait_seconds ?? 0 });
  sessionStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  return history;
}

// --- rendering ------------------------------------------------------------------------------------------------

function renderGroups(groups, agents) {
  $("group-rows").replaceChildren(...groups.map((row) => {
    const state = row.queue_length === 0 ? ["idle", "空闲"]
      : row.past_target > 0 ? ["over", `超时 ${row.past_target}`] : ["ok", "正常"];
    const attrs = { id: `group-row-${row.group}`, "data-group": row.group, "data-queued": String(row.queue_length) };
    return el("tr", { attrs }, [
      el("td", { text: row.label }),
      el("td", { className: "num queue-length", text: String(row.queue_length) }),
      el("td", { className: "num", text: formatSeconds(row.oldest_wait_seconds) }),
      el("td", { className: "num", text: formatSeconds(row.oldest_target_seconds) }),
      el("td", {}, [el("span", { className: `pill pill-${state[0]}`, text: state[1] })]),
      el("td", { className: "num", text: String(onlineIn(agents, row.group)) }),
    ]);
  }));
}

function renderQueue(lines) {
  const now = Date.now() / 1000;
  $("queue-count").textContent = String(lines.length);
  $("queue-empty").classList.toggle("hidden", lines.length > 0);
  $("queue-rows").replaceChildren(...lines.map((line) => {
    // Time left until the tier's target wait runs out (the line's deadline), or how far past it.
    const left = line.deadline - now;
    const attrs = { "data-conversation-id": line.conversation_id };
    return el("tr", { className: left < 0 ? "over" : "", attrs }, [
      el("td", { text: line.customer_name ?? line.customer_id }),
      el("td", {}, [el("span", { className: `tier tier-${line.tier}`, text: TIER_LABELS[line.tier] })]),
      el("td", { text: GROUP_LABELS[line.group] }),
      el("td", { className: "num", text: formatSeconds(line.waited_seconds) }),
      el("td", { className: "num", text: left < 0 ? `超 ${formatSeconds(-left)}` : formatSeconds(left) }),
      el("td", { text: line.reason ? REASON_LABELS[line.reason] ?? line.reason : "-" }),
    ]);
  }));
}

function renderAgents(agents) {
  $("agent-rows").replaceChildren(...agents.map((agent) => el("tr", { attrs: { "data-agent": agent.username } }, [
    el("td", { text: agent.name }),
    el("td", { text: agent.groups.map((group) => GROUP_LABELS[group]).join("、") }),
    el("td", {}, [el("span", { className: `pill presence-${agent.presence}`, text: PRESENCE_LABELS[agent.presence] })]),
    el("td", { className: "num", text: `${agent.load} / ${agent.capacity}` }),
  ])));
}

// Keys the pages have no label for (a reason the action server named) are shown as sent.
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
  $("csat-average").textContent = csat.average === null ? "-" : csat.average.toFixed(2);
  $("csat-count").textContent = csat.count ? `共 ${csat.count} 条评价` : "暂无评价";
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

// labels: each group's label; targetSeconds: the longest wait target among the groups' heads now, drawn as
// a line (null when no group has anyone waiting).
function renderChart(history, labels, targetSeconds) {
  const width = 720;
  const height = 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 26 };
  const now = Date.now() / 1000;
  const start = now - HOUR_S;
  const points = history.filter((point) => point.t >= start && point.group in labels);
  const top = Math.max(30, targetSeconds ?? 0, ...points.map((point) => point.wait)) * 1.1;
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
  if (targetSeconds !== null) {
    chart.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(targetSeconds), y2: y(targetSeconds), class: "target" }));
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
    return el("span", { className: "legend-item" }, [swatch, el("span", { text: labels[group] })]);
  }));
  if (targetSeconds !== null) {
    $("wait-chart-legend").append(el("span", { className: "legend-item" }, [
      el("span", { className: "swatch target" }), el("span", { text: `最长目标时限 ${targetSeconds} 秒` }),
    ]));
  }
}

// --- polling ---------------------------------------------------------------------------------------------------

async function refresh() {
  clearTimeout(pollTimer);
  try {
    const [overview, queue] = await Promise.all([
      api("GET", "/api/supervisor/overview", { token: session.token }),
      api("GET", "/api/agent/queue", { token: session.token }),
    ]);
    renderGroups(overview.groups, overview.agents);
    renderQueue(queue);
    renderAgents(overview.agents);
    const outcomes = outcomeTotals(overview.outcomes);
    $("outcomes-unavailable").classList.toggle("hidden", outcomes.length > 0);
    renderBars("outcome-list", outcomes, OUTCOME_LABELS);
    renderCsat(overview.csat);
    renderBars("reason-list", Object.entries(overview.handoff_reasons), REASON_LABELS);
    const labels = Object.fromEntries(overview.groups.map((row) => [row.group, row.label]));
    const targets = overview.groups.map((row) => row.oldest_target_seconds).filter((target) => target !== null);
    renderChart(sampleHistory(overview.groups), labels, targets.length ? Math.max(...targets) : null);
    $("updated-at").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN")}`;
    $("dashboard-error").textContent = "";
  } catch (error) {
    if (error.status === 401 || error.status === 403) { session.end(); return; }
    $("dashboard-error").textContent = `数据刷新失败：${error.message}`;
  }
  if (session.token) pollTimer = setTimeout(refresh, POLL_MS);
}

$("analytics-range").addEventListener("change", () => refreshAnalytics(session.token));
$("analytics-bucket").addEventListener("change", () => refreshAnalytics(session.token));
$("analytics-csv").addEventListener("click", () => downloadCsv(session.token));

session.resume();
