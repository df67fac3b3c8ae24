// Bot analytics in the supervisor view, from GET /api/supervisor/analytics (persisted on the server, so a
// reload shows the same figures): rates per hour or day over the chosen range as a chart, handoffs by reason
// and by intent, top intents, SLA attainment per tier, and a CSV export of the same report.
import { $, api, el } from "/static/common.js";
import { REASON_LABELS, TIER_LABELS } from "/static/config.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const RANGES = { today: 1, week: 7, month: 30 };
const SERIES = [
  { key: "containment", label: "自助解决率", colour: "#1b7f3b" },
  { key: "handoff_rate", label: "转人工率", colour: "#1f6fb2" },
  { key: "fallback_rate", label: "未理解率", colour: "#c62828" },
  { key: "abandonment", label: "排队放弃率", colour: "#ef8f00" },
];

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function percent(value) {
  return value === null || value === undefined ? "-" : `${Math.round(value * 1000) / 10}%`;
}

function query() {
  const until = new Date();
  const since = new Date(until);
  since.setDate(since.getDate() - RANGES[$("analytics-range").value]);
  if ($("analytics-range").value === "today") since.setTime(new Date(until.toDateString()).getTime());
  return new URLSearchParams({ since: since.toISOString(), until: until.toISOString(), bucket: $("analytics-bucket").value });
}

function label(start, bucket) {
  const moment = new Date(start);
  return bucket === "hour"
    ? moment.toLocaleString("zh-CN", { month: "numeric", day: "numeric", hour: "2-digit" })
    : moment.toLocaleDateString("zh-CN", { month: "numeric", day: "numeric" });
}

function renderRateChart(report) {
  const width = 720;
  const height = 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 26 };
  const rows = report.rows;
  const x = (i) => pad.left + (rows.length > 1 ? i / (rows.length - 1) : 0.5) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - Math.min(1, v) * (height - pad.top - pad.bottom);
  const chart = svg("svg", { id: "analytics-chart-svg", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none" });
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(fraction), y2: y(fraction), class: "grid" }));
    const tick = svg("text", { x: pad.left - 6, y: y(fraction) + 4, class: "axis", "text-anchor": "end" });
    tick.textContent = `${fraction * 100}%`;
    chart.append(tick);
  }
  rows.forEach((row, i) => {
    const tick = svg("text", { x: x(i), y: height - 6, class: "axis", "text-anchor": "middle" });
    tick.textContent = label(row.start, report.bucket);
    chart.append(tick);
  });
  for (const series of SERIES) {
    const points = rows.map((row, i) => [i, row[series.key]]).filter(([, value]) => value !== null);
    const d = points.map(([i, value], n) => `${n ? "L" : "M"}${x(i).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
    if (points.length > 1) chart.append(svg("path", { d, stroke: series.colour, class: "series", "data-series": series.key }));
    for (const [i, value] of points) chart.append(svg("circle", { cx: x(i), cy: y(value), r: 3, fill: series.colour }));
  }
  $("analytics-chart").replaceChildren(chart);
  $("analytics-chart").dataset.rows = String(rows.length);
  $("analytics-legend").replaceChildren(...SERIES.map((series) => {
    const swatch = el("span", { className: "swatch" });
    swatch.style.background = series.colour;
    return el("span", { className: "legend-item" }, [swatch, el("span", { text: series.label })]);
  }));
}

function renderBars(listId, entries, labels = {}, format = String) {
  const max = Math.max(1e-9, ...entries.map(([, value]) => value ?? 0));
  $(listId).replaceChildren(...entries.map(([key, value]) => {
    const bar = el("span", { className: "bar" });
    bar.style.width = `${Math.round(((value ?? 0) / max) * 100)}%`;
    return el("li", { attrs: { "data-key": key } }, [
      el("span", { className: "bar-label", text: labels[key] ?? key }),
      el("span", { className: "bar-track" }, [bar]),
      el("span", { className: "bar-value", text: format(value) }),
    ]);
  }));
}

function renderTotals(totals) {
  $("analytics-conversations").textContent = String(totals.conversations);
  $("analytics-containment").textContent = percent(totals.containment);
  $("analytics-fallback").textContent = percent(totals.fallback_rate);
  $("analytics-abandonment").textContent = percent(totals.abandonment);
  $("analytics-csat").textContent = totals.csat_average === null ? "-" : totals.csat_average.toFixed(2);
}

export async function refreshAnalytics(token) {
  try {
    const report = await api("GET", `/api/supervisor/analytics?${query()}`, { token });
    renderTotals(report.totals);
    renderRateChart(report);
    const byCount = (counts) => Object.entries(counts).sort((a, b) => b[1] - a[1]);
    renderBars("analytics-reasons", byCount(report.handoffs_by_reason), REASON_LABELS);
    renderBars("analytics-intents", byCount(report.handoffs_by_intent));
    renderBars("analytics-top-intents", report.top_intents.map((item) => [item.intent, item.count]));
    renderBars("analytics-sla", Object.entries(report.totals.sla_attainment), TIER_LABELS, percent);
    renderBars("analytics-csat-trend", report.rows.map((row) => [label(row.start, report.bucket), row.csat_average]),
      {}, (value) => (value === null ? "-" : value.toFixed(2)));
    $("analytics-error").textContent = "";
  } catch (error) {
    $("analytics-error").textContent = `统计加载失败：${error.message}`;
  }
}

export async function downloadCsv(token) {
  const response = await fetch(`/api/supervisor/analytics.csv?${query()}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) { $("analytics-error").textContent = "导出失败"; return; }
  const link = el("a", { attrs: { href: URL.createObjectURL(await response.blob()), download: "bot-analytics.csv" } });
  link.click();
  URL.revokeObjectURL(link.href);
}
