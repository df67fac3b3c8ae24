// Helpers shared by the web chat and the staff pages (agent console, supervisor view, trainer's inbox).
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

// The staff pages' one login form, built into the page's empty #login-view under its data-title.
function fillLoginForm(form) {
  form.replaceChildren(
    el("h2", { text: form.dataset.title }),
    el("label", { text: "用户名", attrs: { for: "login-username" } }),
    el("input", { attrs: { id: "login-username", autocomplete: "username", required: "" } }),
    el("label", { text: "密码", attrs: { for: "login-password" } }),
    el("input", { attrs: { id: "login-password", type: "password", autocomplete: "current-password", required: "" } }),
    el("button", { text: "登录", attrs: { id: "login-button", type: "submit" } }),
    el("p", { className: "error", attrs: { id: "login-error", role: "alert" } }),
  );
}

// A staff page's sign-in: the token in sessionStorage under the page's own key (a reload carries on), the
// login form (fillLoginForm), and 退出 (#logout-button), which also revokes the token on the server so a copy
// of it is worthless.
// signedIn: ids of what is shown only while signed in; label: the id where describe(agent) names who is;
// refuse(agent): why this page is not for the account (shown on the login form), or null;
// onSignIn(agent) / onSignOut(): the page's own start and clean-up.
export class StaffSession {
  constructor({
    storageKey, signedIn, label, describe = (agent) => agent.name, refuse = () => null, onSignIn, onSignOut = () => {},
  }) {
    Object.assign(this, { storageKey, signedIn, label, describe, refuse, onSignIn, onSignOut });
    this.token = sessionStorage.getItem(storageKey);
    fillLoginForm($("login-view"));
    $("login-view").addEventListener("submit", (event) => { event.preventDefault(); this.logIn(); });
    $("logout-button").addEventListener("click", () => this.signOut());
  }

  // Carries on with the token an earlier load of the page kept, if the server still takes it.
  resume() {
    if (this.token) api("GET", "/api/agent/me", { token: this.token }).then((agent) => this.show(agent), () => this.end());
  }

  async logIn() {
    $("login-error").textContent = "";
    try {
      const result = await api("POST", "/api/auth/login", {
        body: { username: $("login-username").value.trim(), password: $("login-password").value },
      });
      this.token = result.token;
      sessionStorage.setItem(this.storageKey, this.token);
      this.show(result.agent);
    } catch (error) {
      $("login-error").textContent = error.status === 401 ? "用户名或密码错误" : `登录失败：${error.message}`;
    }
  }

  show(agent) {
    const refusal = this.refuse(agent);
    if (refusal) {
      this.end();
      $("login-error").textContent = refusal;
      return;
    }
    $("login-view").classList.add("hidden");
    for (const id of this.signedIn) $(id).classList.remove("hidden");
    $(this.label).textContent = this.describe(agent);
    this.onSignIn(agent);
  }

  // Back to the login form: after 退出, or when the server no longer takes the token.
  end() {
    this.onSignOut();
    this.token = null;
    sessionStorage.removeItem(this.storageKey);
    for (const id of this.signedIn) $(id).classList.add("hidden");
    $("login-view").classList.remove("hidden");
    $(this.label).textContent = "";
  }

  // The page stops first, so nothing it does meanwhile uses the token being revoked.
  async signOut() {
    const { token } = this;
    this.end();
    if (token) await api("POST", "/api/auth/logout", { token }).catch(() => {});
  }
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
