// ServiceDesk screens: what every page shares. No framework, nothing fetched from elsewhere.
// Tokens live in the browser only: sessionStorage, or localStorage when the user asks to be
// remembered on this device; never in a URL.
"use strict";

const Desk = (() => {
  const key = (page) => `servicedesk.token.${page}`;

  function token(page) {
    return sessionStorage.getItem(key(page)) || localStorage.getItem(key(page));
  }

  function forget(page) {
    sessionStorage.removeItem(key(page));
    localStorage.removeItem(key(page));
  }

  /** An API error in the problem's own words (RFC 9457), with its field errors. */
  class Problem extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || `HTTP ${status}`);
      this.status = status;
      this.errors = (body && body.errors) || [];
    }
  }

  async function api(page, method, path, body, extra = {}) {
    const headers = { Accept: extra.accept || "application/json" };
    const stored = page ? token(page) : null;
    if (stored) headers.Authorization = `Bearer ${stored}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    Object.assign(headers, extra.headers || {});
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    } catch (error) {
      throw new Problem(0, { detail: "Không kết nối được với máy chủ. Vui lòng thử lại." });
    }
    if (response.status === 204) return null;
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      const problem = type.includes("json") ? await response.json().catch(() => null) : null;
      // What a citizen may meet is said in Vietnamese; staff see the problem's own words.
      if (response.status === 429) throw new Problem(429, { detail: "Có quá nhiều yêu cầu từ mạng này. Vui lòng thử lại sau một phút." });
      if (response.status >= 500) throw new Problem(response.status, { detail: "Máy chủ đang bận hoặc gặp sự cố. Vui lòng thử lại sau." });
      throw new Problem(response.status, problem);
    }
    return type.includes("json") ? response.json() : response.text();
  }

  /** Shows `error` in `box` (an element), or hides the box when error is null. */
  function show(box, error) {
    if (!box) return;
    box.textContent = error ? error.message : "";
    box.classList.toggle("hidden", !error);
  }

  /** Field errors next to the inputs that have `data-field="applicant.phone"`. */
  function fieldErrors(form, errors) {
    form.querySelectorAll(".field-error").forEach((node) => node.remove());
    form.querySelectorAll("[aria-invalid]").forEach((input) => {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    for (const error of errors || []) {
      const input = form.querySelector(`[data-field="${CSS.escape(error.field)}"]`);
      if (!input) continue;
      const note = document.createElement("p");
      note.className = "field-error";
      note.id = `${input.id}-error`;
      note.textContent = error.message;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      input.insertAdjacentElement("afterend", note);
    }
  }

  /**
   * The sign-in of a page: a token (pasted or from a card reader acting as a keyboard) checked
   * with /api/v1/me for one of `roles`; then `ready(me)`. A remembered token is forgotten only
   * when the server refuses it (401) or it is of another role: a screen that starts before
   * deskd, or while it restarts, keeps it and tries again.
   */
  function signIn(page, roles, ready) {
    const section = document.getElementById("login");
    const form = document.getElementById("login-form");
    const box = document.getElementById("login-problem");
    const app = document.getElementById("app");
    async function check() {
      try {
        const me = await api(page, "GET", "/api/v1/me");
        if (!roles.includes(me.role)) throw new Problem(403, { detail: `Mã truy cập của vai trò ${me.role}; trang này cần ${roles.join(" hoặc ")}.` });
        section.classList.add("hidden");
        app.classList.remove("hidden");
        ready(me);
      } catch (error) {
        app.classList.add("hidden");
        section.classList.remove("hidden");
        if (error.status === 401 || error.status === 403) {
          forget(page);
          if (error.status !== 401 || form.elements.token.value) show(box, error);
        } else {
          show(box, error);
          setTimeout(check, 5000);
        }
      }
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = form.elements.token.value.trim();
      if (!value) return;
      (form.elements.remember && form.elements.remember.checked ? localStorage : sessionStorage).setItem(key(page), value);
      check();
    });
    const out = document.getElementById("sign-out");
    if (out) out.addEventListener("click", () => { forget(page); location.reload(); });
    if (token(page)) check();
    else { section.classList.remove("hidden"); app.classList.add("hidden"); }
  }

  const states = {
    new: "Mới đăng ký (chờ tiếp nhận)", queued: "Đang chờ xử lý", "in-progress": "Đang giải quyết",
    "awaiting-citizen": "Chờ công dân bổ sung", resolved: "Đã có kết quả, chờ trả", returned: "Đã trả kết quả",
    closed: "Đã kết thúc", rejected: "Từ chối tiếp nhận", withdrawn: "Dừng giải quyết theo đề nghị",
  };

  /** `2026-12-07T09:00:00Z` as the centre's people read it: `09:00 ngày 07/12/2026`. */
  function moment(text) {
    if (!text) return "";
    const date = new Date(text);
    const parts = new Intl.DateTimeFormat("vi-VN", {
      timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric", hour12: false,
    }).formatToParts(date);
    const get = (type) => (parts.find((part) => part.type === type) || {}).value || "";
    return `${get("hour")}:${get("minute")} ngày ${get("day")}/${get("month")}/${get("year")}`;
  }

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  return { api, token, forget, show, fieldErrors, signIn, states, moment, element, Problem };
})();
