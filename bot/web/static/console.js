/* Sésame — the agents' console (bot/web/templates/console.html).
   Talks to /conseiller/api/… only; the server checks the session and the role on
   every call, this script only shows what it is given. Text goes in with
   textContent, never as HTML. The NIR typed stays in its field: it is sent with
   each look-up or request, never stored by this page. */
(function () {
  "use strict";

  var API = "/conseiller/api";
  var dateFormat = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short"
  });

  function $(id) { return document.getElementById(id); }

  function announce(text) {
    var status = $("console-etat");
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function showError(id, text) {
    var node = $(id);
    node.textContent = text || "";
    node.hidden = !text;
  }

  function call(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options).then(function (response) {
      if (response.status === 401) {
        window.location.assign("/conseiller/");
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
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  /* --- Assistant ------------------------------------------------------------------ */

  function showAnswer(answer) {
    $("reponse-titre").textContent = answer.libelle;
    $("reponse-texte").textContent = answer.a_dire || "";
    $("reponse-a-dire").hidden = !answer.a_dire;
    var steps = $("reponse-etapes");
    clear(steps);
    answer.etapes.forEach(function (step) {
      var item = document.createElement("li");
      item.textContent = step;
      steps.appendChild(item);
    });
    $("reponse-etapes-bloc").hidden = answer.etapes.length === 0;
    $("reponse-a-faire").textContent = answer.a_faire ? "Dans la console : " + answer.a_faire : "";
    $("reponse-a-faire").hidden = !answer.a_faire;
  }

  function choose(intent, button) {
    showError("erreur-assistant", "");
    call("GET", "/reponses/" + encodeURIComponent(intent)).then(function (answer) {
      Array.prototype.forEach.call($("intentions").querySelectorAll("button"), function (other) {
        other.setAttribute("aria-pressed", String(other === button));
      });
      showAnswer(answer);
      announce("Réponse affichée : " + answer.libelle);
    }, function (error) { showError("erreur-assistant", error.message); });
  }

  function showIntents(intents) {
    var list = $("intentions");
    clear(list);
    intents.forEach(function (choice, index) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.setAttribute("aria-pressed", String(index === 0));
      button.dataset.intent = choice.intention;
      button.textContent = choice.libelle + " — " + Math.round(choice.confiance * 100) + " %";
      button.addEventListener("click", function () { choose(choice.intention, button); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function ask(event) {
    event.preventDefault();
    var question = $("question").value.trim();
    showError("erreur-assistant", "");
    if (!question) {
      showError("erreur-assistant", "Saisissez la question de l'adhérent.");
      $("question").focus();
      return;
    }
    call("POST", "/assistant", { question: question }).then(function (reply) {
      showIntents(reply.intentions);
      showAnswer(reply.reponse);
      $("resultat-assistant").hidden = false;
      announce("Réponse affichée : " + reply.reponse.libelle);
    }, function (error) { showError("erreur-assistant", error.message); });
  }

  /* --- Dossier de l'adhérent -------------------------------------------------------- */

  var current = null;  // the file shown, and the channel waiting for confirmation
  var pending = null;

  function showFile(file) {
    current = file;
    $("fiche-nom").textContent = file.nom;
    $("fiche-ville").textContent = file.ville;
    $("fiche-email").textContent = file.email ? file.email + (file.email_complet ? "" : " (masqué)") : "pas d'e-mail";
    var remaining = file.demandes_restantes_24h + " sur 3";
    if (file.prochaine_demande_possible) {
      remaining += " — prochaine possible le " + dateFormat.format(new Date(file.prochaine_demande_possible));
    }
    $("fiche-restantes").textContent = remaining;
    $("fiche-suggestion").textContent = file.suggestion;
    var body = $("fiche-demandes").querySelector("tbody");
    clear(body);
    file.demandes.forEach(function (line) {
      var row = document.createElement("tr");
      cell(row, line.demande);
      cell(row, line.canal === "email" ? "E-mail" : "Courrier");
      cell(row, line.par_conseiller ? "conseiller " + line.par_conseiller : "l'adhérent (discussion)");
      cell(row, line.etat);
      body.appendChild(row);
    });
    $("fiche-demandes").hidden = file.demandes.length === 0;
    $("fiche-aucune").hidden = file.demandes.length !== 0;
    $("envoi-email").disabled = !file.email;
    $("envoi-email").title = file.email ? "" : "Pas d'adresse e-mail connue";
    $("fiche").hidden = false;
  }

  function lookUp(event) {
    event.preventDefault();
    var nir = $("nir").value.trim();
    showError("erreur-dossier", "");
    $("resultat-envoi").textContent = "";
    cancel();
    if (!nir) {
      showError("erreur-dossier", "Saisissez le numéro de Sécurité sociale lu par l'adhérent.");
      $("nir").setAttribute("aria-invalid", "true");
      $("nir").focus();
      return;
    }
    call("POST", "/adherent", { nir: nir }).then(function (file) {
      $("nir").removeAttribute("aria-invalid");
      showFile(file);
      announce("Dossier ouvert : " + file.nom);
    }, function (error) {
      $("fiche").hidden = true;
      current = null;
      $("nir").setAttribute("aria-invalid", "true");
      showError("erreur-dossier", error.message);
      $("nir").focus();
    });
  }

  function offer(channel) {
    if (!current) { return; }
    pending = channel;
    $("confirmation-texte").textContent = channel === "email"
      ? "Envoyer un e-mail de réinitialisation à " + current.email + " ?"
      : "Envoyer un courrier avec un nouveau code à l'adresse postale de " + current.nom + " (arrivée sous huitaine) ?";
    $("confirmer").textContent = channel === "email" ? "Confirmer l'envoi par e-mail" : "Confirmer l'envoi par courrier";
    $("confirmation").hidden = false;
    $("confirmer").focus();
  }

  function cancel() {
    pending = null;
    $("confirmation").hidden = true;
  }

  function confirmReset() {
    if (!pending) { return; }
    var channel = pending;
    var nir = $("nir").value.trim();
    $("confirmer").disabled = true;
    call("POST", "/adherent/nouveau-code", { nir: nir, canal: channel, confirmation: channel }).then(function (done) {
      cancel();
      showFile(done.dossier);
      $("resultat-envoi").textContent = done.message;
      $("envoi-" + channel).focus();
    }, function (error) {
      cancel();
      $("resultat-envoi").textContent = error.message;
    }).then(function () { $("confirmer").disabled = false; });
  }

  /* --- Journal (superviseurs) ---------------------------------------------------------- */

  function showJournal(event) {
    if (event) { event.preventDefault(); }
    var who = $("journal-conseiller").value.trim();
    showError("erreur-journal", "");
    call("GET", "/journal" + (who ? "?conseiller=" + encodeURIComponent(who) : "")).then(function (lines) {
      var body = $("journal-lignes").querySelector("tbody");
      clear(body);
      lines.forEach(function (line) {
        var row = document.createElement("tr");
        cell(row, dateFormat.format(new Date(line.date)));
        cell(row, line.acteur);
        cell(row, line.action);
        cell(row, line.adherent ? line.adherent.slice(0, 12) + "…" : "");
        cell(row, Object.keys(line.detail).map(function (key) { return key + " : " + line.detail[key]; }).join(", "));
        body.appendChild(row);
      });
      $("journal-lignes").hidden = false;
      announce(lines.length + " lignes du journal affichées");
    }, function (error) { showError("erreur-journal", error.message); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("form-assistant").addEventListener("submit", ask);
    $("question").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("form-assistant").requestSubmit();
      }
    });
    $("form-dossier").addEventListener("submit", lookUp);
    $("envoi-email").addEventListener("click", function () { offer("email"); });
    $("envoi-courrier").addEventListener("click", function () { offer("courrier"); });
    $("confirmer").addEventListener("click", confirmReset);
    $("annuler").addEventListener("click", cancel);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && pending) { cancel(); }
    });
    if ($("form-journal")) {
      $("form-journal").addEventListener("submit", showJournal);
      showJournal();
    }
    $("question").focus();
  });
}());
