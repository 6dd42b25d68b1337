// The desk's little script: confirmations, printing, and the Mini App's
// sign-in (Telegram passes its initData in the address's fragment).
"use strict";

(function () {
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      if (!confirm(form.dataset.confirm)) e.preventDefault();
    });
  });
  document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));

  const app = document.getElementById("miniapp");
  if (app) {
    const hash = new URLSearchParams(location.hash.slice(1));
    const query = new URLSearchParams(location.search);
    const initData = hash.get("tgWebAppData") || query.get("tgWebAppData") || "";
    const status = document.getElementById("miniapp-status");
    if (!initData) {
      status.textContent = status.dataset.none || status.textContent;
      return;
    }
    const body = new URLSearchParams({ initData });
    fetch(app.dataset.session, { method: "POST", body, credentials: "same-origin" })
      .then((res) => {
        if (res.ok) {
          location.replace("/desk/");
        } else {
          return res.text().then((t) => {
            status.textContent = t;
          });
        }
      })
      .catch((err) => {
        status.textContent = String(err);
      });
  }
})();
