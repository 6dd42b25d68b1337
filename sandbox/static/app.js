// The sandbox page: two phones that show the simulated Telegram chats of
// the sandbox's people, live, and act as them through the JSON API.
"use strict";

(function () {
  const L = JSON.parse(document.getElementById("labels").textContent);
  const lang = document.body.dataset.lang || "fr";
  const botZone = document.body.dataset.zone || "Europe/Paris";
  const roles = ["beneficiary", "advisor"];

  const state = {
    people: [],
    chosen: { beneficiary: 0, advisor: 0 },
    chats: {},
    toastSeen: {},
    busy: false,
  };

  // fill replaces {name} placeholders of a catalog text.
  function fill(text, values) {
    return text.replace(/\{([a-z_]+)\}/g, (m, k) => (k in values ? values[k] : m));
  }

  async function api(method, path, body, type) {
    const opts = { method, headers: {} };
    if (body !== undefined) {
      if (type) {
        opts.body = body;
        opts.headers["Content-Type"] = type;
      } else {
        opts.body = JSON.stringify(body);
        opts.headers["Content-Type"] = "application/json";
      }
    }
    const res = await fetch(path, opts);
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new Error(data.error || res.status + " " + res.statusText);
    }
    return data;
  }

  function showStatus(message) {
    const el = document.getElementById("status");
    if (!message) {
      el.hidden = true;
      el.textContent = "";
      return;
    }
    el.textContent = fill(L.error, { error: message });
    el.hidden = false;
  }

  // run does one action, with the page marked busy and errors shown.
  async function run(fn) {
    setBusy(true);
    try {
      showStatus("");
      return await fn();
    } catch (err) {
      showStatus(err.message);
      return undefined;
    } finally {
      // Busy until the page shows what the action brought.
      await refresh();
      setBusy(false);
    }
  }

  function setBusy(busy) {
    state.busy = busy;
    document.body.classList.toggle("busy", busy);
    document.querySelectorAll(".moves button, .tools button").forEach((b) => {
      b.disabled = busy;
    });
    document.getElementById("next-at").setAttribute("aria-busy", busy ? "true" : "false");
  }

  function fmt(date, zone) {
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    }).format(date);
  }

  function fmtTime(date, zone) {
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
      timeZone: zone,
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    }).format(date);
  }

  function person(id) {
    return state.people.find((p) => p.id === id);
  }

  function shortZone(zone) {
    return zone.split("/").pop().replace(/_/g, " ");
  }

  // ---------------------------------------------------------------- people

  function choose(role, id) {
    state.chosen[role] = id;
    const params = new URLSearchParams(location.hash.slice(1));
    params.set(role, String(id));
    history.replaceState(null, "", "#" + params.toString());
  }

  function pickDefaults() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const role of roles) {
      const wanted = Number(params.get(role) || state.chosen[role]);
      const ofRole = state.people.filter((p) => p.role === role);
      if (!ofRole.some((p) => p.id === wanted)) {
        state.chosen[role] = ofRole.length ? ofRole[0].id : 0;
      } else {
        state.chosen[role] = wanted;
      }
    }
  }

  function renderSelects() {
    for (const role of roles) {
      const sel = phone(role).querySelector("select.who");
      const ofRole = state.people.filter((p) => p.role === role);
      const same = sel.options.length === ofRole.length && ofRole.every((p, i) => sel.options[i].value === String(p.id));
      if (!same) {
        sel.replaceChildren(...ofRole.map((p) => new Option(p.name, String(p.id))));
      }
      sel.value = String(state.chosen[role]);
      const p = person(state.chosen[role]);
      phone(role).setAttribute("aria-label", fill(L.phoneOf, { name: p ? p.name : "" }));
    }
  }

  // ----------------------------------------------------------------- chats

  function phone(role) {
    return document.getElementById("phone-" + role);
  }

  function renderChat(role) {
    const el = phone(role);
    const chat = el.querySelector(".chat");
    const p = person(state.chosen[role]);
    const cv = p && state.chats[p.id];
    const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
    chat.replaceChildren();
    el.querySelector(".phone-zone").textContent = cv ? shortZone(cv.zone) : "";
    if (!p || !cv) {
      return;
    }
    if (cv.messages.length === 0) {
      chat.append(emptyCard(p));
    }
    for (const m of cv.messages) {
      chat.append(bubble(p, m, cv.zone));
    }
    if (atBottom || chat.dataset.person !== String(p.id)) {
      chat.scrollTop = chat.scrollHeight;
    }
    chat.dataset.person = String(p.id);
    renderMenu(role, cv);
  }

  function emptyCard(p) {
    const card = document.createElement("div");
    card.className = "card";
    const text = document.createElement("p");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "primary";
    if (p.role === "beneficiary" && p.invite) {
      const adv = person(p.advisor);
      text.textContent = fill(L.inviteCard, { advisor: adv ? adv.name : "" });
      b.textContent = L.openInvite;
      b.addEventListener("click", () => run(() => api("POST", `/api/people/${p.id}/invite`)));
    } else {
      text.textContent = L.startCard;
      b.textContent = L.start;
      b.addEventListener("click", () => send(p, "/start"));
    }
    card.append(text, b);
    return card;
  }

  function bubble(p, m, zone) {
    const div = document.createElement("div");
    div.className = "msg " + m.from;
    div.dataset.id = String(m.id);
    if (m.kind === "photo" && m.file) {
      const img = document.createElement("img");
      img.src = m.file;
      img.alt = m.text || L.photo;
      div.append(img);
    } else if (m.kind === "document" && m.file) {
      const a = document.createElement("a");
      a.href = m.file;
      a.download = m.file_name || "document";
      a.className = "file";
      a.textContent = "📄 " + (m.file_name || L.document);
      div.append(a);
    } else if (m.kind === "voice" && m.file) {
      const label = document.createElement("span");
      label.className = "voice-label";
      label.textContent = "🎙️ " + L.voice + (m.duration ? ` · ${m.duration} s` : "");
      const audio = document.createElement("audio");
      audio.controls = true;
      audio.preload = "none";
      audio.src = m.file;
      audio.setAttribute("aria-label", L.voice);
      div.append(label, audio);
    } else if (m.kind === "sticker") {
      const s = document.createElement("span");
      s.className = "sticker";
      s.textContent = "👍";
      s.setAttribute("aria-label", L.sticker);
      div.append(s);
    }
    if (m.html) {
      const body = document.createElement("div");
      body.className = "body";
      // The server escapes every character of the text and writes only
      // the tags of Telegram's formatting.
      body.innerHTML = m.html;
      div.append(body);
    }
    const meta = document.createElement("span");
    meta.className = "meta";
    const bits = [];
    if (m.silent) bits.push("🔕 " + L.silent);
    if (m.edited) bits.push(L.edited);
    bits.push(fmtTime(new Date(m.date), zone));
    meta.textContent = bits.join(" · ");
    div.append(meta);
    if (m.keyboard) {
      const kb = document.createElement("div");
      kb.className = "keyboard";
      for (const row of m.keyboard) {
        const r = document.createElement("div");
        r.className = "row";
        for (const btn of row) {
          r.append(keyButton(p, m, btn));
        }
        kb.append(r);
      }
      div.append(kb);
    }
    return div;
  }

  function keyButton(p, m, btn) {
    if (btn.url) {
      const code = startCode(btn.url);
      if (code) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = btn.text + " ↗";
        b.addEventListener("click", () => openDeepLink(p, btn.url));
        return b;
      }
      const a = document.createElement("a");
      a.href = btn.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = btn.text + " ↗";
      return a;
    }
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = btn.text;
    b.addEventListener("click", () => press(p, m.id, btn));
    return b;
  }

  function startCode(href) {
    try {
      const u = new URL(href);
      return u.hostname === "t.me" ? u.searchParams.get("start") : null;
    } catch (e) {
      return null;
    }
  }

  // openDeepLink opens a t.me/<bot>?start= link as Telegram would: the
  // person it was given to opens it in their phone (a new phone when an
  // advisor just made the invitation).
  function openDeepLink(from, href) {
    const code = startCode(href);
    const owner = state.people.find((q) => q.invite && startCode(q.invite) === code);
    run(async () => {
      let target = owner;
      if (!target) {
        target = await api("POST", "/api/people", { role: "beneficiary", invite: code });
        state.people.push(target);
      }
      choose(target.role, target.id);
      if (from.id === target.id) {
        await api("POST", `/api/people/${target.id}/invite`);
      }
    });
  }

  function renderMenu(role, cv) {
    const el = phone(role);
    const ul = el.querySelector(".menu ul");
    ul.replaceChildren(
      ...cv.commands.map((c) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.innerHTML = "";
        const name = document.createElement("strong");
        name.textContent = c.command;
        const desc = document.createElement("span");
        desc.textContent = c.description;
        b.append(name, desc);
        b.addEventListener("click", () => {
          toggleMenu(role, false);
          send(cv.person, c.command);
        });
        li.append(b);
        return li;
      })
    );
    el.querySelector(".menu-btn").hidden = cv.commands.length === 0;
  }

  function toggleMenu(role, open) {
    const el = phone(role);
    const menu = el.querySelector(".menu");
    const btn = el.querySelector(".menu-btn");
    const show = open === undefined ? menu.hidden : open;
    menu.hidden = !show;
    btn.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) {
      const first = menu.querySelector("button");
      if (first) first.focus();
    }
  }

  function toast(p, text) {
    if (!text) return;
    const role = p.role;
    if (state.chosen[role] !== p.id) return;
    const el = phone(role).querySelector(".toast");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(() => {
      el.hidden = true;
    }, 3000);
  }

  // ---------------------------------------------------------------- actions

  function send(p, text) {
    return run(() => api("POST", `/api/people/${p.id}/send`, { text }));
  }

  function press(p, message, btn) {
    return run(async () => {
      const res = await api("POST", `/api/people/${p.id}/press`, { data: btn.data, message });
      const seen = (res.chat.toasts || []).map((t) => t.update);
      state.toastSeen[p.id] = Math.max(state.toastSeen[p.id] || 0, ...seen, 0);
      toast(p, res.toast);
    });
  }

  function sendVoice(p, blob) {
    return run(() => {
      if (!blob) {
        return api("POST", `/api/people/${p.id}/voice`);
      }
      return api("POST", `/api/people/${p.id}/voice?duration=${Math.max(1, Math.round(blob.seconds || 1))}`, blob, blob.type || "audio/webm");
    });
  }

  const recorders = {};

  async function record(role, button) {
    const p = person(state.chosen[role]);
    if (!p) return;
    const current = recorders[role];
    if (current) {
      current.stop();
      return;
    }
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      showStatus(L.noMic);
      return sendVoice(p, null);
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      showStatus(L.noMic);
      return sendVoice(p, null);
    }
    const rec = new MediaRecorder(stream);
    const chunks = [];
    const started = Date.now();
    rec.addEventListener("dataavailable", (e) => chunks.push(e.data));
    rec.addEventListener("stop", () => {
      stream.getTracks().forEach((t) => t.stop());
      delete recorders[role];
      button.textContent = L.record;
      const blob = new Blob(chunks, { type: rec.mimeType || "audio/webm" });
      blob.seconds = (Date.now() - started) / 1000;
      sendVoice(p, blob);
    });
    recorders[role] = rec;
    button.textContent = L.stopRecord;
    rec.start();
  }

  // ------------------------------------------------------------------ clock

  function renderClock(cv) {
    const now = new Date(cv.now);
    document.getElementById("clock-now").textContent = `${fmt(now, botZone)} (${shortZone(botZone)})`;
    const ben = person(state.chosen.beneficiary);
    const chat = ben && state.chats[ben.id];
    const zoneEl = document.getElementById("clock-zone");
    if (chat && chat.zone && chat.zone !== botZone) {
      zoneEl.textContent = "· " + fill(L.zoneOf, { name: ben.name, time: `${fmtTime(now, chat.zone)} (${shortZone(chat.zone)})` });
    } else {
      zoneEl.textContent = "";
    }
    document.getElementById("next-at").textContent = cv.next ? fill(L.nextAt, { when: fmt(new Date(cv.next), botZone) }) : L.nothingNext;
    document.getElementById("next").disabled = state.busy || !cv.next;
  }

  function moveClock(body) {
    return run(() => api("POST", "/api/clock", body));
  }

  // ---------------------------------------------------------------- refresh

  let refreshing = null;
  let again = false;

  // refresh fetches what the page shows; calls during a refresh coalesce.
  function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        do {
          again = false;
          const people = await api("GET", "/api/people");
          state.people = people.people;
          pickDefaults();
          renderSelects();
          const ids = roles.map((r) => state.chosen[r]).filter((id) => id);
          const chats = await Promise.all(ids.map((id) => api("GET", `/api/people/${id}/messages`)));
          for (const cv of chats) {
            state.chats[cv.person.id] = cv;
            const toasts = cv.toasts || [];
            const last = toasts.length ? toasts[toasts.length - 1] : null;
            if (last && last.update > (state.toastSeen[cv.person.id] || 0)) {
              if (state.toastSeen[cv.person.id] !== undefined) toast(cv.person, last.text);
              state.toastSeen[cv.person.id] = last.update;
            } else if (state.toastSeen[cv.person.id] === undefined) {
              state.toastSeen[cv.person.id] = 0;
            }
          }
          roles.forEach(renderChat);
          renderClock(await api("GET", "/api/clock"));
        } while (again);
      } catch (err) {
        showStatus(err.message);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  // --------------------------------------------------------------- wiring

  function wire() {
    for (const role of roles) {
      const el = phone(role);
      el.querySelector("select.who").addEventListener("change", (e) => {
        choose(role, Number(e.target.value));
        refresh();
      });
      el.querySelector("form.composer").addEventListener("submit", (e) => {
        e.preventDefault();
        const input = e.target.elements.text;
        const text = input.value.trim();
        const p = person(state.chosen[role]);
        if (!text || !p) return;
        input.value = "";
        send(p, text).then(() => input.focus());
      });
      el.querySelector(".menu-btn").addEventListener("click", () => toggleMenu(role));
      el.querySelector(".menu").addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          toggleMenu(role, false);
          el.querySelector(".menu-btn").focus();
        }
      });
      el.querySelector(".record").addEventListener("click", (e) => record(role, e.currentTarget));
      el.querySelector(".sample").addEventListener("click", () => {
        const p = person(state.chosen[role]);
        if (p) sendVoice(p, null);
      });
      el.querySelector(".chat").addEventListener("click", (e) => {
        const cmd = e.target.closest("button.cmd");
        const link = e.target.closest("a[href]");
        const p = person(state.chosen[role]);
        if (!p) return;
        if (cmd) {
          send(p, cmd.dataset.cmd);
        } else if (link && startCode(link.href)) {
          e.preventDefault();
          openDeepLink(p, link.href);
        }
      });
    }
    document.querySelectorAll("[data-advance]").forEach((b) => {
      b.addEventListener("click", () => moveClock({ advance: b.dataset.advance }));
    });
    document.getElementById("next").addEventListener("click", () => moveClock({ next: true }));
    document.getElementById("reset").addEventListener("click", () => {
      if (!confirm(L.resetConfirm)) return;
      run(async () => {
        await api("POST", "/api/reset");
        state.chats = {};
        state.toastSeen = {};
        history.replaceState(null, "", location.pathname + location.search);
        state.chosen = { beneficiary: 0, advisor: 0 };
      });
    });
    wireAddBeneficiary();
    wireAddAdvisor();
    const events = new EventSource("/api/events");
    events.addEventListener("change", () => refresh());
  }

  function wireAddBeneficiary() {
    const dlg = document.getElementById("add-ben-dialog");
    document.getElementById("add-ben").addEventListener("click", async () => {
      const tpl = await api("GET", "/api/templates").catch((e) => showStatus(e.message));
      if (!tpl) return;
      const cases = dlg.querySelector(".cases");
      cases.replaceChildren(
        ...tpl.templates.map((t, i) => {
          const label = document.createElement("label");
          const radio = document.createElement("input");
          radio.type = "radio";
          radio.name = "template";
          radio.value = t.name;
          radio.required = true;
          radio.checked = i === 0;
          label.append(radio, ` ${t.title} — ${t.person}`);
          return label;
        })
      );
      const sel = dlg.querySelector("select[name=advisor]");
      sel.replaceChildren(...state.people.filter((p) => p.role === "advisor").map((p) => new Option(p.name, String(p.id))));
      sel.value = String(state.chosen.advisor);
      dlg.showModal();
    });
    dlg.addEventListener("close", () => {
      if (dlg.returnValue !== "ok") return;
      const form = dlg.querySelector("form");
      const template = form.elements.template.value;
      const advisor = Number(form.elements.advisor.value);
      run(async () => {
        const p = await api("POST", "/api/people", { role: "beneficiary", template, advisor });
        choose("beneficiary", p.id);
      });
    });
  }

  function wireAddAdvisor() {
    const dlg = document.getElementById("add-adv-dialog");
    document.getElementById("add-adv").addEventListener("click", () => {
      dlg.querySelector("input[name=name]").value = "";
      dlg.showModal();
    });
    dlg.addEventListener("close", () => {
      if (dlg.returnValue !== "ok") return;
      const name = dlg.querySelector("input[name=name]").value.trim();
      if (!name) return;
      run(async () => {
        const p = await api("POST", "/api/people", { role: "advisor", name });
        choose("advisor", p.id);
      });
    });
  }

  wire();
  refresh();
})();
