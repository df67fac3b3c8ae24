// Agent console: log in, watch the queue, claim a conversation, reply, close.
"use strict";

const TOKEN_KEY = "cs-agent-token";
const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

let token = sessionStorage.getItem(TOKEN_KEY);
let openId = null;
let socket = null;
let pollTimer = null;

function showError(error) {
  if (error.status === 401 || (error.status === 403 && error.message === "agent token required")) { logout(); return; }
  $("console-error").textContent = error.message;
}

function summaryLine(line, actions) {
  const wait = line.waited_seconds === null ? "" : ` · 已等待 ${line.waited_seconds} 秒`;
  return el("li", { attrs: { "data-conversation-id": line.conversation_id } }, [
    el("div", {}, [
      el("span", { text: line.customer_name ?? line.customer_id }),
      el("span", { className: `tier tier-${line.tier}`, text: TIER_LABELS[line.tier] ?? line.tier }),
      el("div", { className: "status-line", text: `${line.intent ?? "-"} · ${line.reason ?? "-"}${wait}` }),
    ]),
    ...actions,
  ]);
}

function renderQueue(lines) {
  $("queue-empty").classList.toggle("hidden", lines.length > 0);
  $("queue-list").replaceChildren(...lines.map((line) => {
    const claim = el("button", { className: "claim-button", text: "接入", attrs: { type: "button" } });
    claim.addEventListener("click", () => claimConversation(line.conversation_id));
    return summaryLine(line, [claim]);
  }));
}

function renderMine(lines) {
  $("my-conversations").replaceChildren(...lines.map((line) => {
    const open = el("button", { className: "open-button secondary", text: "查看", attrs: { type: "button" } });
    open.addEventListener("click", () => openConversation(line.conversation_id));
    const item = summaryLine(line, [open]);
    item.classList.toggle("active", line.conversation_id === openId);
    return item;
  }));
}

async function poll() {
  clearTimeout(pollTimer);
  try {
    const [queue, mine] = await Promise.all([
      api("GET", "/api/agent/queue", { token }),
      api("GET", "/api/agent/conversations", { token }),
    ]);
    renderQueue(queue);
    renderMine(mine);
  } catch (error) {
    showError(error);
  }
  if (token) pollTimer = setTimeout(poll, POLL_MS);
}

function renderPacket(view) {
  const packet = view.packet ?? {};
  const rows = [
    ["客户", `${view.summary.customer_name ?? ""}（${view.summary.customer_id}）`],
    ["客户等级", TIER_LABELS[view.summary.tier] ?? view.summary.tier],
    ["意图", packet.intent ?? "-"],
    ["转人工原因", packet.reason ?? "-"],
    ["身份核验", packet.verified ? "已核验" : "未核验"],
    ["已收集信息", Object.keys(packet.slots ?? {}).length ? JSON.stringify(packet.slots) : "-"],
  ];
  const list = el("dl");
  for (const [name, value] of rows) list.append(el("dt", { text: name }), el("dd", { text: value }));
  const botTranscript = el("ul", { className: "messages" });
  for (const line of packet.transcript ?? []) {
    botTranscript.append(el("li", { className: `message message-${line.role}`, text: line.text }));
  }
  $("packet").replaceChildren(el("h3", { text: "转接信息" }), list, el("h4", { text: "转人工前的对话" }), botTranscript);
}

async function openConversation(conversationId) {
  socket?.close();
  try {
    const view = await api("GET", `/api/agent/conversations/${conversationId}`, { token });
    openId = conversationId;
    $("conversation-view").classList.remove("hidden");
    $("console-error").textContent = "";
    renderPacket(view);
    const transcript = $("transcript");
    transcript.replaceChildren();
    // The view already holds the history; the socket continues from its last message.
    const lastId = view.messages.length ? view.messages[view.messages.length - 1].id : "0";
    socket = new ConversationSocket(conversationId, token, {
      lastId,
      onMessage: (message) => {
        transcript.append(renderMessage(message));
        transcript.scrollTop = transcript.scrollHeight;
      },
      onError: (detail) => ($("console-error").textContent = detail),
    });
    for (const message of view.messages) socket.receive({ type: "message", ...message });
  } catch (error) {
    showError(error);
  }
}

async function claimConversation(conversationId) {
  try {
    await api("POST", `/api/agent/conversations/${conversationId}/claim`, { token });
    await openConversation(conversationId);
  } catch (error) {
    showError(error);
  }
  poll();
}

async function reply(text) {
  if (socket?.send({ type: "message", text })) return;
  try {
    await api("POST", `/api/agent/conversations/${openId}/messages`, { token, body: { text } });
  } catch (error) {
    showError(error);
  }
}

async function closeConversation() {
  try {
    await api("POST", `/api/agent/conversations/${openId}/close`, { token, body: { wrap_up: $("wrap-up-select").value } });
    socket?.close();
    openId = null;
    $("conversation-view").classList.add("hidden");
  } catch (error) {
    showError(error);
  }
  poll();
}

function showConsole(agent) {
  $("login-view").classList.add("hidden");
  $("console-view").classList.remove("hidden");
  $("logout-button").classList.remove("hidden");
  $("agent-label").textContent = `${agent.name}（${agent.groups.join("、") || "主管"}）`;
  poll();
}

function logout() {
  socket?.close();
  clearTimeout(pollTimer);
  token = null;
  openId = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $("console-view").classList.add("hidden");
  $("conversation-view").classList.add("hidden");
  $("logout-button").classList.add("hidden");
  $("login-view").classList.remove("hidden");
  $("agent-label").textContent = "";
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
    showConsole(result.agent);
  } catch (error) {
    $("login-error").textContent = error.status === 401 ? "用户名或密码错误" : `登录失败：${error.message}`;
  }
});
$("reply-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("reply-input").value.trim();
  if (!text || !openId) return;
  $("reply-input").value = "";
  reply(text);
});
$("close-button").addEventListener("click", closeConversation);
$("logout-button").addEventListener("click", logout);

if (token) {
  api("GET", "/api/agent/me", { token }).then(showConsole, logout);
}
