// Agent assist in the console: the bot's reading next to each customer message, up to three suggested
// replies for the latest one (the bot's own answer, then the canned replies for its intent), and
// "识别有误" to send a message to the trainer's inbox with the agent's intent. Nothing is ever sent to
// the customer from here: a suggestion only fills the reply box.
import { $, api, el } from "/static/common.js";
import { CANNED_REPLIES } from "/static/config.js";

const MAX_SUGGESTIONS = 3;
// A reading is stored just after the bot's reply, or after a background parse while an agent owns the chat.
const REFRESH_AFTER_MS = [800, 3000];

export class Assist {
  constructor(getToken) {
    this.getToken = getToken;
    this.conversationId = null;
    this.timers = [];
    this.misreadId = null;
    $("misread-form").addEventListener("submit", (event) => { event.preventDefault(); this.sendMisread(); });
    $("misread-cancel").addEventListener("click", () => this.hideMisread());
  }

  open(conversationId) {
    this.conversationId = conversationId;
    this.hideMisread();
    $("assist-suggestions").replaceChildren();
    this.refresh();
  }

  close() {
    this.conversationId = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  customerMessageArrived() {
    for (const delay of REFRESH_AFTER_MS) this.timers.push(setTimeout(() => this.refresh(), delay));
  }

  async refresh() {
    const conversationId = this.conversationId;
    if (!conversationId) return;
    try {
      const view = await api("GET", `/api/agent/conversations/${conversationId}/assist`, { token: this.getToken() });
      if (conversationId !== this.conversationId) return;
      for (const reading of view.readings) this.showReading(reading);
      const latest = view.readings[view.readings.length - 1];
      this.showSuggestions(latest?.intent ?? null, view.suggestions);
    } catch {
      // Assist is an aid: the conversation works without it.
    }
  }

  showReading(reading) {
    const item = $("transcript").querySelector(`li[data-role='customer'][data-id='${reading.message_id}']`);
    if (!item) return;
    const entities = reading.entities.map((e) => `${e.entity}=${e.value}`).join("，");
    const text = reading.fallback
      ? `机器人未能理解（最接近：${reading.intent ?? "无"} ${Math.round(reading.confidence * 100)}%）`
      : `机器人识别：${reading.intent ?? "无"} ${Math.round(reading.confidence * 100)}%${entities ? `　实体：${entities}` : ""}`;
    const flag = el("button", {
      className: "link misread-button", text: reading.flagged ? "已标记识别有误" : "识别有误", attrs: { type: "button" },
    });
    flag.disabled = reading.flagged;
    flag.addEventListener("click", () => this.showMisread(reading.message_id, item));
    const node = el("div", { className: "reading", attrs: { "data-intent": reading.intent ?? "" } }, [
      el("span", { className: "reading-text", text }), flag,
    ]);
    item.querySelector(".reading")?.remove();
    item.append(node);
  }

  showSuggestions(intent, suggestions) {
    const texts = suggestions.map((suggestion) => ({ label: "机器人答复", text: suggestion.text }));
    for (const canned of CANNED_REPLIES) if (intent && canned.intents.includes(intent)) texts.push(canned);
    $("assist-suggestions").replaceChildren(...texts.slice(0, MAX_SUGGESTIONS).map((suggestion) => {
      const button = el("button", {
        className: "suggestion secondary small", text: `${suggestion.label}：${suggestion.text}`, attrs: { type: "button" },
      });
      button.addEventListener("click", () => {
        $("reply-input").value = suggestion.text;
        $("reply-input").focus();
      });
      return button;
    }));
  }

  showMisread(messageId, item) {
    this.misreadId = messageId;
    $("misread-text").textContent = item.querySelector(".message-text").textContent;
    $("misread-intent").value = "";
    $("misread-error").textContent = "";
    $("misread-form").classList.remove("hidden");
    $("misread-intent").focus();
  }

  hideMisread() {
    this.misreadId = null;
    $("misread-form").classList.add("hidden");
  }

  async sendMisread() {
    const intent = $("misread-intent").value.trim();
    if (intent && !/^[a-z][a-z0-9_]{1,63}$/.test(intent)) {
      $("misread-error").textContent = "意图名称只能包含小写字母、数字和下划线";
      return;
    }
    try {
      await api("POST", `/api/agent/conversations/${this.conversationId}/messages/${this.misreadId}/misread`, {
        token: this.getToken(), body: { intent: intent || null },
      });
      this.hideMisread();
      this.refresh();
    } catch (error) {
      $("misread-error").textContent = `提交失败：${error.message}`;
    }
  }
}
