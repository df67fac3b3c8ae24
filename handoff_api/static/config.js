// Page configuration: canned replies, wrap-up codes and display labels. Edit here, no build step.
// A canned reply's intents: agent assist suggests it when the bot read the customer's latest message so.

export const CANNED_REPLIES = [
  { id: "greeting", label: "问候", text: "您好，我是信用卡中心客服专员，很高兴为您服务。请问有什么可以帮您？", intents: ["greet"] },
  { id: "checking", label: "请稍候", text: "好的，正在为您查询，请稍候片刻。", intents: ["query_balance", "query_bill", "query_transactions", "query_points", "query_ticket_status"] },
  { id: "verify", label: "核验身份", text: "为保障您的账户安全，请提供卡号后四位，我们将向您预留的手机号发送验证码。", intents: ["activate_card", "freeze_card", "unfreeze_card", "replace_card", "raise_credit_limit", "reset_password", "cancel_card", "report_lost_card"] },
  { id: "repayment", label: "还款方式", text: "您可以通过手机银行、网上银行、自动还款或柜台办理还款，到期还款日当天 24 点前还款均不影响信用记录。", intents: ["ask_repayment", "query_bill"] },
  { id: "lost-card", label: "挂失指引", text: "已为您记录挂失需求，卡片挂失后立即生效，补卡将在 5–7 个工作日内寄送到您的账单地址。", intents: ["report_lost_card"] },
  { id: "followup", label: "稍后回访", text: "您的问题需要进一步核实，我们将在 1 个工作日内致电回访，请保持电话畅通。", intents: ["complain", "dispute_transaction"] },
  { id: "anything-else", label: "还有其他", text: "请问还有其他可以帮您的吗？", intents: ["thank", "affirm"] },
  { id: "goodbye", label: "结束语", text: "感谢您的来电，祝您生活愉快！稍后请为本次服务评分。", intents: ["goodbye"] },
];

export const WRAP_UP_CODES = [
  { code: "resolved", label: "已解决" },
  { code: "callback_needed", label: "需回访" },
  { code: "ticket_created", label: "已建工单" },
  { code: "transferred_offline", label: "转线下处理" },
  { code: "customer_left", label: "客户已离开" },
];

// Display labels. Each must name exactly the values the API sends, with the label the server uses:
// tests/browser/test_labels.py checks them against contract/names.py and config/routing.yml.
export const TIER_LABELS = { standard: "普卡", gold: "金卡", platinum: "白金卡", diamond: "钻石/私人银行" };
export const GROUP_LABELS = { general: "综合服务组", risk: "风险专线", complaints: "投诉处理组", vip: "白金贵宾坐席" };
export const ROLE_LABELS = { customer: "客户", bot: "智能助手", agent: "坐席", system: "系统" };
export const PRESENCE_LABELS = { online: "在线", away: "小休", offline: "离线" };

export const REASON_LABELS = {
  explicit_request: "客户要求转人工",
  negative_emotion: "客户情绪激动",
  repeated_misunderstanding: "多次未理解",
  verification_failed: "身份核验失败",
  bot_escalation: "需人工办理",
};
export const OUTCOME_LABELS = {
  assigned: "已接入", no_agent: "无坐席", wait_timeout: "等待超时", cancelled: "客户取消", resolved: "已解决",
};

export const TICKET_STATUS_LABELS = { open: "待处理", in_progress: "处理中", resolved: "已解决", closed: "已关闭" };
export const TICKET_CATEGORY_LABELS = { complaint: "投诉", dispute: "争议交易", callback: "回访" };

// Why a message is in the trainer's inbox (handoff_api/domain/nlu_inbox.py InboxReason).
export const INBOX_REASON_LABELS = {
  fallback: "未能理解",
  low_confidence: "置信度低",
  ambiguous: "两个意图接近",
  handoff: "多次未理解后转人工",
  agent_flag: "坐席标记识别错误",
};
