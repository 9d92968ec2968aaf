/* Sésame — what the agents' console (console.js) and the trainers' workbench
   (atelier.js) share: their calls to the JSON API, and building the page's nodes.
   Loaded before either page's own script (``defer`` keeps the order). Text goes in
   with textContent, never as HTML. */
(function () {
  "use strict";

  /* ``call(method, path, body, poll)`` for the API at ``api``: a promise of the JSON
     answer, or an Error with the server's French message. A 401 (the session is over)
     goes back to ``signInPage``. ``poll``: an automatic refresh, not the user's doing:
     it does not keep an idle session alive (the server ends it after 30 minutes
     without the user acting). */
  function client(api, signInPage) {
    return function call(method, path, body, poll) {
      var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
      if (poll) { options.headers["X-Sesame-Poll"] = "1"; }
      if (body !== undefined) {
        options.headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
      return fetch(api + path, options).then(function (response) {
        if (response.status === 401) {
          window.location.assign(signInPage);
          throw new Error("Votre session a expiré : reconnectez-vous.");
        }
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            throw new Error(data.error || "Une erreur est survenue. Réessayez dans quelques instants.");
          }
          return data;
        });
      }, function () {
        throw new Error("Le serveur ne répond pas. Vérifiez la connexion, puis réessayez.");
      });
    };
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  window.SesameApi = { client: client, element: element, clear: clear };
}());
