// The kiosk: the services a citizen can queue for, grouped by field, in large touch targets;
// the priority groups the hall settings name; taking a number shows it, prints it on an 80 mm
// receipt printer (print CSS) and gives a QR to follow one's place on a phone.
"use strict";

(() => {
  const page = "kiosk";
  const $ = (id) => document.getElementById(id);
  let reason = null;
  let back = null;
  // The hall settings name the priority groups by code; the kiosk speaks Vietnamese (a code it
  // does not know is shown as the settings wrote it).
  const groups = {
    elderly: "Người cao tuổi", disability: "Người khuyết tật", pregnancy: "Phụ nữ mang thai",
    veteran: "Người có công với cách mạng", "young-child": "Người đi cùng trẻ dưới 6 tuổi",
  };

  function priorityButtons(reasons) {
    $("priority-box").classList.toggle("hidden", reasons.length === 0);
    $("priority").replaceChildren(...reasons.map((text) => {
      const button = Desk.element("button", {
        type: "button", class: "secondary", "aria-pressed": String(reason === text), "data-reason": text, text: groups[text] || text,
      });
      button.addEventListener("click", () => {
        reason = reason === text ? null : text;
        $("priority").querySelectorAll("button").forEach((node) => node.setAttribute("aria-pressed", String(node.dataset.reason === reason)));
      });
      return button;
    }));
  }

  async function menu() {
    try {
      const data = await Desk.api(page, "GET", "/api/v1/queue/menu");
      if (data.centre) $("centre").textContent = data.centre;
      priorityButtons(data.priorityReasons);
      const fields = new Map();
      for (const service of data.services) {
        const field = service.field || "Dịch vụ khác";
        if (!fields.has(field)) fields.set(field, []);
        fields.get(field).push(service);
      }
      const other = "Dịch vụ khác";
      const ordered = [...fields].sort(([a], [b]) => (a === other) - (b === other) || a.localeCompare(b, "vi"));
      const sections = ordered.map(([field, services]) => Desk.element("section", {},
        Desk.element("h2", { text: field }),
        Desk.element("div", { class: "service-buttons" }, ...services.map((service) => Desk.element("button", {
          type: "button", "data-service": service.code, onclick: () => take(service),
        }, service.name, Desk.element("small", { text: `${service.waiting} người đang chờ · khoảng ${service.estimatedWaitMinutes} phút` }))))));
      $("services").replaceChildren(...sections);
      Desk.show($("problem"), null);
    } catch (error) {
      Desk.show($("problem"), error);
    }
  }

  let taking = false;

  async function take(service) {
    // One number per touch: a second tap while the first is on its way does nothing.
    if (taking) return;
    taking = true;
    $("services").querySelectorAll("button").forEach((button) => { button.disabled = true; });
    const body = { service: service.code };
    if (reason) Object.assign(body, { priority: "priority", priorityReason: reason });
    try {
      const issued = await Desk.api(page, "POST", "/api/v1/queue-numbers", body, {
        headers: { "Idempotency-Key": crypto.randomUUID() },
      });
      const number = issued.number;
      // Shown first, then filled: a screen reader announces what appears in a live region.
      $("menu").classList.add("hidden");
      $("issued").classList.remove("hidden");
      $("issued-label").textContent = number.label;
      $("issued-service").textContent = service.name + (number.priority === "priority" ? ` (ưu tiên: ${groups[number.priorityReason] || number.priorityReason})` : "");
      $("issued-wait").textContent = `Trước quý khách còn ${issued.position - 1} người · thời gian chờ khoảng ${issued.estimatedWaitMinutes} phút`;
      $("issued-time").textContent = `Lấy số lúc ${Desk.moment(number.issuedAt)}`;
      const image = $("issued-qr");
      if (localStorage.getItem("servicedesk.kiosk.print") !== "off") {
        // Printed once the QR is drawn, or without it if it cannot be: never twice.
        const print = () => {
          image.removeEventListener("load", print);
          image.removeEventListener("error", print);
          window.print();
        };
        image.addEventListener("load", print);
        image.addEventListener("error", print);
      }
      image.src = `/api/v1/public/queue-numbers/${encodeURIComponent(number.day)}/${encodeURIComponent(number.label)}/qr`;
      document.body.dataset.issued = number.label;
      reason = null;
      Desk.show($("problem"), null);
      clearTimeout(back);
      back = setTimeout(done, 30_000);
    } catch (error) {
      Desk.show($("problem"), error);
    } finally {
      taking = false;
      $("services").querySelectorAll("button").forEach((button) => { button.disabled = false; });
    }
  }

  function done() {
    clearTimeout(back);
    $("issued").classList.add("hidden");
    $("menu").classList.remove("hidden");
    menu();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("print").addEventListener("click", () => window.print());
    $("done").addEventListener("click", done);
    // A kiosk in the hall takes a kiosk token only: a staff member's would stay on it.
    Desk.signIn(page, ["kiosk"], () => {
      menu();
      setInterval(() => { if (!$("menu").classList.contains("hidden")) menu(); }, 30_000);
    });
  });
})();
