// The counter console: the officer's counter (open, close, call next, recall, start, finish,
// no-show, transfer), an intake started from the called number with the API's own validation
// shown field by field, the paper printed in one click, and the results waiting to be returned.
"use strict";

(() => {
  const page = "counter";
  const $ = (id) => document.getElementById(id);
  let me = null;
  let counter = null;
  let current = null;
  let services = [];
  // One key per filled-in form: a double click or a retry after a timeout is the same intake.
  let intakeKey = null;

  const problemBox = () => $("hall-problem");

  async function hall(action) {
    try {
      await action();
      Desk.show(problemBox(), null);
    } catch (error) {
      Desk.show(problemBox(), error);
    }
  }

  const numberStates = {
    waiting: "đang chờ", called: "đã gọi", serving: "đang phục vụ", served: "đã phục vụ xong", "no-show": "vắng mặt",
    transferred: "đã chuyển dịch vụ", closed: "đã đóng",
  };

  function showCurrent() {
    $("current").textContent = current ? `${current.label} · ${numberStates[current.state] || current.state}` : "—";
    document.body.dataset.numberState = current ? current.state : "";
    if (current) {
      const select = $("service");
      if ([...select.options].some((option) => option.value === current.service)) select.value = current.service;
    }
  }

  async function loadCounters() {
    const list = await Desk.api(page, "GET", "/api/v1/counters");
    const select = $("counter-select");
    select.replaceChildren(...list.map((item) => Desk.element("option", { value: item.number, text: `Quầy ${item.number} — ${item.name}` })));
    const remembered = localStorage.getItem("servicedesk.counter.number");
    if (remembered && list.some((item) => String(item.number) === remembered)) select.value = remembered;
    counter = list.find((item) => String(item.number) === select.value) || null;
    $("counter-state").textContent = counter ? (counter.open ? `Đang mở${counter.officer ? ` · ${counter.officer}` : ""}` : "Đang đóng") : "Chưa có quầy nào";
  }

  async function loadServices() {
    services = [];
    let cursor = null;
    do {
      const next = await Desk.api(page, "GET", `/api/v1/services?active=true&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      services.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor);
    $("service").replaceChildren(...services.map((service) => Desk.element("option", { value: service.code, text: `${service.name} (${service.code})` })));
    $("transfer-service").replaceChildren(...services.filter((service) => service.queuePrefix)
      .map((service) => Desk.element("option", { value: service.code, text: service.name })));
  }

  async function loadReturns() {
    try {
      const list = await Desk.api(page, "GET", "/api/v1/tickets?status=resolved&limit=50");
      $("returns").replaceChildren(...list.items.map((view) => Desk.element("tr", {},
        Desk.element("td", { text: view.code }), Desk.element("td", { text: view.service }),
        Desk.element("td", {}, Desk.element("button", { type: "button", class: "secondary", onclick: () => giveBack(view) }, "Trả kết quả")))));
      if (list.items.length === 0) $("returns").replaceChildren(Desk.element("tr", {}, Desk.element("td", { class: "muted", text: "Không có hồ sơ chờ trả." })));
    } catch (error) {
      Desk.show(problemBox(), error);
    }
  }

  function giveBack(view) {
    hall(async () => {
      await Desk.api(page, "POST", `/api/v1/tickets/${encodeURIComponent(view.code)}/actions/return`, { version: view.version });
      await loadReturns();
    });
  }

  function numberAction(action, body = {}) {
    hall(async () => {
      if (!current) throw new Desk.Problem(0, { detail: "Chưa gọi số nào." });
      const after = await Desk.api(page, "POST", `/api/v1/queue-numbers/${current.id}/actions/${action}`, Object.assign({ counter: counter.number }, body));
      // A number sent to another service or gone is no longer this counter's.
      current = action === "transfer" || action === "no-show" ? null : after;
      showCurrent();
    });
  }

  function documentRow(name = "") {
    const row = Desk.element("div", { class: "doc" },
      Desk.element("input", { "aria-label": "Tên giấy tờ", value: name, class: "doc-name" }),
      Desk.element("input", { "aria-label": "Số bản", type: "number", min: "1", value: "1", class: "doc-copies" }),
      Desk.element("select", { "aria-label": "Bản chính hay bản sao", class: "doc-original" },
        Desk.element("option", { value: "true", text: "Bản chính" }), Desk.element("option", { value: "false", text: "Bản sao" })),
      Desk.element("label", { class: "inline" }, Desk.element("input", { type: "checkbox", class: "doc-received", checked: true }), "Đã nhận"));
    $("documents").append(row);
  }

  function intakeBody(form) {
    const value = (name) => form.elements[name].value.trim() || undefined;
    const applicant = { kind: value("kind"), name: value("name"), idNumber: value("idNumber"), taxCode: value("taxCode"),
      phone: value("phone"), email: value("email"), address: value("address") };
    if (value("repName")) {
      applicant.representative = { name: value("repName"), idNumber: value("repId"), phone: value("repPhone"), authorisation: value("repAuth") };
    }
    const documents = [...$("documents").querySelectorAll(".doc")]
      .filter((row) => row.querySelector(".doc-received").checked && row.querySelector(".doc-name").value.trim())
      .map((row) => ({ name: row.querySelector(".doc-name").value.trim(), copies: Number(row.querySelector(".doc-copies").value) || 1,
        original: row.querySelector(".doc-original").value === "true" }));
    const outcome = form.elements.outcome.value;
    const body = { service: value("service"), channel: "counter", applicant, description: value("description"), documents, outcome };
    if (outcome === "incomplete") body.missing = (form.elements.missing.value || "").split("\n").map((line) => line.trim()).filter(Boolean);
    if (outcome === "refused") body.reasons = value("reasons");
    if (current && current.label) body.queueNumber = current.label;
    return body;
  }

  /** A form printed in one click: its HTML (fetched with the token) in a hidden frame, then print. */
  async function printForm(link) {
    const html = await Desk.api(page, "GET", link.href, undefined, { accept: "text/html" });
    // Sandboxed without scripts: the frame can print (allow-modals) and be read by this page
    // (allow-same-origin), and could run nothing even if a form carried a script.
    const frame = Desk.element("iframe", { title: link.title, class: "visually-hidden", sandbox: "allow-same-origin allow-modals" });
    frame.srcdoc = html;
    frame.addEventListener("load", () => {
      document.body.dataset.printed = link.form;
      frame.contentWindow.print();
      setTimeout(() => frame.remove(), 60_000);
    }, { once: true });
    document.body.append(frame);
  }

  function showReceipt(result) {
    const receipt = result.receipt;
    const box = $("receipt");
    box.classList.remove("hidden");
    const outcome = { accepted: "Đã tiếp nhận", incomplete: "Yêu cầu bổ sung", refused: "Từ chối tiếp nhận" }[receipt.outcome];
    box.replaceChildren(
      Desk.element("p", {}, `${outcome}: `, Desk.element("b", { text: receipt.code })),
      receipt.dueLocal ? Desk.element("p", { text: `Hẹn trả kết quả: ${receipt.dueLocal}` }) : "",
      ...receipt.warnings.map((warning) => Desk.element("p", { class: "problem", text: warning })),
      Desk.element("div", { class: "actions" }, ...receipt.forms.map((link) => Desk.element("button", {
        type: "button", "data-form": link.form, onclick: () => printForm(link).catch((error) => Desk.show($("intake-problem"), error)),
      }, `In ${link.title.toLowerCase()} (mẫu ${link.form})`))));
    document.body.dataset.received = receipt.code;
  }

  function outcomeBoxes(form) {
    $("missing-box").classList.toggle("hidden", form.elements.outcome.value !== "incomplete");
    $("reasons-box").classList.toggle("hidden", form.elements.outcome.value !== "refused");
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = $("intake");
    form.addEventListener("change", () => outcomeBoxes(form));
    $("add-document").addEventListener("click", () => documentRow());
    documentRow("Tờ khai");
    form.addEventListener("input", () => { intakeKey = null; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      if (submit.disabled) return;
      submit.disabled = true;
      intakeKey = intakeKey || crypto.randomUUID();
      try {
        const result = await Desk.api(page, "POST", "/api/v1/tickets", intakeBody(form), { headers: { "Idempotency-Key": intakeKey } });
        intakeKey = null;
        Desk.fieldErrors(form, []);
        Desk.show($("intake-problem"), null);
        showReceipt(result);
        form.reset();
        $("documents").replaceChildren();
        documentRow("Tờ khai");
        outcomeBoxes(form);
      } catch (error) {
        Desk.fieldErrors(form, error.errors);
        Desk.show($("intake-problem"), error);
      } finally {
        submit.disabled = false;
      }
    });
    $("counter-select").addEventListener("change", (event) => {
      localStorage.setItem("servicedesk.counter.number", event.target.value);
      hall(loadCounters);
    });
    $("open").addEventListener("click", () => hall(async () => {
      if (!counter) throw new Desk.Problem(0, { detail: "Chưa có quầy nào: quản trị viên tạo quầy trước." });
      await Desk.api(page, "PATCH", `/api/v1/counters/${counter.number}`, { open: true, officer: me.username });
      await loadCounters();
    }));
    $("close").addEventListener("click", () => hall(async () => {
      if (!counter) throw new Desk.Problem(0, { detail: "Chưa có quầy nào." });
      await Desk.api(page, "PATCH", `/api/v1/counters/${counter.number}`, { open: false });
      await loadCounters();
    }));
    $("call").addEventListener("click", () => hall(async () => {
      if (!counter) throw new Desk.Problem(0, { detail: "Chưa có quầy nào: quản trị viên tạo quầy trước." });
      if (current && (current.state === "called" || current.state === "serving")) {
        throw new Desk.Problem(0, { detail: `Số ${current.label} đang ở quầy: kết thúc, chuyển hoặc đánh dấu vắng mặt trước khi gọi số mới.` });
      }
      const called = await Desk.api(page, "POST", `/api/v1/counters/${counter.number}/call-next`);
      if (!called) throw new Desk.Problem(204, { detail: "Không còn ai chờ ở các dịch vụ của quầy này." });
      current = called;
      showCurrent();
    }));
    $("recall").addEventListener("click", () => numberAction("recall"));
    $("start").addEventListener("click", () => numberAction("start"));
    $("finish").addEventListener("click", () => numberAction("finish"));
    $("no-show").addEventListener("click", () => numberAction("no-show"));
    $("transfer").addEventListener("click", () => numberAction("transfer", { service: $("transfer-service").value }));
    Desk.signIn(page, ["officer", "supervisor", "admin"], async (who) => {
      me = who;
      $("me").textContent = who.name;
      await hall(async () => { await loadServices(); await loadCounters(); await loadReturns(); });
      setInterval(loadReturns, 60_000);
    });
  });
})();
