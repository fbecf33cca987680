// The citizen's lookup, on a phone: a dossier by its code and the phone given at intake (state,
// where it is, the appointment, what is missing — nothing personal); a walk-in number followed
// from the kiosk's QR; a printed form's QR seal checked. Public, rate-limited by the server.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const dl = (pairs) => Desk.element("dl", {}, ...pairs.filter(([, value]) => value).flatMap(([term, value]) =>
    [Desk.element("dt", { text: term }), Desk.element("dd", { text: value })]));

  async function ticket(code, phone) {
    try {
      const status = await Desk.api(null, "GET", `/api/v1/public/tickets/${encodeURIComponent(code)}?phone=${encodeURIComponent(phone)}`);
      const appointment = status.revisedDueAt || status.dueAt;
      const answer = $("answer");
      answer.classList.remove("hidden");
      answer.replaceChildren(
        dl([["Mã hồ sơ", status.code], ["Thủ tục", status.service], ["Tình trạng", Desk.states[status.state] || status.state],
          ["Đang ở", status.department], ["Ngày tiếp nhận", Desk.moment(status.receivedAt)],
          ["Hẹn trả kết quả", appointment ? Desk.moment(appointment) + (status.revisedDueAt ? " (đã hẹn lại)" : "") : ""]]),
        status.missing && status.missing.length
          ? Desk.element("div", {}, Desk.element("p", { text: "Giấy tờ cần bổ sung:" }), Desk.element("ol", {}, ...status.missing.map((item) => Desk.element("li", { text: item }))))
          : "");
      answer.classList.remove("hidden");
      Desk.show($("lookup-problem"), null);
    } catch (error) {
      $("answer").classList.add("hidden");
      if (error.status === 404) error.message = "Không tìm thấy hồ sơ với mã và số điện thoại này. Vui lòng kiểm tra lại.";
      Desk.show($("lookup-problem"), error);
    }
  }

  const finalStates = ["served", "no-show", "transferred", "closed"];
  let following = null;

  /** Follows a number every 15 s while the page is seen, until it reaches a final state. */
  async function number(label, day) {
    if (document.hidden) return;
    $("number").classList.remove("hidden");
    try {
      const state = await Desk.api(null, "GET", `/api/v1/public/queue-numbers/${encodeURIComponent(day)}/${encodeURIComponent(label)}`);
      $("number-label").textContent = `${state.label} — ${state.service}`;
      const text = {
        waiting: `Đang chờ: trước quý khách còn ${(state.position || 1) - 1} người, thời gian chờ khoảng ${state.estimatedWaitMinutes} phút.`,
        called: `Đến lượt quý khách: mời đến quầy số ${state.counter}.`,
        serving: `Quý khách đang được phục vụ tại quầy số ${state.counter}.`,
        served: "Đã phục vụ xong. Cảm ơn quý khách.",
        "no-show": "Số đã được gọi nhưng quý khách vắng mặt. Vui lòng lấy số mới.",
        transferred: "Số đã được chuyển sang dịch vụ khác.",
        closed: "Số đã hết hiệu lực (hết ngày làm việc).",
      }[state.state];
      $("number-state").textContent = text || state.state;
      document.body.dataset.numberState = state.state;
      if (finalStates.includes(state.state)) clearInterval(following);
    } catch (error) {
      $("number-state").textContent = error.status === 404 ? "Không tìm thấy số này trong ngày hôm nay." : error.message;
      if (error.status === 404 || error.status === 422) clearInterval(following);
    }
  }

  async function verify(seal) {
    try {
      const verdict = await Desk.api(null, "GET", `/api/v1/public/verify?seal=${encodeURIComponent(seal)}`);
      const box = $("verdict");
      box.classList.remove("hidden");
      box.className = verdict.genuine && verdict.current ? "notice" : "problem";
      const headline = !verdict.genuine ? "Phiếu KHÔNG hợp lệ." : verdict.current ? "Phiếu hợp lệ, do trung tâm cấp và chưa bị sửa đổi." : "Phiếu do trung tâm cấp nhưng không còn hiệu lực.";
      box.replaceChildren(Desk.element("p", {}, Desk.element("b", { text: headline })),
        verdict.reason ? Desk.element("p", { text: verdict.reason }) : "",
        dl([["Phiếu", verdict.title], ["Số", verdict.number], ["Mã hồ sơ", verdict.code],
          ["Tình trạng hồ sơ", verdict.state ? Desk.states[verdict.state] || verdict.state : ""],
          ["Hẹn trả kết quả hiện nay", verdict.currentAppointment]]));
      Desk.show($("verify-problem"), null);
    } catch (error) {
      $("verdict").classList.add("hidden");
      Desk.show($("verify-problem"), error);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("lookup").addEventListener("submit", (event) => {
      event.preventDefault();
      ticket(event.target.elements.code.value.trim(), event.target.elements.phone.value.trim());
    });
    $("verify").addEventListener("submit", (event) => {
      event.preventDefault();
      verify(event.target.elements.seal.value.trim());
    });
    const query = new URLSearchParams(location.search);
    if (query.get("so") && query.get("ngay")) {
      const follow = () => number(query.get("so"), query.get("ngay"));
      follow();
      following = setInterval(follow, 15_000);
      document.addEventListener("visibilitychange", follow);
    }
    if (query.get("ma")) $("code").value = query.get("ma");
  });
})();
