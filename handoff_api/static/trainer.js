// The trainer's inbox: misunderstood customer messages, grouped, from GET /api/trainer/inbox; each group is
// labelled with an intent (existing or new), marked out of scope, or discarded; several at once in bulk.
import { $, api, el, renderMessage, StaffSession } from "/static/common.js";
import { INBOX_REASON_LABELS } from "/static/config.js";

const OUT_OF_SCOPE = "out_of_scope";
// Groups per page: the API's default page (docs/contract.md).
const PAGE_GROUPS = 50;

const selected = new Set();
let offset = 0; // groups skipped: the page being shown
const session = new StaffSession({
  storageKey: "cs-trainer-token",
  signedIn: ["inbox-view", "logout-button"],
  label: "trainer-label",
  refuse: (agent) => (agent.role === "trainer" || agent.role === "supervisor" ? null : "该账号没有训练师权限"),
  onSignIn: refresh,
});

for (const [reason, label] of Object.entries(INBOX_REASON_LABELS)) {
  $("filter-reason").append(el("option", { text: label, attrs: { value: reason } }));
}

function percent(confidence) {
  return confidence === null || confidence === undefined ? "-" : `${Math.round(confidence * 100)}%`;
}

function query() {
  const params = new URLSearchParams();
  if ($("filter-reason").value) params.set("reason", $("filter-reason").value);
  if ($("filter-intent").value.trim()) params.set("intent", $("filter-intent").value.trim());
  // Dates are the trainer's local days.
  if ($("filter-since").value) params.set("since", new Date(`${$("filter-since").value}T00:00`).toISOString());
  if ($("filter-until").value) {
    const until = new Date(`${$("filter-until").value}T00:00`);
    until.setDate(until.getDate() + 1);
    params.set("until", until.toISOString());
  }
  params.set("limit", String(PAGE_GROUPS));
  params.set("offset", String(offset));
  return params.toString();
}

function renderPager(groups, shown) {
  $("inbox-pager").classList.toggle("hidden", groups <= PAGE_GROUPS && offset === 0);
  $("page-range").textContent = `第 ${offset + 1}–${offset + shown} 组，共 ${groups} 组`;
  $("page-prev").disabled = offset === 0;
  $("page-next").disabled = offset + PAGE_GROUPS >= groups;
}

function reading(item) {
  const parts = [`预测：${item.predicted_intent ?? "无"}（${percent(item.confidence)}）`];
  if (item.runner_up) parts.push(`次选：${item.runner_up}（${percent(item.runner_up_confidence)}）`);
  if (item.entities.length) parts.push(`实体：${item.entities.map((e) => `${e.entity}=${e.value}`).join("，")}`);
  if (item.suggested_intent) parts.push(`坐席建议：${item.suggested_intent}`);
  return parts.join("　");
}

function renderItem(item) {
  const attrs = { "data-id": String(item.id), "data-count": String(item.count), "data-reason": item.reason };
  const intentInput = el("input", {
    className: "label-intent", attrs: { list: "intent-names", placeholder: "意图名称", value: item.suggested_intent ?? "" },
  });
  const check = el("input", { className: "select-item", attrs: { type: "checkbox", "aria-label": "选择此组" } });
  check.addEventListener("change", () => {
    if (check.checked) selected.add(item.id); else selected.delete(item.id);
    renderSelection();
  });
  const labelButton = el("button", { className: "small label-button", text: "标注", attrs: { type: "button" } });
  labelButton.addEventListener("click", () => label([item.id], { intent: intentInput.value.trim() }));
  const scopeButton = el("button", { className: "small secondary scope-button", text: "不在服务范围", attrs: { type: "button" } });
  scopeButton.addEventListener("click", () => label([item.id], { intent: OUT_OF_SCOPE }));
  const discardButton = el("button", { className: "small secondary discard-button", text: "丢弃", attrs: { type: "button" } });
  discardButton.addEventListener("click", () => label([item.id], { discard: true }));
  const transcriptButton = el("button", { className: "link transcript-button", text: "查看对话", attrs: { type: "button" } });
  transcriptButton.addEventListener("click", () => showTranscript(item.conversation_id));
  return el("li", { className: "card inbox-item", attrs }, [
    el("div", { className: "inbox-head" }, [
      check,
      el("span", { className: "inbox-text", text: item.text }),
      el("span", { className: "count", text: `×${item.count}` }),
      el("span", { className: "pill", text: INBOX_REASON_LABELS[item.reason] ?? item.reason }),
    ]),
    el("div", { className: "inbox-reading status-line", text: reading(item) }),
    el("div", { className: "inbox-context status-line" }, [
      el("div", { className: "context-before", text: `上一句：${item.context_before ?? "（无）"}` }),
      el("div", { className: "context-after", text: `机器人回复：${item.context_after ?? "（无）"}` }),
    ]),
    el("div", { className: "inbox-actions" }, [intentInput, labelButton, scopeButton, discardButton, transcriptButton]),
  ]);
}

function renderSelection() {
  $("selected-count").textContent = String(selected.size);
  $("bulk-label-button").disabled = selected.size === 0;
}

function offerIntents(items) {
  const names = new Set([OUT_OF_SCOPE]);
  for (const item of items) for (const name of [item.predicted_intent, item.runner_up, item.suggested_intent]) {
    if (name) names.add(name);
  }
  $("intent-names").replaceChildren(...[...names].sort().map((name) => el("option", { attrs: { value: name } })));
}

const fetchPage = () => api("GET", `/api/trainer/inbox?${query()}`, { token: session.token });

async function refresh() {
  try {
    let page = await fetchPage();
    if (page.items.length === 0 && offset > 0) {
      // Everything on the last page was labelled: show the page that is now last.
      offset = Math.max(0, Math.ceil(page.groups / PAGE_GROUPS) - 1) * PAGE_GROUPS;
      page = await fetchPage();
    }
    selected.clear();
    renderSelection();
    $("waiting-count").textContent = String(page.waiting);
    $("labelled-count").textContent = String(page.labelled_this_week);
    $("inbox-list").replaceChildren(...page.items.map(renderItem));
    $("inbox-empty").classList.toggle("hidden", page.items.length > 0);
    offerIntents(page.items);
    renderPager(page.groups, page.items.length);
    $("inbox-error").textContent = "";
  } catch (error) {
    if (error.status === 401 || error.status === 403) { session.end(); return; }
    $("inbox-error").textContent = `加载失败：${error.message}`;
  }
}

async function label(ids, { intent, discard }) {
  $("inbox-notice").textContent = "";
  if (!discard && !intent) { $("inbox-error").textContent = "请填写意图名称"; return; }
  if (!discard && !/^[a-z][a-z0-9_]{1,63}$/.test(intent)) {
    $("inbox-error").textContent = "意图名称只能包含小写字母、数字和下划线，并以字母开头";
    return;
  }
  try {
    const body = discard ? { discard: true } : { intent };
    const result = ids.length === 1
      ? await api("POST", `/api/trainer/inbox/${ids[0]}/label`, { token: session.token, body })
      : await api("POST", "/api/trainer/inbox/bulk-label", { token: session.token, body: { ...body, ids } });
    $("inbox-notice").textContent = discard ? `已丢弃 ${result.labelled} 条` : `已标注 ${result.labelled} 条为 ${intent}`;
  } catch (error) {
    $("inbox-error").textContent = `操作失败：${error.message}`;
  }
  await refresh();
}

async function showTranscript(conversationId) {
  try {
    const { messages } = await api("GET", `/api/trainer/conversations/${encodeURIComponent(conversationId)}`, { token: session.token });
    $("transcript-id").textContent = conversationId;
    $("transcript").replaceChildren(...messages.map((message) => renderMessage(message)));
    $("transcript-card").classList.remove("hidden");
  } catch (error) {
    $("inbox-error").textContent = `对话记录加载失败：${error.message}`;
  }
}

$("filters").addEventListener("submit", (event) => { event.preventDefault(); offset = 0; refresh(); });
$("page-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_GROUPS); refresh(); });
$("page-next").addEventListener("click", () => { offset += PAGE_GROUPS; refresh(); });
$("bulk-label-button").addEventListener("click", () => label([...selected], { intent: $("bulk-intent").value.trim() }));
$("transcript-close").addEventListener("click", () => $("transcript-card").classList.add("hidden"));

session.resume();
