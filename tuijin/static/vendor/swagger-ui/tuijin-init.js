/* Start Swagger UI on tuijin's API docs page: settings come from the page, session writes carry the CSRF token. */
(function () {
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.body.dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  settings.requestInterceptor = function (req) {
    if (csrfToken && !(req.headers && req.headers.Authorization)) {
      req.headers["X-CSRFToken"] = csrfToken;
    }
    return req;
  };
  window.ui = SwaggerUIBundle(settings);
})();
