// Helpers shared by the web chat, the agent console and the supervisor view.
// User text only ever reaches the page through textContent (see el()).
import { ROLE_LABELS } from "/static/config.js";

export const $ = (id) => document.getElementById(id);

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
  }
}

export async function api(method, path, { token, body } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "网络连接异常");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.detail ?? response.statusText);
  return data;
}

// Create an element whose text is set with textContent, so message text can never become markup.
export function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

export function formatTime(ts) {
  return new Date(ts * 1000).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
}

export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) return "-";
  const total = Math.max(0, Math.round(Number(seconds)));
  if (total < 60) return `${total} 秒`;
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  return rest ? `${minutes} 分 ${rest} 秒` : `${minutes} 分钟`;
}

function socketUrl(conversationId) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/api/conversations/${encodeURIComponent(conversationId)}/ws`;
}

// Closes after which reconnecting cannot help: the token is refused, the conversation is not (or no longer)
// the viewer's, or it has expired.
const FINAL_CLOSES = new Set([4401, 4403, 4404]);

// A conversation socket that resumes from the last message it delivered, reconnecting with backoff.
// The token goes in the first frame, never in the URL; the socket is usable once the server says "ready".
// Messages reach onMessage exactly once (deduplicated by stream id) and in stream order.
export class ConversationSocket {
  constructor(conversationId, token, { lastId = "0", onMessage, onError, onState }) {
    Object.assign(this, { conversationId, token, lastId, onMessage, onError, onState });
    this.retryMs = 500;
    this.stopped = false;
    this.ready = false;
    this.seen = new Set();
    this.connect();
  }

  connect() {
    this.ready = false;
    this.ws = new WebSocket(socketUrl(this.conversationId));
    this.ws.onopen = () => {
      this.ws.send(JSON.stringify({ type: "auth", token: this.token, last_id: this.lastId }));
    };
    this.ws.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      this.receive(frame);
    };
    this.ws.onclose = (event) => {
      this.ready = false;
      if (this.stopped) return;
      if (FINAL_CLOSES.has(event.code)) {
        this.onState?.("closed");
        this.onError?.(event.reason || "无权访问此会话", true);
        return;
      }
      this.onState?.("reconnecting");
      this.timer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    };
  }

  receive(frame) {
    if (frame.type === "ready") { this.ready = true; this.retryMs = 500; this.onState?.("open"); return; }
    if (frame.type === "error") { this.onError?.(frame.detail, false); return; }
    if (frame.type !== "message" || this.seen.has(frame.id)) return;
    this.seen.add(frame.id);
    this.lastId = frame.id;
    this.onMessage(frame);
  }

  get isOpen() {
    return this.ready && this.ws.readyState === WebSocket.OPEN;
  }

  // Returns false when the socket is not open, so the caller can fall back to HTTP.
  send(frame) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws.close();
  }
}

export function renderMessage(message, { onButton } = {}) {
  const role = ROLE_LABELS[message.role];
  const who = message.role === "agent" ? `${role} ${message.meta.agent_name}` : role;
  const item = el("li", {
    className: `message message-${message.role}`,
    attrs: { "data-id": message.id, "data-role": message.role },
  }, [
    el("div", { className: "message-meta", text: `${who} · ${formatTime(message.ts)}` }),
    el("div", { className: "message-text", text: message.text }),
  ]);
  if (message.buttons.length && onButton) {
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

// A short two-tone chime from the Web Audio API (no audio file to download); silent where audio is blocked.
export function chime() {
  try {
    const audio = new AudioContext();
    for (const [index, frequency] of [880, 1320].entries()) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.15, audio.currentTime + index * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + index * 0.18 + 0.16);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(audio.currentTime + index * 0.18);
      oscillator.stop(audio.currentTime + index * 0.18 + 0.17);
    }
    setTimeout(() => audio.close(), 800);
  } catch {
    // Audio is an optional extra to the visual alert.
  }
}
