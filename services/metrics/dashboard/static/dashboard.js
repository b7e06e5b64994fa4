// The regulators' dashboard: signs in with intake, then draws what the metrics API answers.
// Every number shown comes from the API; the page only sums the summary rows for the headline.
"use strict";

const TOKEN_KEY = "zv-dashboard-token";
const CATEGORY_NAMES = {
  hv_new_install: "高压新装",
  hv_capacity_increase: "高压增容",
  sme_lv: "小微企业低压",
  residential_lv: "居民低压",
  non_residential_lv: "非居民低压",
};
const VIOLATION_NAMES = {
  customer_fee_zero_investment: "零投资范围内向客户收费",
  visits_over_allowance: "上门次数超标",
  overdue_steps: "环节超时",
  long_pause: "长时间暂停",
  unlicensed_contractor: "承装单位无有效许可",
  disputed_visit: "客户对上门记录有异议",
  disputed_fee: "客户对收费记录有异议",
};
const COMPLAINT_TOPICS = { delay: "超时", fee: "收费", visit: "上门", documents: "资料", service: "服务", other: "其他" };
const COMPLAINT_STATUS = { received: "已受理", assigned: "已转办", resolved: "已办结" };
const ROLE_NAMES = { regulator: "监管人员", manager: "供电企业管理人员", admin: "管理员" };
const charts = {};
let generation = 0; // a newer query wins over an older one still under way

const $ = (selector) => document.querySelector(selector);

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function claims() {
  const value = token();
  if (!value) return null;
  try {
    const payload = value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(payload))));
  } catch (error) {
    return null;
  }
}

async function api(path, params) {
  const query = new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v !== "" && v != null));
  const response = await fetch(`${path}${query.size ? "?" + query : ""}`, {
    headers: { Authorization: `Bearer ${token()}` },
  });
  if (response.status === 401) {
    signOut();
    throw new Error("登录已过期，请重新登录");
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || body.title || `错误 ${response.status}`);
  return body;
}

// Formatting: rates as percentages, averages with one decimal, a dash where there is no case.
function pct(value) {
  return value == null ? "—" : `${(value * 100).toFixed(1)}%`;
}
function dec(value, digits = 1) {
  return value == null ? "—" : Number(value).toFixed(digits);
}
function int(value) {
  return value == null ? "—" : String(value);
}

function cell(text, field, value) {
  const td = document.createElement("td");
  td.textContent = text;
  if (field) {
    td.dataset.field = field;
    td.dataset.value = JSON.stringify(value === undefined ? null : value);
  }
  return td;
}

function fillTable(table, headers, rows) {
  table.tHead.replaceChildren(row(headers.map((h) => { const th = document.createElement("th"); th.textContent = h; return th; })));
  table.tBodies[0].replaceChildren(...rows);
}

function row(cells, attributes) {
  const tr = document.createElement("tr");
  tr.append(...cells);
  Object.assign(tr.dataset, attributes || {});
  return tr;
}

const FIGURE_COLUMNS = [
  ["connected_count", "接电户数", int],
  ["avg_working_days", "平均时长(工作日)", dec],
  ["p90_working_days", "P90 时长", int],
  ["within_limit_rate", "时限内完成率", pct],
  ["zero_visit_rate", "零上门率", pct],
  ["online_rate", "线上办电率", pct],
  ["avg_customer_cost", "户均费用(元)", (v) => dec(v, 2)],
  ["avg_evaluation", "平均评价", (v) => dec(v, 2)],
  ["open_overdue_count", "当前超期", int],
];

function headline(rows) {
  const n = rows.reduce((sum, r) => sum + r.connected_count, 0);
  const weighted = (name) => (n ? rows.reduce((sum, r) => sum + r.connected_count * (r[name] || 0), 0) / n : null);
  const cards = [
    ["connected_count", "接电户数", n, int],
    ["avg_working_days", "平均办电时长(工作日)", weighted("avg_working_days"), dec],
    ["within_limit_rate", "时限内完成率", weighted("within_limit_rate"), pct],
    ["zero_visit_rate", "零上门率", weighted("zero_visit_rate"), pct],
    ["online_rate", "线上办电率", weighted("online_rate"), pct],
    ["open_overdue_count", "当前超期在办", rows.reduce((sum, r) => sum + r.open_overdue_count, 0), int],
  ];
  $("#headline").replaceChildren(
    ...cards.map(([field, label, value, format]) => {
      const card = document.createElement("div");
      card.className = "card";
      const strong = document.createElement("strong");
      strong.textContent = format(value);
      strong.dataset.field = field;
      strong.dataset.value = JSON.stringify(value);
      const span = document.createElement("span");
      span.textContent = label;
      card.append(strong, span);
      return card;
    }),
  );
}

function categories(rows) {
  fillTable(
    $("#categories"),
    ["类别", ...FIGURE_COLUMNS.map(([, label]) => label)],
    rows.map((r) =>
      row(
        [cell(CATEGORY_NAMES[r.category] || r.category), ...FIGURE_COLUMNS.map(([name, , f]) => cell(f(r[name]), name, r[name]))],
        { category: r.category },
      ),
    ),
  );
}

function chart(id) {
  charts[id] = charts[id] || echarts.init(document.getElementById(id));
  return charts[id];
}

function companies(list) {
  const names = list.map((c) => c.grid_company);
  chart("companies-chart").setOption(
    {
      tooltip: { trigger: "axis", valueFormatter: (v) => pct(v) },
      grid: { left: 110, right: 40, top: 20, bottom: 30 },
      xAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      yAxis: { type: "category", data: names, inverse: true },
      series: [{ name: "时限内完成率", type: "bar", data: list.map((c) => c.within_limit_rate), label: { show: true, position: "right", formatter: (p) => pct(p.value) } }],
    },
    true,
  );
  fillTable(
    $("#companies"),
    ["排名", "供电企业", "接电户数", "平均时长", "时限内完成率", "平均评价", "投诉数", "万户投诉", "争议数", "当前超期"],
    list.map((c) =>
      row(
        [
          cell(int(c.rank), "rank", c.rank),
          cell(c.grid_company),
          cell(int(c.connected_count), "connected_count", c.connected_count),
          cell(dec(c.avg_working_days), "avg_working_days", c.avg_working_days),
          cell(pct(c.within_limit_rate), "within_limit_rate", c.within_limit_rate),
          cell(dec(c.avg_evaluation, 2), "avg_evaluation", c.avg_evaluation),
          cell(int(c.complaints_count), "complaints_count", c.complaints_count),
          cell(dec(c.complaints_per_10k), "complaints_per_10k", c.complaints_per_10k),
          cell(int(c.disputes_count), "disputes_count", c.disputes_count),
          cell(int(c.open_overdue_count), "open_overdue_count", c.open_overdue_count),
        ],
        { company: c.grid_company },
      ),
    ),
  );
}

function trend(months) {
  const labels = months.map((m) => m.month);
  const categoryCodes = Object.keys(CATEGORY_NAMES);
  const series = (field) =>
    categoryCodes.map((code) => ({
      id: code,
      name: CATEGORY_NAMES[code],
      type: "line",
      connectNulls: false,
      data: months.map((m) => (m.rows.find((r) => r.category === code) || {})[field] ?? null),
    }));
  const base = (title, formatter) => ({
    title: { text: title, left: "center", top: 0, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { top: 30, type: "scroll" },
    grid: { left: 50, right: 20, top: 72, bottom: 30 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", axisLabel: { formatter } },
  });
  chart("trend-days-chart").setOption({ ...base("平均办电时长（工作日）", (v) => v), series: series("avg_working_days") }, true);
  chart("trend-within-chart").setOption(
    { ...base("时限内完成率", (v) => `${Math.round(v * 100)}%`), series: series("within_limit_rate") },
    true,
  );
}

function violations(page) {
  fillTable(
    $("#violations"),
    ["案件", "类别", "供电企业", "地区", "接电日期", "问题", "违规收费(元)", "上门次数", "超时环节", "最长暂停"],
    page.items.map((v) => {
      const link = document.createElement("a");
      link.href = `#case/${encodeURIComponent(v.case_id)}`;
      link.textContent = v.case_id;
      link.className = "evidence-link";
      link.addEventListener("click", (event) => {
        event.preventDefault();
        showEvidence(v.case_id);
      });
      const first = document.createElement("td");
      first.append(link);
      return row(
        [
          first,
          cell(CATEGORY_NAMES[v.report_category] || v.report_category || "—"),
          cell(v.grid_company || "—"),
          cell(v.region || "—"),
          cell(v.connected_on || "—"),
          cell(v.kinds.map((k) => VIOLATION_NAMES[k] || k).join("、"), "kinds", v.kinds),
          cell(dec(v.flagged_fee_yuan, 2), "flagged_fee_yuan", v.flagged_fee_yuan),
          cell(`${v.visits}${v.allowed_visits == null ? "" : " / " + v.allowed_visits}`, "visits", v.visits),
          cell(v.overdue_steps.join("、") || "—", "overdue_steps", v.overdue_steps),
          cell(int(v.longest_pause_working_days), "longest_pause_working_days", v.longest_pause_working_days),
        ],
        { caseId: v.case_id },
      );
    }),
  );
  if (page.total > page.items.length) {
    $("#violations").tBodies[0].append(row([cell(`共 ${page.total} 条，显示前 ${page.items.length} 条`)]));
  }
}

async function showEvidence(caseId) {
  const body = await api(`/api/v1/metrics/cases/${encodeURIComponent(caseId)}`);
  $("#evidence-id").textContent = caseId;
  $("#evidence-body").textContent = JSON.stringify(body, null, 2);
  $("#evidence").hidden = false;
  $("#evidence").scrollIntoView();
}

function complaints(page) {
  fillTable(
    $("#complaints"),
    ["受理日期", "地区", "供电企业", "类型", "状态", "内容", "处理结果"],
    page.items.map((c) =>
      row(
        [
          cell(c.received_on),
          cell(c.region),
          cell(c.grid_company),
          cell(COMPLAINT_TOPICS[c.category] || c.category),
          cell(COMPLAINT_STATUS[c.status] || c.status, "status", c.status),
          cell(c.summary),
          cell(c.resolution || "—"),
        ],
        { complaintId: c.id },
      ),
    ),
  );
}

function months(period) {
  const year = period.slice(0, 4);
  return period.endsWith("H1") ? { from: `${year}-01`, to: `${year}-06` } : { from: `${year}-07`, to: `${year}-12` };
}

async function load() {
  const form = new FormData($("#filters"));
  const period = String(form.get("period")).toUpperCase();
  const region = String(form.get("region") || "");
  const mine = ++generation;
  $("#status").textContent = "加载中…";
  $("#board").dataset.loaded = "false";
  try {
    const scope = { region };
    const [summary, ranking, monthly, found, complaintPage] = await Promise.all([
      api("/api/v1/metrics/summary", { period, ...scope }),
      api("/api/v1/metrics/grid-companies", { period, ...scope }),
      api("/api/v1/metrics/trend", { ...months(period), ...scope }),
      api("/api/v1/metrics/violations", { period, limit: 50, ...scope }),
      api("/api/v1/complaints", { period, limit: 50, ...scope }),
    ]);
    if (mine !== generation) return;
    headline(summary.rows);
    categories(summary.rows);
    companies(ranking.companies);
    trend(monthly.months);
    violations(found);
    complaints(complaintPage);
    $("#status").textContent = `${summary.period} 已更新`;
    $("#board").dataset.loaded = "true";
  } catch (error) {
    if (mine === generation) $("#status").textContent = error.message;
  }
}

function currentHalfYear() {
  const now = new Date();
  return `${now.getFullYear()}H${now.getMonth() < 6 ? 1 : 2}`;
}

function showBoard() {
  const who = claims();
  $("#who").textContent = who ? ROLE_NAMES[who.role] || who.role : "";
  $("#sign-in-panel").hidden = true;
  $("#board").hidden = false;
  $("#sign-out").hidden = false;
  const periodInput = $("#filters").elements.period;
  if (!periodInput.value) periodInput.value = currentHalfYear();
  load();
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  $("#board").hidden = true;
  $("#sign-out").hidden = true;
  $("#sign-in-panel").hidden = false;
  $("#who").textContent = "";
}

async function signIn(event) {
  event.preventDefault();
  $("#sign-in-error").textContent = "";
  try {
    const config = await (await fetch("/dashboard/config.json")).json();
    if (!config.token_url) throw new Error("未配置登录地址");
    const response = await fetch(config.token_url, { method: "POST", body: new URLSearchParams(new FormData(event.target)) });
    const body = await response.json();
    if (!response.ok) throw new Error(response.status === 401 ? "用户名或密码错误" : body.detail || `登录失败 ${response.status}`);
    sessionStorage.setItem(TOKEN_KEY, body.access_token);
    showBoard();
  } catch (error) {
    $("#sign-in-error").textContent = error.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#sign-in").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  $("#evidence-close").addEventListener("click", () => { $("#evidence").hidden = true; });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  if (token()) showBoard();
});
