// Web chat: a session from the bank's portal (or, in demo mode, a demo customer picked), then talk to the bot or an agent over the conversation socket.
import { $, api, ConversationSocket, el, renderMessage } from "/static/common.js";

const SESSION_KEY = "cs-chat-session";
const RATED_KEY = "cs-chat-rated";
const STATUS_POLL_MS = 5000;
const TYPING_TIMEOUT_MS = 20000;
// The bot asks for CSAT with quick replies carrying this intent; the star panel replaces those buttons.
const CSAT_INTENT = "/rate_service";
// The system message that ends a handoff (docs/contract.md); meta.outcome says how it ended.
const RETURNED_TO_BOT = "returned_to_bot";

let session = null;
let socket = null;
let statusTimer = null;
let typingTimer = null;
let serviceState = "bot";
let csatScore = 0;
let csatCloseId = null;  // the closing message the open CSAT panel rates
let servingAgent = {};  // { agentName, groupLabel } of the agent serving the customer now
let botCsatButtons = [];  // the bot's own CSAT quick replies, answered when the customer rates

// --- service state and queue figures ------------------------------------------------------------

function setServiceState(state, { position, wait, agentName, groupLabel } = {}) {
  serviceState = state;
  const figures = $("queue-figures");
  $("cancel-queue-button").classList.toggle("hidden", state !== "queued");
  $("human-button").disabled = state !== "bot";
  $("service-banner").dataset.state = state;
  if (state === "queued") {
    $("service-state").textContent = "正在为您转接人工客服";
    if (position !== undefined && position !== null) {
      $("queue-position").textContent = String(position);
      $("queue-wait").textContent = wait ?? "请您稍等片刻";
      figures.classList.remove("hidden");
    }
    hideTyping();
    return;
  }
  figures.classList.add("hidden");
  if (state === "agent") {
    // A status poll gives the state only: the agent is the one the last "agent joined" notice named.
    if (agentName) servingAgent = { agentName, groupLabel };
    const { agentName: name, groupLabel: label } = servingAgent;
    const who = name ? `坐席 ${name}${label ? `（${label}）` : ""}` : "人工坐席";
    $("service-state").textContent = `${who}正在为您服务`;
    hideTyping();
  } else {
    if (state === "bot") servingAgent = {};
    $("service-state").textContent = "智能助手为您服务";
  }
}

async function refreshStatus() {
  clearTimeout(statusTimer);
  if (!session) return;
  try {
    const status = await api("GET", `/api/conversations/${session.conversation_id}`, { token: session.token });
    if (status.state === "queued") {
      setServiceState("queued", { position: status.position, wait: status.estimated_wait_text });
      // Queue-status messages push changes; this poll is the fallback when none arrive.
      statusTimer = setTimeout(refreshStatus, STATUS_POLL_MS);
    } else if (status.state !== serviceState) {
      setServiceState(status.state);
    }
  } catch (error) {
    handleApiError(error);
  }
}

// --- typing indicator --------------------------------------------------------------------------

function showTyping() {
  $("typing-indicator").classList.remove("hidden");
  clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
}

function hideTyping() {
  clearTimeout(typingTimer);
  $("typing-indicator").classList.add("hidden");
}

// --- messages ------------------------------------------------------------------------------------

function isCsatButton(button) {
  return typeof button.payload === "string" && button.payload.startsWith(CSAT_INTENT);
}

function onMessage(message) {
  const list = $("messages");
  const meta = message.meta;
  let shown = message;
  if (message.buttons.some(isCsatButton)) {
    botCsatButtons = message.buttons.filter(isCsatButton);
    shown = { ...message, buttons: message.buttons.filter((button) => !isCsatButton(button)) };
  }
  const item = renderMessage(shown, { onButton: sendButton });
  if (meta.event === "queue_update") {
    // Only the latest queue update stays visible; older ones are kept (hidden) so ids stay complete.
    for (const old of list.querySelectorAll(".queue-update")) old.classList.add("hidden");
    item.classList.add("queue-update");
  }
  if (meta.event === "agent_joined" || meta.event === RETURNED_TO_BOT) item.classList.add("notice");
  list.append(item);
  list.scrollTop = list.scrollHeight;

  if (message.role === "bot" || message.role === "system" || message.role === "agent") hideTyping();
  if (meta.kind === "queue_status") {
    setServiceState("queued", { position: meta.position, wait: meta.estimated_wait_text });
    refreshStatus();
  } else if (meta.event === "agent_joined") {
    clearTimeout(statusTimer);
    setServiceState("agent", { agentName: meta.agent_name, groupLabel: meta.group_label });
  } else if (meta.event === RETURNED_TO_BOT) {
    setServiceState("bot");
    // Only a handoff an agent closed asks for a rating; a cancelled or timed-out wait does not.
    if (meta.outcome === "resolved") offerCsat(message.id);
    refreshStatus();
  }
}

function handleApiError(error) {
  if (error.status === 401 || error.status === 403) { resetSession(); return; }
  $("chat-error").textContent = `操作失败，请稍后重试（${error.message}）`;
}

async function send(frame) {
  $("chat-error").textContent = "";
  if (serviceState === "bot") showTyping();
  if (socket.send({ type: "message", ...frame })) return;
  // HTTP fallback while the socket reconnects; the stored messages arrive in order once it resumes.
  try {
    await api("POST", `/api/conversations/${session.conversation_id}/messages`, { token: session.token, body: frame });
  } catch (error) {
    hideTyping();
    handleApiError(error);
  }
}

function sendButton(button) {
  // Rasa intent payloads ("/affirm") go to the bot while the customer sees the button's title.
  send(button.payload.startsWith("/") ? { text: button.title, payload: button.payload } : { text: button.payload });
}

// --- CSAT ----------------------------------------------------------------------------------------

function ratedIds() {
  return new Set(JSON.parse(sessionStorage.getItem(RATED_KEY) ?? "[]"));
}

function offerCsat(closeId) {
  if (ratedIds().has(closeId)) return;
  csatCloseId = closeId;
  selectStars(0);
  $("csat-comment").value = "";
  $("csat-thanks").classList.add("hidden");
  $("csat-panel").classList.remove("hidden");
}

function selectStars(score) {
  csatScore = score;
  for (const star of $("csat-stars").querySelectorAll(".star")) {
    const on = Number(star.dataset.score) <= score;
    star.classList.toggle("on", on);
    star.setAttribute("aria-checked", String(Number(star.dataset.score) === score));
  }
  $("csat-submit").disabled = score === 0;
}

function finishCsat() {
  const rated = ratedIds();
  rated.add(csatCloseId);
  sessionStorage.setItem(RATED_KEY, JSON.stringify([...rated]));
  $("csat-panel").classList.add("hidden");
}

async function submitCsat() {
  const score = csatScore;
  try {
    await api("POST", `/api/conversations/${session.conversation_id}/csat`, {
      token: session.token, body: { score, comment: $("csat-comment").value.trim() },
    });
  } catch (error) {
    if (error.status !== 409) { handleApiError(error); return; }  // 409: already rated
  }
  finishCsat();
  $("csat-thanks").classList.remove("hidden");
  // Let the bot's own CSAT question know the answer, so its dialogue moves on.
  const answer = botCsatButtons.find((button) => button.payload.includes(String(score)));
  botCsatButtons = [];
  if (answer) send({ text: `${score} 星`, payload: answer.payload });
}

// --- session -------------------------------------------------------------------------------------

function onSocketState(state) {
  $("connection-banner").classList.toggle("hidden", state !== "reconnecting");
  $("chat-view").dataset.connection = state;
  if (state === "open") refreshStatus();
}

function openChat() {
  $("picker-view").classList.add("hidden");
  $("chat-view").classList.remove("hidden");
  $("customer-label").replaceChildren(
    el("span", { text: session.customer.name }),
    el("span", { className: `tier tier-${session.customer.tier}`, text: session.customer.tier_label }),
  );
  $("messages").replaceChildren();
  $("csat-panel").classList.add("hidden");
  $("csat-thanks").classList.add("hidden");
  setServiceState("bot");
  socket = new ConversationSocket(session.conversation_id, session.token, {
    onMessage,
    onState: onSocketState,
    onError: (detail, fatal) => (fatal ? resetSession() : ($("chat-error").textContent = detail)),
  });
  refreshStatus();
  $("message-input").focus();
}

function resetSession() {
  socket?.close();
  socket = null;
  clearTimeout(statusTimer);
  hideTyping();
  sessionStorage.removeItem(SESSION_KEY);
  session = null;
  $("chat-view").classList.add("hidden");
  $("picker-view").classList.remove("hidden");
  $("customer-label").replaceChildren();
}

async function startSession(path, body) {
  $("picker-error").textContent = "";
  try {
    session = await api("POST", path, { body });
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    openChat();
  } catch (error) {
    $("picker-error").textContent = `无法开始会话：${error.message}`;
  }
}

// The bank's portal opens the chat as /#portal_token=<the JWT it signed>: a fragment reaches no server and so no
// log. The page trades it for a session and takes it out of the address bar and the history.
function portalToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get("portal_token");
  if (token) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

async function loadPicker() {
  const picker = $("customer-picker");
  try {
    const customers = await api("GET", "/api/demo/customers");
    picker.replaceChildren(...customers.map((customer) => {
      const button = el("button", {
        className: "customer-option",
        attrs: { type: "button", id: `customer-${customer.id}`, "data-customer-id": customer.id },
      }, [
        el("span", { className: "customer-name", text: customer.name }),
        el("span", { className: "customer-id", text: customer.id }),
        el("span", { className: `tier tier-${customer.tier}`, text: customer.tier_label }),
      ]);
      button.addEventListener("click", () => startSession("/api/sessions/demo", { customer_id: customer.id }));
      return button;
    }));
  } catch (error) {
    // Outside demo mode there is no picker: customers come from the bank's portal.
    $("picker-error").textContent = error.status === 404
      ? "请先登录网上银行，再从网上银行进入在线客服。"
      : `无法加载演示客户：${error.message}`;
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("message-input").value.trim();
  if (!text) return;
  $("message-input").value = "";
  send({ text });
});
// Plain text: only buttons the bot offered may carry a payload (docs/contract.md), and the bot reads this one.
// The page's own control: a payload the gateway accepts in every conversation (STANDING_PAYLOADS).
$("human-button").addEventListener("click", () => send({ text: "转人工", payload: "/request_human" }));
$("cancel-queue-button").addEventListener("click", async () => {
  try {
    await api("POST", `/api/conversations/${session.conversation_id}/cancel`, { token: session.token });
    refreshStatus();
  } catch (error) {
    handleApiError(error);
  }
});
$("new-session-button").addEventListener("click", resetSession);
$("csat-stars").addEventListener("click", (event) => {
  const star = event.target.closest(".star");
  if (star) selectStars(Number(star.dataset.score));
});
$("csat-panel").addEventListener("submit", (event) => {
  event.preventDefault();
  if (csatScore) submitCsat();
});
$("csat-skip").addEventListener("click", finishCsat);

const fromPortal = portalToken();
loadPicker();
const saved = sessionStorage.getItem(SESSION_KEY);
if (fromPortal) {
  startSession("/api/sessions/portal", { token: fromPortal });
} else if (saved) {
  try {
    session = JSON.parse(saved);
    openChat();
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
  }
}
