// Web chat: pick a demo customer, then talk to the bot or an agent over the conversation socket.
"use strict";

const SESSION_KEY = "cs-chat-session";
const STATUS_POLL_MS = 3000;
const $ = (id) => document.getElementById(id);

let session = null;
let socket = null;
let statusTimer = null;

function showStatus(status) {
  const line = $("queue-status");
  if (status.state === "queued") {
    const wait = status.estimated_wait_seconds === null ? "" : `，预计等待约 ${status.estimated_wait_seconds} 秒`;
    line.textContent = status.position === null ? "正在为您转接人工客服…" : `排队中：第 ${status.position} 位${wait}`;
  } else if (status.state === "agent") {
    line.textContent = "人工坐席正在为您服务";
  } else {
    line.textContent = "智能助手为您服务";
  }
}

async function refreshStatus() {
  try {
    const status = await api("GET", `/api/conversations/${session.conversation_id}`, { token: session.token });
    showStatus(status);
    clearTimeout(statusTimer);
    // Position and estimate change while queued; poll until issue 5 pushes them over the socket.
    if (status.state === "queued") statusTimer = setTimeout(refreshStatus, STATUS_POLL_MS);
  } catch (error) {
    handleAuthError(error);
  }
}

function onMessage(message) {
  const list = $("messages");
  list.append(renderMessage(message, { onButton: (button) => sendButton(button) }));
  list.scrollTop = list.scrollHeight;
  const event = message.meta?.event;
  if (event === "agent_joined") {
    $("queue-status").textContent = `坐席 ${message.meta.agent_name ?? ""}（${message.meta.group_label ?? ""}）正在为您服务`;
  }
  if (event === "queued" || event === "returned_to_bot") refreshStatus();
}

function handleAuthError(error) {
  if (error.status === 401 || error.status === 403) { resetSession(); return; }
  $("chat-error").textContent = `发送失败，请稍后重试（${error.message}）`;
}

async function send(frame) {
  $("chat-error").textContent = "";
  if (socket.send({ type: "message", ...frame })) return;
  // HTTP fallback while the socket reconnects; the reply arrives in order once the socket resumes.
  try {
    await api("POST", `/api/conversations/${session.conversation_id}/messages`, { token: session.token, body: frame });
  } catch (error) {
    handleAuthError(error);
  }
}

function sendButton(button) {
  // Rasa intent payloads ("/affirm") go to the bot while the customer sees the button's title.
  send(button.payload.startsWith("/") ? { text: button.title, payload: button.payload } : { text: button.payload });
}

function openChat() {
  $("picker-view").classList.add("hidden");
  $("chat-view").classList.remove("hidden");
  $("customer-label").textContent = `${session.customer.name} · ${session.customer.tier_label}`;
  $("messages").replaceChildren();
  socket = new ConversationSocket(session.conversation_id, session.token, {
    onMessage,
    onError: (detail, fatal) => (fatal ? resetSession() : ($("chat-error").textContent = detail)),
  });
  refreshStatus();
  $("message-input").focus();
}

function resetSession() {
  socket?.close();
  clearTimeout(statusTimer);
  sessionStorage.removeItem(SESSION_KEY);
  session = null;
  $("chat-view").classList.add("hidden");
  $("picker-view").classList.remove("hidden");
  $("customer-label").textContent = "";
}

async function startSession(customerId) {
  try {
    session = await api("POST", "/api/sessions/demo", { body: { customer_id: customerId } });
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    openChat();
  } catch (error) {
    $("picker-error").textContent = `无法开始会话：${error.message}`;
  }
}

async function loadPicker() {
  const picker = $("customer-picker");
  try {
    for (const customer of await api("GET", "/api/demo/customers")) {
      const button = el("button", { attrs: { type: "button", "data-customer-id": customer.id } }, [
        el("span", { text: `${customer.name}（${customer.id}）` }),
        el("span", { className: `tier tier-${customer.tier}`, text: customer.tier_label ?? TIER_LABELS[customer.tier] }),
      ]);
      button.addEventListener("click", () => startSession(customer.id));
      picker.append(button);
    }
  } catch (error) {
    $("picker-error").textContent = `无法加载演示客户：${error.message}`;
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("message-input").value.trim();
  if (!text) return;
  $("message-input").value = "";
  send({ text });
});
$("human-button").addEventListener("click", () => send({ text: "转人工", payload: "/request_human" }));
$("new-session-button").addEventListener("click", resetSession);

loadPicker();
const saved = sessionStorage.getItem(SESSION_KEY);
if (saved) {
  session = JSON.parse(saved);
  openChat();
}
