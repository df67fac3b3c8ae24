// Agent console: log in, set presence, watch the queue and own conversations, serve one conversation.
import { Assist } from "/static/assist.js";
import { $, api, chime, ConversationSocket, el, formatSeconds, renderMessage, StaffSession } from "/static/common.js";
import {
  CANNED_REPLIES, GROUP_LABELS, PRESENCE_LABELS, REASON_LABELS, TICKET_CATEGORY_LABELS, TICKET_STATUS_LABELS,
  TIER_LABELS, WRAP_UP_CODES,
} from "/static/config.js";

const SOUND_KEY = "cs-agent-sound";
const POLL_MS = 2000;

let me = null;
let openId = null;
let openCustomerId = null;
let socket = null;
let pollTimer = null;
let knownMine = null;  // ids of my conversations at the last poll; null until the first poll
let claimedHere = new Set();  // claimed from this console, so no alert for them
let alertedId = null;
const session = new StaffSession({
  storageKey: "cs-agent-token",
  signedIn: ["console-view", "logout-button", "sound-toggle-label", "presence-switch"],
  label: "agent-label",
  describe: (agent) => `${agent.name}（${agent.groups.map((group) => GROUP_LABELS[group]).join("、") || "主管"}）`,
  onSignIn: showConsole,
  onSignOut: leaveConsole,
});
const assist = new Assist(() => session.token);

function showError(error) {
  if (error.status === 401) { session.end(); return; }
  $("console-error").textContent = error.message;
}

// --- queue and my conversations -------------------------------------------------------------------

// The action server names the reason; one the pages have no label for is shown as sent.
function reasonLabel(reason) {
  return reason ? REASON_LABELS[reason] ?? reason : "-";
}

function summaryLine(line, actions) {
  const waited = line.waited_seconds === null || line.waited_seconds === undefined
    ? "" : ` · 已等待 ${formatSeconds(line.waited_seconds)}`;
  const reason = reasonLabel(line.reason);
  return el("li", { attrs: { "data-conversation-id": line.conversation_id } }, [
    el("div", { className: "line-main" }, [
      el("span", { className: "customer-name", text: line.customer_name ?? line.customer_id }),
      el("span", { className: `tier tier-${line.tier}`, text: TIER_LABELS[line.tier] }),
      el("div", { className: "status-line", text: `${line.intent ?? "-"} · ${reason}${waited}` }),
    ]),
    ...actions,
  ]);
}

function renderQueue(lines) {
  $("queue-count").textContent = String(lines.length);
  $("queue-empty").classList.toggle("hidden", lines.length > 0);
  const canClaim = me.groups.length > 0;
  $("queue-list").replaceChildren(...lines.map((line) => {
    const actions = [];
    if (canClaim) {
      const claim = el("button", { className: "claim-button small", text: "接入", attrs: { type: "button" } });
      claim.addEventListener("click", () => claimConversation(line.conversation_id));
      actions.push(claim);
    }
    return summaryLine(line, actions);
  }));
}

function renderMine(lines) {
  $("mine-count").textContent = String(lines.length);
  $("mine-empty").classList.toggle("hidden", lines.length > 0);
  $("my-conversations").replaceChildren(...lines.map((line) => {
    const open = el("button", { className: "open-button secondary small", text: "查看", attrs: { type: "button" } });
    open.addEventListener("click", () => openConversation(line.conversation_id));
    const item = summaryLine(line, [open]);
    item.classList.toggle("active", line.conversation_id === openId);
    return item;
  }));
}

function alertAssignment(line) {
  alertedId = line.conversation_id;
  $("assignment-alert-text").textContent =
    `新会话已分配给您：${line.customer_name ?? line.customer_id}（${TIER_LABELS[line.tier]}）`;
  $("assignment-alert").classList.remove("hidden");
  document.title = "【新会话】坐席工作台";
  if ($("sound-toggle").checked) chime();
}

function dismissAlert() {
  $("assignment-alert").classList.add("hidden");
  document.title = "坐席工作台";
}

function noticeNewAssignments(lines) {
  const ids = new Set(lines.map((line) => line.conversation_id));
  if (knownMine !== null) {
    const fresh = lines.find((line) => !knownMine.has(line.conversation_id) && !claimedHere.has(line.conversation_id));
    if (fresh) alertAssignment(fresh);
  }
  knownMine = ids;
  // A conversation transferred away or ended elsewhere leaves the list; stop showing it.
  if (openId && !ids.has(openId) && me.role !== "supervisor") hideConversation("该会话已不在您的名下。");
}

async function poll() {
  clearTimeout(pollTimer);
  try {
    const [queue, mine] = await Promise.all([
      api("GET", "/api/agent/queue", { token: session.token }),
      api("GET", "/api/agent/conversations", { token: session.token }),
    ]);
    if (!me) return;  // logged out while the poll was under way
    renderQueue(queue);
    renderMine(mine);
    noticeNewAssignments(mine);
  } catch (error) {
    showError(error);
  }
  if (session.token) pollTimer = setTimeout(poll, POLL_MS);
}

// --- one conversation ------------------------------------------------------------------------------

function slotList(slots) {
  const entries = Object.entries(slots ?? {}).filter(([, value]) => value !== null && value !== "");
  if (!entries.length) return el("span", { text: "-" });
  return el("ul", { className: "slots" }, entries.map(([name, value]) =>
    el("li", {}, [el("code", { text: name }), el("span", { text: ` ${typeof value === "string" ? value : JSON.stringify(value)}` })])));
}

function renderPacket(view) {
  const packet = view.packet ?? {};  // null for a conversation that never went through a handoff request
  const summary = view.summary;
  const rows = [
    ["客户", el("span", { text: `${summary.customer_name ?? ""}（${summary.customer_id}）` })],
    ["客户等级", el("span", { className: `tier tier-${summary.tier}`, text: TIER_LABELS[summary.tier] })],
    ["意图", el("span", { text: packet.intent ?? "-" })],
    ["转人工原因", el("span", { text: reasonLabel(packet.reason) })],
    ["身份核验", el("span", { className: packet.verified ? "ok" : "warn", text: packet.verified ? "已核验" : "未核验" })],
    ["坐席组", el("span", { text: summary.group ? GROUP_LABELS[summary.group] : "-" })],
    ["已收集信息", slotList(packet.slots)],
  ];
  const list = el("dl", { attrs: { id: "packet-fields" } });
  for (const [name, value] of rows) list.append(el("dt", { text: name }), el("dd", {}, [value]));
  $("packet").replaceChildren(el("h3", { text: "转接信息" }), list);
}

async function loadTickets(customerId) {
  $("tickets-section").classList.remove("hidden");
  try {
    const tickets = await api("GET", `/api/agent/customers/${encodeURIComponent(customerId)}/tickets`, { token: session.token });
    $("tickets-empty").classList.toggle("hidden", tickets.length > 0);
    $("tickets-list").replaceChildren(...tickets.map((ticket) => el("li", { attrs: { "data-ticket-id": ticket.id } }, [
      el("div", { className: "line-main" }, [
        el("code", { text: ticket.id }),
        el("span", { className: "badge", text: TICKET_CATEGORY_LABELS[ticket.category] }),
        el("span", { className: `badge status-${ticket.status}`, text: TICKET_STATUS_LABELS[ticket.status] }),
        el("div", { className: "status-line", text: ticket.description }),
        ...(ticket.contact_phone
          ? [el("div", { className: "status-line contact-phone", text: `回电号码 ${ticket.contact_phone}` })]
          : []),
      ]),
      el("span", { className: "status-line", text: `时限 ${new Date(ticket.sla_due_at).toLocaleString("zh-CN")}` }),
    ])));
  } catch (error) {
    $("tickets-list").replaceChildren(el("li", { className: "error", text: `无法加载工单：${error.message}` }));
  }
}

function hideConversation(notice = "") {
  assist.close();
  socket?.close();
  socket = null;
  openId = null;
  openCustomerId = null;
  $("conversation-view").classList.add("hidden");
  $("conversation-placeholder").classList.remove("hidden");
  $("conversation-placeholder").firstElementChild.textContent = notice || "从左侧选择一个会话，或等待系统分配。";
}

async function openConversation(conversationId) {
  socket?.close();
  socket = null;
  if (alertedId === conversationId) dismissAlert();
  try {
    const view = await api("GET", `/api/agent/conversations/${conversationId}`, { token: session.token });
    openId = conversationId;
    openCustomerId = view.summary.customer_id;
    $("conversation-view").classList.remove("hidden");
    $("conversation-view").dataset.conversationId = conversationId;
    $("conversation-placeholder").classList.add("hidden");
    $("console-error").textContent = "";
    renderPacket(view);
    const transcript = $("transcript");
    transcript.replaceChildren();
    // The view already holds the history; the socket continues from its last message.
    const lastId = view.messages.length ? view.messages[view.messages.length - 1].id : "0";
    socket = new ConversationSocket(conversationId, session.token, {
      lastId,
      onMessage: (message) => {
        transcript.append(renderMessage(message));
        transcript.scrollTop = transcript.scrollHeight;
        if (message.role === "customer") assist.customerMessageArrived();
      },
      onError: (detail) => ($("console-error").textContent = detail),
    });
    for (const message of view.messages) socket.receive({ type: "message", ...message });
    assist.open(conversationId);
    for (const item of $("my-conversations").children) {
      item.classList.toggle("active", item.dataset.conversationId === conversationId);
    }
    loadTickets(openCustomerId);
    $("reply-input").focus();
  } catch (error) {
    showError(error);
  }
}

async function claimConversation(conversationId) {
  claimedHere.add(conversationId);
  try {
    await api("POST", `/api/agent/conversations/${conversationId}/claim`, { token: session.token });
    await openConversation(conversationId);
  } catch (error) {
    showError(error);
  }
  poll();
}

async function reply(text) {
  $("console-error").textContent = "";
  if (socket?.send({ type: "message", text })) return;
  try {
    await api("POST", `/api/agent/conversations/${openId}/messages`, { token: session.token, body: { text } });
  } catch (error) {
    showError(error);
  }
}

// Closing or transferring: assist stops first, so none of its refreshes asks about a conversation that is no
// longer this agent's (the server answers those 403), and resumes if the server refuses.
async function endConversation(action, body, notice) {
  const conversationId = openId;
  assist.close();
  try {
    await api("POST", `/api/agent/conversations/${conversationId}/${action}`, { token: session.token, body });
    hideConversation(notice);
    return true;
  } catch (error) {
    assist.open(conversationId);
    showError(error);
    return false;
  } finally {
    poll();
  }
}

function closeConversation() {
  return endConversation("close", { wrap_up: $("wrap-up-select").value }, "会话已结束，已交还智能助手。");
}

async function transferConversation() {
  // Exactly one target: a named agent, else the chosen group's queue.
  const agent = $("transfer-agent").value.trim();
  const target = agent ? { agent } : { group: $("transfer-group").value };
  const body = { ...target, note: $("transfer-note").value.trim() };
  if (!(await endConversation("transfer", body, "会话已转接。"))) return;
  $("transfer-note").value = "";
  $("transfer-agent").value = "";
  $("transfer-panel").open = false;
}

// --- presence ----------------------------------------------------------------------------------------

function showPresence(presence) {
  for (const button of $("presence-switch").querySelectorAll("button")) {
    const on = button.dataset.presence === presence;
    button.classList.toggle("on", on);
    button.setAttribute("aria-checked", String(on));
  }
  $("presence-switch").dataset.presence = presence;
}

async function setPresence(presence) {
  try {
    const held = await api("PUT", "/api/agent/presence", { token: session.token, body: { status: presence } });
    showPresence(held.status);
  } catch (error) {
    $("console-error").textContent = `无法切换为${PRESENCE_LABELS[presence]}：${error.message}`;
  }
}

// --- session ---------------------------------------------------------------------------------------------

function showConsole(agent) {
  me = agent;
  knownMine = null;
  claimedHere = new Set();
  $("supervisor-link").classList.toggle("hidden", agent.role !== "supervisor");
  showPresence(agent.presence);
  poll();
}

function leaveConsole() {
  socket?.close();
  clearTimeout(pollTimer);
  me = null;
  hideConversation();
  dismissAlert();
}

function buildStaticControls() {
  $("canned-replies").replaceChildren(...CANNED_REPLIES.map((canned) => {
    const button = el("button", {
      className: "canned-reply secondary small", text: canned.label,
      attrs: { type: "button", id: `canned-${canned.id}`, title: canned.text },
    });
    // Inserted for editing rather than sent, so the agent stays in control of what the customer reads.
    button.addEventListener("click", () => {
      $("reply-input").value = canned.text;
      $("reply-input").focus();
    });
    return button;
  }));
  $("wrap-up-select").replaceChildren(...WRAP_UP_CODES.map(({ code, label }) => el("option", { text: label, attrs: { value: code } })));
  $("transfer-group").replaceChildren(...Object.entries(GROUP_LABELS).map(([group, label]) => el("option", { text: label, attrs: { value: group } })));
  $("sound-toggle").checked = localStorage.getItem(SOUND_KEY) === "on";
}

$("reply-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("reply-input").value.trim();
  if (!text || !openId) return;
  $("reply-input").value = "";
  reply(text);
});
$("reply-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("reply-form").requestSubmit();
  }
});
$("close-button").addEventListener("click", closeConversation);
$("transfer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  transferConversation();
});
$("presence-switch").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-presence]");
  if (button) setPresence(button.dataset.presence);
});
$("sound-toggle").addEventListener("change", () => localStorage.setItem(SOUND_KEY, $("sound-toggle").checked ? "on" : "off"));
$("assignment-alert-open").addEventListener("click", () => { if (alertedId) openConversation(alertedId); dismissAlert(); });
$("assignment-alert-dismiss").addEventListener("click", dismissAlert);

buildStaticControls();
session.resume();
