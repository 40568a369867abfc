// The signing page inside Telegram: reads the Mini App's initData from the launch URL
// (#tgWebAppData=…) and posts it with every form; the server answers with the panel to show.
(function () {
  "use strict";
  var app = document.getElementById("app");
  if (!app) { return; }
  var id = app.getAttribute("data-document");
  var params = new URLSearchParams(window.location.hash.slice(1));
  var initData = params.get("tgWebAppData") || "";

  function show(response) {
    return response.text().then(function (html) { app.innerHTML = html; });
  }

  function post(action, body) {
    return fetch(action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "omit"
    }).then(show).catch(function () {
      app.innerHTML = "<section class=\"card narrow\"><p class=\"flash error\">Нет связи с сервером. Проверьте интернет и откройте документ ещё раз.</p></section>";
    });
  }

  app.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-sign")) { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    body.set("init_data", initData);
    post(form.getAttribute("action"), body);
  });

  var first = new URLSearchParams();
  first.set("init_data", initData);
  post("/sign/" + encodeURIComponent(id) + "/view", first);
})();
