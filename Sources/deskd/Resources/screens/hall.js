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

  /** The gesture that lets the page make sound: an AudioContext, and a silent utterance. */
  function wake() {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if ("speechSynthesis" in window) speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    soundButton();
  }

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

  // A fresh connection first receives the last calls, then the comment `backlog-end`: those
  // are shown, not announced. After a drop the feed resumes after the last call shown; of the
  // calls missed meanwhile only the newest is announced.
  let received = 0;

  function arrived(id, call, announceIt) {
    lastId = id;
    received += 1;
    document.body.dataset.received = String(received);
    calls.push(call);
    if (calls.length > keep) calls = calls.slice(-keep);
    render();
    const now = $("now");
    now.classList.remove("flash");
    void now.offsetWidth;
    now.classList.add("flash");
    if (announceIt) announce(call);
  }

  /** One event block of the stream (its lines), per the SSE specification. */
  function parse(lines) {
    let id = null, comment = null;
    const data = [];
    for (const line of lines) {
      if (line.startsWith(":")) { comment = line.slice(1).trim(); continue; }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
    return { id, data: data.join("\n"), comment };
  }

  async function stream() {
    const headers = { Authorization: `Bearer ${Desk.token(page)}`, Accept: "text/event-stream" };
    const resuming = Boolean(lastId);
    if (resuming) headers["Last-Event-ID"] = lastId;
    let quiet = !resuming;
    // A silent drop (a Wi-Fi access point rebooting) leaves a read waiting forever: the server
    // speaks at least every heartbeat (15 s), so 45 s of silence means the line is dead.
    const abort = new AbortController();
    let watchdog = setTimeout(() => abort.abort(), 45_000);
    try {
      const response = await fetch("/api/v1/queue/display", { headers, cache: "no-store", signal: abort.signal });
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
        clearTimeout(watchdog);
        watchdog = setTimeout(() => abort.abort(), 45_000);
        buffer += decoder.decode(value, { stream: true });
        const blocks = buffer.split(/\r\n\r\n|\r\r|\n\n/);
        buffer = blocks.pop();
        const missed = [];
        for (const block of blocks) {
          const event = parse(block.split(/\r\n|\r|\n/));
          if (event.comment === "backlog-end") quiet = false;
          if (!event.id || !event.data) continue;
          let call;
          try { call = JSON.parse(event.data); } catch (error) { lastId = event.id; continue; }
          if (resuming) missed.push([event.id, call]);
          else arrived(event.id, call, !quiet);
        }
        // Calls that arrive together after a resumption were missed while away: all shown, the
        // newest announced.
        missed.forEach(([id, call], index) => arrived(id, call, index === missed.length - 1));
      }
    } catch (error) {
      // A dropped network, a restarting daemon or a dead line: say so and try again.
    }
    clearTimeout(watchdog);
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
    // Browsers start sound only after a gesture on the page: after a restart of the TV the
    // remembered choice waits for one touch (any touch on the screen).
    button.textContent = soundOn ? (audio ? "Tắt âm thanh" : "Chạm để bật âm thanh") : "Bật âm thanh";
  }

  document.addEventListener("DOMContentLoaded", () => {
    // A screen in the hall takes a display token only: a staff member's would stay on it.
    Desk.signIn(page, ["display"], () => {
      soundButton();
      $("sound").addEventListener("click", (event) => {
        event.stopPropagation();
        if (soundOn && !audio) { wake(); return; }
        soundOn = !soundOn;
        localStorage.setItem("servicedesk.hall.sound", soundOn ? "on" : "off");
        if (soundOn) wake();
        soundButton();
      });
      document.addEventListener("click", () => { if (soundOn && !audio) wake(); });
      Desk.api(page, "GET", "/api/v1/queue/menu").then((menu) => { $("centre").textContent = menu.centre; }).catch(() => {});
      tick();
      setInterval(tick, 1000);
      waiting();
      setInterval(waiting, 10_000);
      stream();
    });
  });
})();
