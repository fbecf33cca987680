// The supervisor's board: today's hall, the month's progress indicators and the tickets overdue
// or at risk by department, from the report API; charts are SVG drawn here (nothing fetched
// from elsewhere). Refreshes itself every 30 seconds.
"use strict";

(() => {
  const page = "board";
  const $ = (id) => document.getElementById(id);
  const svg = (tag, attributes = {}, ...children) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  };
  const number = (value) => (typeof value === "number" ? value : Number(value) || 0);

  /** Horizontal stacked bars: per row, at-risk (amber) and overdue (red) beside the rest. */
  function chart(rows) {
    const width = 960, bar = 22, gap = 10, left = 380;
    const short = (text) => (text.length > 48 ? `${text.slice(0, 47)}…` : text);
    const max = Math.max(1, ...rows.map((row) => number(row.open)));
    const height = rows.length * (bar + gap) + 10;
    const parts = rows.flatMap((row, index) => {
      const y = 5 + index * (bar + gap);
      const scale = (value) => (number(value) / max) * (width - left - 60);
      const overdue = scale(row.overdue), risk = scale(row.atRisk), rest = Math.max(0, scale(row.open) - overdue - risk);
      return [
        svg("text", { x: left - 8, y: y + bar * 0.7, "text-anchor": "end" }, short(row.name || row.group || "—")),
        svg("rect", { x: left, y, width: overdue, height: bar, fill: "#a4161a" }),
        svg("rect", { x: left + overdue, y, width: risk, height: bar, fill: "#d08c00" }),
        svg("rect", { x: left + overdue + risk, y, width: rest, height: bar, fill: "#7fa7d9" }),
        svg("text", { x: left + overdue + risk + rest + 6, y: y + bar * 0.7 }, String(number(row.open))),
      ];
    });
    return svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
      "aria-label": "Hồ sơ đang giải quyết theo cơ quan: đỏ quá hạn, vàng sắp đến hạn" }, ...parts);
  }

  async function refresh() {
    try {
      const month = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit" }).format(new Date()).slice(0, 7);
      const [status, counters, backlog, progress] = await Promise.all([
        Desk.api(page, "GET", "/api/v1/queue/status"),
        Desk.api(page, "GET", "/api/v1/counters"),
        Desk.api(page, "GET", "/api/v1/reports/backlog?by=department"),
        Desk.api(page, "GET", `/api/v1/reports/progress?period=${month}`),
      ]);
      $("waiting").textContent = String(status.reduce((sum, service) => sum + service.waiting, 0));
      const longest = Math.max(0, ...status.map((service) => service.oldestWaitMinutes || 0));
      $("longest").textContent = `${longest} phút`;
      $("open").textContent = `${counters.filter((item) => item.open).length}/${counters.length}`;
      const rows = backlog.rows.filter((row) => number(row.open) > 0);
      $("chart").replaceChildren(chart(rows));
      $("backlog").replaceChildren(...rows.map((row) => Desk.element("tr", {},
        Desk.element("td", { text: row.name || row.group }), Desk.element("td", { text: String(number(row.open)) }),
        Desk.element("td", { text: String(number(row.atRisk)) }), Desk.element("td", { text: String(number(row.overdue)) }))));
      const total = progress.rows[0] || {};
      $("month").textContent = month;
      const rate = total.onTimeRate === null || total.onTimeRate === undefined ? "—" : `${Math.round(number(total.onTimeRate) * 1000) / 10}%`;
      $("progress").replaceChildren(Desk.element("div", { class: "answer" }, Desk.element("dl", {},
        ...[["Tiếp nhận", total.received], ["Đã giải quyết", total.resolved], ["Đúng hạn và trước hạn", rate],
          ["Đang giải quyết quá hạn", total.openOverdue], ["Chờ công dân bổ sung", total.waitingOnCitizen]]
          .flatMap(([term, value]) => [Desk.element("dt", { text: term }), Desk.element("dd", { text: String(value ?? "—") })]))));
      $("updated").textContent = `Cập nhật ${Desk.moment(new Date().toISOString())}`;
      document.body.dataset.refreshed = String(Date.now());
      Desk.show($("problem"), null);
    } catch (error) {
      Desk.show($("problem"), error);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    Desk.signIn(page, ["supervisor", "admin"], () => {
      refresh();
      setInterval(refresh, 30_000);
    });
  });
})();
