// Helpers shared by the web chat and the agent console. User text only ever goes through textContent.
"use strict";

const TIER_LABELS = { standard: "普卡", gold: "金卡", platinum: "白金卡", diamond: "钻石" };
const ROLE_LABELS = { customer: "客户", bot: "智能助手", agent: "坐席", system: "系统" };

class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
  }
}

async function api(method, path, { token, body } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.detail ?? response.statusText);
  return data;
}

// Create an element whose text is set with textContent, so message text can never become markup.
function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function formatTime(ts) {
  return new Date(ts * 1000).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
}

function socketUrl(conversationId, token, lastId) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ token, last_id: lastId });
  return `${scheme}://${location.host}/api/conversations/${encodeURIComponent(conversationId)}/ws?${query}`;
}

// A conversation socket that resumes from the last message it delivered, reconnecting with backoff.
// Messages reach onMessage exactly once and in stream order; 4401/4403 closes are final.
class ConversationSocket {
  constructor(conversationId, token, { lastId = "0", onMessage, onError, onState }) {
    Object.assign(this, { conversationId, token, lastId, onMessage, onError, onState });
    this.retryMs = 500;
    this.stopped = false;
    this.seen = new Set();
    this.connect();
  }

  connect() {
    this.ws = new WebSocket(socketUrl(this.conversationId, this.token, this.lastId));
    this.ws.onopen = () => { this.retryMs = 500; this.onState?.("open"); };
    this.ws.onmessage = (event) => this.receive(JSON.parse(event.data));
    this.ws.onclose = (event) => {
      this.onState?.("closed");
      if (this.stopped) return;
      if (event.code === 4401 || event.code === 4403) { this.onError?.(event.reason || "无权访问此会话", true); return; }
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    };
  }

  receive(frame) {
    if (frame.type === "error") { this.onError?.(frame.detail, false); return; }
    if (frame.type !== "message" || this.seen.has(frame.id)) return;
    this.seen.add(frame.id);
    this.lastId = frame.id;
    this.onMessage(frame);
  }

  // Returns false when the socket is not open, so the caller can fall back to HTTP.
  send(frame) {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  close() {
    this.stopped = true;
    this.ws.close();
  }
}

function renderMessage(message, { onButton } = {}) {
  const item = el("li", { className: `message message-${message.role}`, attrs: { "data-id": message.id } }, [
    el("div", { className: "message-meta", text: `${ROLE_LABELS[message.role] ?? message.role} · ${formatTime(message.ts)}` }),
    el("div", { className: "message-text", text: message.text }),
  ]);
  if (message.buttons?.length && onButton) {
    const row = el("div", { className: "quick-replies" });
    for (const button of message.buttons) {
      const node = el("button", { className: "quick-reply", text: button.title, attrs: { type: "button" } });
      node.addEventListener("click", () => onButton(button));
      row.append(node);
    }
    item.append(row);
  }
  return item;
}
