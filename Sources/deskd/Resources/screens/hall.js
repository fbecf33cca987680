// The hall display: calls from the SSE feed (/api/v1/queue/display), read with fetch so that the
// token travels in a header; after a drop or a restart it reconnects with Last-Event-ID and
// receives exactly the calls it missed. Announces each call with a chime and the browser's
// Vietnamese speech when sound is on. Holds at most ten calls: a day on a TV does not grow it.
"use strict";

(() => {
  const page = "hall";
  const keep = 10;
  let calls = [];
  let lastId = null;
  let soundOn = localStorage.getItem("servicedesk.hall.sound") === "on";
  let audio = null;
  const $ = (id) => document.getElementById(id);

  function sentence(call) {
    return `Mời số ${call.label.split("").join(" ")} đến quầy số ${call.counter}`;
  }

  function chime() {
    if (!audio) return;
    const now = audio.currentTime;
    [880, 660].forEach((frequency, index) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + index * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.3, now + index * 0.35 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + index * 0.35 + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + index * 0.35);
      oscillator.stop(now + index * 0.35 + 0.32);
    });
  }

  function announce(call) {
    const text = `Mời số ${call.label} đến quầy ${call.counter}`;
    $("announce").textContent = text;
    document.body.dataset.announced = text;
    if (!soundOn) return;
    chime();
    if ("speechSynthesis" in window) {
      const utterance = new SpeechSynthesisUtterance(sentence(call));
      utterance.lang = "vi-VN";
      const voice = speechSynthesis.getVoices().find((v) => v.lang && v.lang.toLowerCase().startsWith("vi"));
      if (voice) utterance.voice = voice;
      setTimeout(() => speechSynthesis.speak(utterance), 700);
    }
  }

  function render() {
    const latest = calls[calls.length - 1];
    if (latest) {
      $("now-label").textContent = latest.label;
      $("now-to").replaceChildren("Mời đến quầy ", Desk.element("b", { text: String(latest.counter) }));
    }
    const list = calls.slice(0, -1).reverse().slice(0, 6).map((call) =>
      Desk.element("li", {}, Desk.element("span", { text: call.label }), Desk.element("b", { text: `Quầy ${call.counter}` })));
    $("calls").replaceChildren(...list);
  }

  function received(id, kind, call) {
    lastId = id;
    calls.push(call);
    if (calls.length > keep) calls = calls.slice(-keep);
    render();
    const now = $("now");
    now.classList.remove("flash");
    void now.offsetWidth;
    now.classList.add("flash");
    // The backlog of a fresh screen is shown, not announced: only calls made while it watches.
    if (Date.now() - new Date(call.at).getTime() < 60_000) announce(call);
  }

  async function stream() {
    const headers = { Authorization: `Bearer ${Desk.token(page)}`, Accept: "text/event-stream" };
    if (lastId) headers["Last-Event-ID"] = lastId;
    try {
      const response = await fetch("/api/v1/queue/display", { headers, cache: "no-store" });
      if (response.status === 401) { Desk.forget(page); location.reload(); return; }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      $("status").textContent = "Đã kết nối";
      document.body.dataset.connected = "true";
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id = null, kind = "message", data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("event: ")) kind = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (id && data) received(id, kind, JSON.parse(data));
        }
      }
    } catch (error) {
      // A dropped network or a restarting daemon: say so and try again.
    }
    document.body.dataset.connected = "false";
    $("status").textContent = "Mất kết nối — đang kết nối lại…";
    setTimeout(stream, 2000);
  }

  async function waiting() {
    try {
      const services = await Desk.api(page, "GET", "/api/v1/queue/status");
      $("waiting").replaceChildren(...services.map((service) => Desk.element("tr", {},
        Desk.element("td", { text: service.name }), Desk.element("td", { class: "n", text: String(service.waiting) }))));
    } catch (error) { /* the feed's status line tells of a lost connection */ }
  }

  function tick() {
    $("clock").textContent = new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(new Date());
  }

  function soundButton() {
    const button = $("sound");
    button.setAttribute("aria-pressed", String(soundOn));
    button.textContent = soundOn ? "Tắt âm thanh" : "Bật âm thanh";
  }

  document.addEventListener("DOMContentLoaded", () => {
    Desk.signIn(page, ["display", "supervisor", "admin"], () => {
      soundButton();
      $("sound").addEventListener("click", () => {
        soundOn = !soundOn;
        localStorage.setItem("servicedesk.hall.sound", soundOn ? "on" : "off");
        // Browsers start audio only after a user's gesture: this click is it.
        if (soundOn && !audio && window.AudioContext) audio = new AudioContext();
        soundButton();
      });
      Desk.api(page, "GET", "/api/v1/queue/menu").then((menu) => { $("centre").textContent = menu.centre; }).catch(() => {});
      tick();
      setInterval(tick, 1000);
      waiting();
      setInterval(waiting, 10_000);
      stream();
    });
  });
})();
