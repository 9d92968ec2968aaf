/* Sésame — the agents' console (bot/web/templates/console.html).
   Talks to /conseiller/api/… only; the server checks the session and the role on
   every call, this script only shows what it is given. Text goes in with
   textContent, never as HTML. The NIR typed stays in its field: it is sent with
   each look-up or request, never stored by this page. A file opened from a held chat
   is asked for by the hand-off's id: no number at all goes either way. */
(function () {
  "use strict";

  var API = "/conseiller/api";
  var dateFormat = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short"
  });

  var timeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", timeStyle: "short" });

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

  /* call(method, path, body, poll): ``poll`` for an automatic refresh, which does not keep
     an idle session alive (static/api.js). */
  var call = window.SesameApi.client(API, "/conseiller/");
  var clear = window.SesameApi.clear;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  /* --- Assistant ------------------------------------------------------------------ */

  /* ``suffix``: "" for the first answer, "-2" for the second one of a close call. */
  function fillAnswer(answer, suffix) {
    var id = "reponse" + suffix;
    $(id + "-titre").textContent = answer.libelle;
    $(id + "-texte").textContent = answer.a_dire || "";
    $(id + "-a-dire").hidden = !answer.a_dire;
    var steps = $(id + "-etapes");
    clear(steps);
    answer.etapes.forEach(function (step) {
      var item = document.createElement("li");
      item.textContent = step;
      steps.appendChild(item);
    });
    $(id + "-etapes-bloc").hidden = answer.etapes.length === 0;
    $(id + "-a-faire").textContent = answer.a_faire ? "Dans la console : " + answer.a_faire : "";
    $(id + "-a-faire").hidden = !answer.a_faire;
  }

  /** One answer, or two side by side when the model hesitates between them (``second``). */
  function showAnswer(answer, second) {
    fillAnswer(answer, "");
    if (second) { fillAnswer(second, "-2"); }
    $("reponse-2").hidden = !second;
    $("reponses-proches").hidden = !second;
    $("reponses").classList.toggle("answers-two", !!second);
    $("assistant").classList.toggle("panel-wide", !!second);
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

  function showIntents(intents, second) {
    var list = $("intentions");
    clear(list);
    intents.forEach(function (choice, index) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.setAttribute("aria-pressed", String(index === 0 || (index === 1 && !!second)));
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
      showIntents(reply.intentions, reply.autre_reponse);
      showAnswer(reply.reponse, reply.autre_reponse);
      $("resultat-assistant").hidden = false;
      announce(reply.autre_reponse
        ? "Deux réponses proches affichées : " + reply.reponse.libelle + " ; " + reply.autre_reponse.libelle
        : "Réponse affichée : " + reply.reponse.libelle);
    }, function (error) { showError("erreur-assistant", error.message); });
  }

  /* --- Dossier de l'adhérent -------------------------------------------------------- */

  var current = null;  // the file shown, and the channel waiting for confirmation
  var pending = null;
  var fileHandoff = null;  // the hand-off whose member's file is shown; null: opened by the number typed

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
    /* A masked address: the agent checks the one the caller reads out (bot/agents/email_check.py). */
    $("form-email").hidden = !file.email || file.email_complet;
    $("email-lu").value = "";
    $("resultat-email").textContent = "";
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
      showOrigin(null);
      showFile(file);
      announce("Dossier ouvert : " + file.nom);
    }, function (error) {
      $("fiche").hidden = true;
      current = null;
      showOrigin(null);
      $("nir").setAttribute("aria-invalid", "true");
      showError("erreur-dossier", error.message);
      $("nir").focus();
    });
  }

  function checkEmail(event) {
    event.preventDefault();
    var typed = $("email-lu").value.trim();
    $("resultat-email").textContent = "";
    if (!typed) {
      $("resultat-email").textContent = "Saisissez l'adresse que l'appelant lit.";
      $("email-lu").focus();
      return;
    }
    call("POST", "/adherent/verifier-email", { nir: $("nir").value.trim(), email: typed }).then(function (checked) {
      $("resultat-email").textContent = checked.message;
    }, function (error) { $("resultat-email").textContent = error.message; });
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

  /* « Annuler » or Échap: the confirmation goes, and the focus goes back to the button
     that opened it (not to the page's body, where a keyboard user would be lost). */
  function dismiss() {
    var channel = pending;
    cancel();
    if (channel) { $(channel === "email" ? "envoi-email" : "envoi-courrier").focus(); }
  }

  function confirmReset() {
    if (!pending) { return; }
    var channel = pending;
    var asked = fileHandoff !== null
      ? call("POST", "/prises-en-charge/" + fileHandoff + "/adherent/nouveau-code", { canal: channel, confirmation: channel })
      : call("POST", "/adherent/nouveau-code", { nir: $("nir").value.trim(), canal: channel, confirmation: channel });
    $("confirmer").disabled = true;
    asked.then(function (done) {
      cancel();
      showFile(done.dossier);
      $("resultat-envoi").textContent = done.message;
      $("envoi-" + channel).focus();
    }, function (error) {
      cancel();
      $("resultat-envoi").textContent = error.message;
    }).then(function () { $("confirmer").disabled = false; });
  }

  /* The file of the held chat's member, asked for by the hand-off's id (the number was checked in the chat). */
  function showOrigin(handoffId) {
    fileHandoff = handoffId;
    $("fiche-origine").textContent = handoffId === null ? ""
      : "Adhérent de la discussion n° " + handoffId + " : numéro de Sécurité sociale vérifié dans la conversation.";
    $("fiche-origine").hidden = handoffId === null;
  }

  function openHandoffFile() {
    if (!held) { return; }
    var id = held.id;
    showError("erreur-conversation", "");
    showError("erreur-dossier", "");
    $("resultat-envoi").textContent = "";
    cancel();
    call("POST", "/prises-en-charge/" + id + "/adherent").then(function (file) {
      $("nir").value = "";
      $("nir").removeAttribute("aria-invalid");
      showOrigin(id);
      showFile(file);
      $("dossier").focus();
      announce("Dossier ouvert : " + file.nom);
    }, function (error) { showError("erreur-conversation", error.message); });
  }

  /* The file came from this hand-off, which leaves the agent's hands: it goes with it. */
  function closeHandoffFile(id) {
    if (fileHandoff === null || fileHandoff !== id) { return; }
    cancel();
    current = null;
    showOrigin(null);
    $("fiche").hidden = true;
  }

  /* ``polled``: a number the member typed to the agent was just found to be theirs: say so. */
  function showMemberDoor(detail, polled) {
    var door = $("conversation-adherent");
    var opening = door.hidden && detail.adherent_verifie;
    door.hidden = !detail.adherent_verifie;
    if (opening && polled) {
      announce("Numéro de Sécurité sociale de l'adhérent vérifié : son dossier s'ouvre depuis la conversation.");
    }
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
        cell(row, line.libelle);
        cell(row, line.adherent ? line.adherent.slice(0, 12) + "…" : "");
        cell(row, line.detail_texte);
        body.appendChild(row);
      });
      $("journal-lignes").hidden = false;
      announce(lines.length + " lignes du journal affichées");
    }, function (error) { showError("erreur-journal", error.message); });
  }

  /* --- File d'attente et conversation en direct (issue #12) ---------------------------- */

  /* The server pushes wake-ups (GET /conseiller/api/flux, Server-Sent Events) when the
     queue or a conversation changes, whichever web worker it happened on; the page then
     re-reads the API. The timers stay as a safety net: slow while the stream is open,
     at their old pace when there is none (no EventSource, demo on SQLite: 204, network). */
  var QUEUE_EVERY_MS = 2500;
  var MESSAGES_EVERY_MS = 1000;
  var PUSHED_EVERY_MS = 15000;
  var heartbeatMs = null;    // a third of AGENT_PRESENCE_SECONDS: the queue read is the console's sign of life
  var pushed = false;        // the wake-up stream is open
  var queueTimer = null;
  var queueBusy = false;     // a read of the queue is on its way…
  var queueAgain = false;    // …and a wake-up came meanwhile: read again after it
  var messagesBusy = false;
  var messagesAgain = false;
  var baseTitle = document.title;
  var queueNodes = {};       // id -> {node, key} of the queue items shown
  var knownWaiting = null;   // ids of the waiting items already signalled (null before the first poll)
  var savingAvailability = false;
  var availabilityChanges = 0; // a queue read that started before a change must not undo it
  var held = null;           // the conversation shown: {id, lastId, shown: {messageId: true}, open}
  var messagesTimer = null;
  var audio = null;
  var myLogin = (document.body.dataset.login || "");
  /* Who wrote the queue's error line: a failed read (cleared by the next good read), or an
     action refused (« Cette conversation a déjà été prise… »: it stays until the agent's next
     action in the queue, whatever the refreshes). */
  var queueErrorFromRead = false;

  function queueReadFailed(error) {
    showError("erreur-file", error.message);
    queueErrorFromRead = true;
  }

  function queueReadWorked() {
    if (queueErrorFromRead) { showError("erreur-file", ""); queueErrorFromRead = false; }
  }

  function queueActionMessage(text) {
    showError("erreur-file", text);
    queueErrorFromRead = false;
  }

  var WHO = { adherent: "Adhérent", conseiller: "Vous", sesame: "Sésame" };
  var TYPE = { discussion: "Discussion en direct", rappel: "Rappel demandé" };
  var MOTIF = { demande: "a demandé un conseiller", incomprehension: "Sésame n'a pas compris deux fois" };

  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      audio = audio || new Context();
      if (audio.state === "suspended") { audio.resume(); }
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.4);
    } catch (ignored) { /* no sound: the title and the list still say it */ }
  }

  /* Browsers only let a page start sound after a gesture: the first click or key prepares it. */
  function unlockAudio() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context && !audio) { audio = new Context(); }
      if (audio && audio.state === "suspended") { audio.resume(); }
    } catch (ignored) { /* no sound */ }
  }

  function notificationsAllowed() {
    return "Notification" in window && window.Notification.permission === "granted";
  }

  function showNotificationState() {
    var button = $("notifications");
    var note = $("notifications-etat");
    if (!("Notification" in window)) {
      button.hidden = true;
      note.hidden = true;
      return;
    }
    var permission = window.Notification.permission;
    button.hidden = permission !== "default";
    note.hidden = permission === "default";
    note.textContent = permission === "granted"
      ? "Notifications du navigateur activées pour les nouvelles demandes."
      : "Notifications refusées dans le navigateur : le son et le titre de l'onglet signalent les nouvelles demandes.";
  }

  function askNotifications() {
    if (!("Notification" in window)) { return; }
    unlockAudio();
    var asked = window.Notification.requestPermission(function () { showNotificationState(); });
    if (asked && asked.then) { asked.then(showNotificationState); }
  }

  function signal(items) {
    beep();
    if (notificationsAllowed()) {
      try {
        var live = items.filter(function (item) { return item.type === "discussion"; }).length;
        var text = live
          ? "Un adhérent attend un conseiller dans la discussion."
          : "Un adhérent demande à être rappelé.";
        var note = new window.Notification("Sésame : nouvelle demande", { body: text, tag: "sesame-file", lang: "fr" });
        note.onclick = function () { window.focus(); $("file").focus(); note.close(); };
      } catch (ignored) { /* some browsers only notify from a service worker */ }
    }
    announce(items.length > 1 ? items.length + " nouvelles demandes dans la file d'attente"
      : "Nouvelle demande dans la file d'attente");
  }

  /** "0612345678" as it is read out: "06 12 34 56 78" (anything else as given). */
  function readablePhone(phone) {
    return /^0[0-9]{9}$/.test(phone) ? phone.replace(/(\d{2})(?=\d)/g, "$1\u00a0") : phone;
  }

  function itemKey(item) {
    return [item.type, item.etat, item.conseiller, item.a_moi, item.resume, item.telephone, item.creneau,
      item.fenetre, held && held.id === item.id].join("|");
  }

  function line(parent, className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    parent.appendChild(p);
    return p;
  }

  function button(parent, text, className, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (className) { b.className = className; }
    b.addEventListener("click", action);
    parent.appendChild(b);
    return b;
  }

  function buildItem(item) {
    var node = document.createElement("li");
    node.className = "queue-item queue-" + item.type + " queue-" + item.etat;
    node.dataset.id = String(item.id);
    var head = document.createElement("p");
    head.className = "queue-head";
    var kind = document.createElement("strong");
    kind.textContent = TYPE[item.type] + " n° " + item.id;
    head.appendChild(kind);
    head.appendChild(document.createTextNode(" · "));
    var age = document.createElement("span");
    age.className = "queue-age";
    head.appendChild(age);
    node.appendChild(head);
    var state = item.etat === "en_attente" ? "En attente"
      : item.a_moi ? "Vous la tenez" : "Prise par " + (item.conseiller || "un conseiller");
    line(node, "queue-state", state + " — l'adhérent " + (MOTIF[item.motif] || ""));
    if (item.type === "rappel") {
      var facts = document.createElement("dl");
      facts.className = "facts";
      /* The moment in the member's own words, and the window the server read from them. */
      [["Téléphone", item.telephone ? readablePhone(item.telephone) : "non donné"],
        ["L'adhérent a écrit", item.creneau ? "« " + item.creneau + " »" : "rien de précis"],
        ["À rappeler", item.fenetre || "à tout moment"]].forEach(function (pair) {
        var dt = document.createElement("dt");
        dt.textContent = pair[0];
        var dd = document.createElement("dd");
        dd.textContent = pair[1];
        facts.appendChild(dt);
        facts.appendChild(dd);
      });
      node.appendChild(facts);
    }
    line(node, "queue-summary", item.resume);
    var actions = document.createElement("div");
    actions.className = "actions";
    var label = TYPE[item.type] + " n° " + item.id;
    if (item.type === "discussion" && item.etat === "en_attente") {
      button(actions, "Prendre", "", function () { take(item.id); }).setAttribute("aria-label", "Prendre la " + label.toLowerCase());
    } else if (item.type === "discussion" && item.a_moi && !(held && held.id === item.id)) {
      button(actions, "Afficher", "secondary", function () { show(item.id); }).setAttribute("aria-label", "Afficher la " + label.toLowerCase());
    } else if (item.type === "rappel" && item.etat === "en_attente") {
      if (item.telephone && item.telephone.indexOf("\u2022") >= 0) {
        button(actions, "Afficher le numéro", "secondary", function () { revealPhone(item.id, facts); }).setAttribute("aria-label", "Afficher le numéro : " + label.toLowerCase());
      }
      button(actions, "Rappel fait", "", function () { callback(item.id, true); }).setAttribute("aria-label", "Rappel fait : " + label.toLowerCase());
      button(actions, "Injoignable", "secondary", function () { callback(item.id, false); }).setAttribute("aria-label", "Injoignable : " + label.toLowerCase());
    }
    if (actions.firstChild) { node.appendChild(actions); }
    return node;
  }

  /* Presence (bot/agents/presence.py): the queue read says the console is open; read at least
     three times within AGENT_PRESENCE_SECONDS. Back after a longer absence, the switch is off. */
  function showPresence(view) {
    if (typeof view.presence_secondes === "number" && view.presence_secondes > 0) {
      heartbeatMs = view.presence_secondes * 1000 / 3;
    }
    if (view.absence) {
      var note = "Votre console était fermée : vous n'êtes plus disponible pour les discussions. " +
        "Cochez « Je suis disponible » pour en reprendre.";
      $("presence-note").textContent = note;
      $("presence-note").hidden = false;
      announce(note);
    }
  }

  function nextQueueRead() {
    var every = pushed ? PUSHED_EVERY_MS : QUEUE_EVERY_MS;
    return heartbeatMs ? Math.min(every, heartbeatMs) : every;
  }

  function showQueue(view, changesBefore) {
    showPresence(view);
    if (!savingAvailability && changesBefore === availabilityChanges) { $("disponible").checked = view.disponible; }
    var others = view.conseillers_disponibles;
    $("file-resume").textContent = (others === 0 ? "Aucun conseiller disponible"
      : others === 1 ? "1 conseiller disponible" : others + " conseillers disponibles") +
      " · " + (view.en_attente === 0 ? "aucune demande en attente"
        : view.en_attente === 1 ? "1 demande en attente" : view.en_attente + " demandes en attente") + ".";
    $("file-compte").textContent = view.en_attente ? "(" + view.en_attente + ")" : "";
    document.title = view.en_attente ? "(" + view.en_attente + ") " + baseTitle : baseTitle;

    var list = $("file-elements");
    var seen = {};
    var focused = document.activeElement;
    var focusedId = focused && list.contains(focused) && focused.closest("li") ? focused.closest("li").dataset.id : null;
    var focusedText = focusedId ? focused.textContent : null;
    view.elements.forEach(function (item, index) {
      seen[item.id] = true;
      var key = itemKey(item);
      var shown = queueNodes[item.id];
      if (!shown || shown.key !== key) {
        var node = buildItem(item);
        if (shown) { list.replaceChild(node, shown.node); } else { list.appendChild(node); }
        shown = queueNodes[item.id] = { node: node, key: key };
        if (focusedId === String(item.id)) {
          var again = Array.prototype.filter.call(node.querySelectorAll("button"), function (b) {
            return b.textContent === focusedText;
          })[0] || node.querySelector("button");
          if (again) { again.focus(); } else { $("file").focus(); }
        }
      }
      if (list.children[index] !== shown.node) { list.insertBefore(shown.node, list.children[index] || null); }
      shown.node.querySelector(".queue-age").textContent = item.depuis;
    });
    Object.keys(queueNodes).forEach(function (id) {
      if (!seen[id]) {
        if (focusedId === id) { $("file").focus(); }
        /* A chat that leaves the queue while still waiting: the member left it, or chose a call-back. */
        if (queueNodes[id].node.classList.contains("queue-discussion") && queueNodes[id].node.classList.contains("queue-en_attente")) {
          announce("Une discussion en attente a quitté la file : l'adhérent est parti ou a choisi d'être rappelé.");
        }
        list.removeChild(queueNodes[id].node);
        delete queueNodes[id];
      }
    });
    $("file-vide").hidden = view.elements.length !== 0;

    var waiting = view.elements.filter(function (item) { return item.etat === "en_attente"; });
    if (knownWaiting !== null) {
      var fresh = waiting.filter(function (item) { return !knownWaiting[item.id]; });
      if (fresh.length) { signal(fresh); }
    }
    knownWaiting = {};
    waiting.forEach(function (item) { knownWaiting[item.id] = true; });

    if (held === null) {
      var mine = view.elements.filter(function (item) {
        return item.type === "discussion" && item.etat === "en_cours" && item.a_moi;
      })[0];
      if (mine) { show(mine.id); }
    }
  }

  function pollQueue() {
    if (queueTimer !== null) { window.clearTimeout(queueTimer); queueTimer = null; }
    if (queueBusy) { queueAgain = true; return; }
    queueBusy = true;
    var changes = availabilityChanges;
    call("GET", "/file", undefined, true).then(function (view) {
      queueReadWorked();
      showQueue(view, changes);
    }, queueReadFailed).then(function () {
      queueBusy = false;
      if (queueAgain) { queueAgain = false; pollQueue(); return; }
      queueTimer = window.setTimeout(pollQueue, nextQueueRead());
    });
  }

  function refreshQueue() {
    var changes = availabilityChanges;
    return call("GET", "/file").then(function (view) { queueReadWorked(); showQueue(view, changes); }, queueReadFailed);
  }

  function setAvailability() {
    var box = $("disponible");
    var wanted = box.checked;
    availabilityChanges += 1;
    savingAvailability = true;
    queueActionMessage("");
    call("POST", "/disponibilite", { disponible: wanted }).then(function (answer) {
      box.checked = answer.disponible;
      $("presence-note").hidden = true;
      announce(answer.disponible ? "Vous êtes disponible pour les discussions."
        : "Vous n'êtes plus disponible pour les discussions.");
    }, function (error) {
      box.checked = !wanted;
      queueActionMessage(error.message);
    }).then(function () {
      savingAvailability = false;
      refreshQueue();
    });
  }

  function callback(id, reached) {
    queueActionMessage("");
    call("POST", "/prises-en-charge/" + id + "/rappel", { joint: reached }).then(function () {
      announce(reached ? "Rappel n° " + id + " marqué comme fait." : "Rappel n° " + id + " : adhérent injoignable.");
      $("file").focus();
      refreshQueue();
    }, function (error) {
      queueActionMessage(error.message);
      refreshQueue();
    });
  }

  /** The call-back's full number: asked for (and audited) only when the agent means to call. */
  function revealPhone(id, facts) {
    queueActionMessage("");
    call("GET", "/prises-en-charge/" + id).then(function (detail) {
      var phone = detail.element.telephone;
      var dd = facts.querySelector("dd");
      if (dd && phone) { dd.textContent = readablePhone(phone); }
      announce("Numéro à rappeler : " + (phone ? readablePhone(phone) : "non donné") + ".");
    }, function (error) { queueActionMessage(error.message); });
  }

  function take(id) {
    queueActionMessage("");
    call("POST", "/prises-en-charge/" + id + "/prendre").then(function (detail) {
      openConversation(detail);
      announce("Vous avez pris la discussion n° " + id + ".");
      $("message-conseiller").focus();
      refreshQueue();
    }, function (error) {
      queueActionMessage(error.message);
      refreshQueue();
    });
  }

  function show(id) {
    call("GET", "/prises-en-charge/" + id).then(function (detail) {
      if (detail.element.etat === "en_cours" && detail.element.a_moi) { openConversation(detail); }
    }, function (error) { queueActionMessage(error.message); });
  }

  function addMessage(message) {
    if (!held || held.shown[message.id]) { return; }
    held.shown[message.id] = true;
    var item = document.createElement("p");
    item.className = "live-msg live-" + message.qui;
    var who = document.createElement("span");
    who.className = "live-who";
    who.textContent = (WHO[message.qui] || message.qui) + " : ";
    var text = document.createElement("span");
    text.className = "live-text";
    text.textContent = message.texte;
    item.appendChild(who);
    item.appendChild(text);
    if (message.date) {
      var time = document.createElement("time");
      time.dateTime = message.date;
      time.textContent = " " + timeFormat.format(new Date(message.date));
      item.appendChild(time);
    }
    var list = $("conversation-messages");
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  function showMessages(messages) {
    messages.forEach(function (message) {
      addMessage(message);
      if (held && message.id > held.lastId) { held.lastId = message.id; }
    });
  }

  function openConversation(detail) {
    var element = detail.element;
    stopMessages();
    held = { id: element.id, lastId: 0, shown: {}, open: true };
    $("conversation-entete").textContent = "Discussion n° " + element.id +
      (detail.reference ? " (conversation " + detail.reference + ")" : "") + " · demandée " + element.depuis +
      " · l'adhérent " + (MOTIF[element.motif] || "");
    $("conversation-resume").textContent = element.resume;
    showMemberDoor(detail);
    var transcript = $("conversation-transcription");
    clear(transcript);
    detail.transcription.forEach(function (said) {
      var item = document.createElement("li");
      item.className = "transcript-" + (said.qui === "adherent" ? "adherent" : "sesame");
      var who = document.createElement("strong");
      who.textContent = (said.qui === "adherent" ? "Adhérent" : "Sésame") + " : ";
      item.appendChild(who);
      item.appendChild(document.createTextNode(said.texte || said.text || ""));
      transcript.appendChild(item);
    });
    $("conversation-transcription-bloc").hidden = detail.transcription.length === 0;
    clear($("conversation-messages"));
    showMessages(detail.messages);
    showError("erreur-conversation", "");
    $("conversation-fin").textContent = "";
    $("conversation-aucune").hidden = true;
    $("conversation-bloc").hidden = false;
    loadColleagues();
    messagesTimer = window.setTimeout(pollMessages, MESSAGES_EVERY_MS);
  }

  function stopMessages() {
    if (messagesTimer !== null) { window.clearTimeout(messagesTimer); messagesTimer = null; }
  }

  function endConversation(text) {
    stopMessages();
    if (held) { closeHandoffFile(held.id); }
    held = null;
    $("conversation-bloc").hidden = true;
    $("conversation-aucune").hidden = false;
    $("conversation-fin").textContent = text;
    refreshQueue();
  }

  function pollMessages() {
    if (!held) { return; }
    if (messagesBusy) { messagesAgain = true; return; }
    stopMessages();
    messagesBusy = true;
    var id = held.id;
    var every = pushed ? PUSHED_EVERY_MS : MESSAGES_EVERY_MS;
    function done(delay) {
      messagesBusy = false;
      if (messagesAgain) { messagesAgain = false; pollMessages(); return; }
      if (delay && held && held.id === id) { messagesTimer = window.setTimeout(pollMessages, delay); }
    }
    call("GET", "/prises-en-charge/" + id + "?apres=" + held.lastId, undefined, true).then(function (detail) {
      if (!held || held.id !== id) { done(0); return; }
      showMessages(detail.messages);
      showMemberDoor(detail, true);
      if (detail.element.etat !== "en_cours" || !detail.element.a_moi) {
        endConversation(detail.element.etat === "en_cours"
          ? "La discussion n° " + id + " est maintenant tenue par " + (detail.element.conseiller || "un autre conseiller") + "."
          : "La discussion n° " + id + " est terminée.");
        done(0);
        return;
      }
      done(every);
    }, function (error) {
      if (!held || held.id !== id) { done(0); return; }
      showError("erreur-conversation", error.message);
      done(every * 3);
    });
  }

  /* The wake-ups of the server: re-read what changed now, instead of at the next tick. */
  function listenToServer() {
    if (!window.EventSource) { return; }
    var source = new window.EventSource(API + "/flux");
    source.addEventListener("open", function () {
      pushed = true;
      pollQueue();   // whatever changed before the stream was open
      if (held) { pollMessages(); }
    });
    source.addEventListener("file", function () { pollQueue(); });
    /* A stream without wake-ups (the demo's SQLite): it only says the console is open,
       and the page keeps its timers at their old pace. */
    source.addEventListener("presence", function () { pushed = false; });
    source.addEventListener("messages", function (event) {
      var id = null;
      try { id = JSON.parse(event.data).id; } catch (ignored) { /* re-read the one shown */ }
      if (held && (id === null || id === held.id)) { pollMessages(); }
    });
    source.addEventListener("error", function () {
      /* CLOSED: no stream here (204 on the demo's SQLite, or a 401 that the next read
         turns into the sign-in page); CONNECTING: the browser retries by itself. Either
         way, the timers go back to their old pace until the stream is open again. */
      pushed = false;
      if (source.readyState === window.EventSource.CLOSED) { source.close(); }
    });
  }

  function sendToMember(event) {
    event.preventDefault();
    if (!held) { return; }
    var field = $("message-conseiller");
    var text = field.value.trim();
    showError("erreur-conversation", "");
    if (!text) {
      showError("erreur-conversation", "Écrivez un message avant de l'envoyer.");
      field.focus();
      return;
    }
    $("envoyer-message").disabled = true;
    call("POST", "/prises-en-charge/" + held.id + "/messages", { texte: text }).then(function (said) {
      field.value = "";
      addMessage(said);
    }, function (error) {
      showError("erreur-conversation", error.message);
    }).then(function () {
      $("envoyer-message").disabled = false;
      field.focus();
    });
  }

  function loadColleagues() {
    call("GET", "/conseillers").then(function (colleagues) {
      var select = $("transfert-vers");
      clear(select);
      var others = colleagues.filter(function (c) { return c.login !== myLogin; });
      others.forEach(function (colleague) {
        var option = document.createElement("option");
        option.value = colleague.login;
        option.textContent = colleague.nom + (colleague.disponible ? " (disponible)" : " (indisponible)");
        select.appendChild(option);
      });
      if (!others.length) {
        var none = document.createElement("option");
        none.value = "";
        none.textContent = "Aucun autre conseiller";
        select.appendChild(none);
      }
      select.disabled = !others.length;
    }, function () { /* the transfer stays possible later */ });
  }

  function transfer(event) {
    event.preventDefault();
    if (!held) { return; }
    var to = $("transfert-vers").value;
    if (!to) { return; }
    var id = held.id;
    var name = $("transfert-vers").selectedOptions[0].textContent.replace(/ \((in)?disponible\)$/, "");
    call("POST", "/prises-en-charge/" + id + "/transferer", { conseiller: to }).then(function () {
      endConversation("Discussion n° " + id + " confiée à " + name + ".");
      $("file").focus();
    }, function (error) { showError("erreur-conversation", error.message); });
  }

  function finish() {
    if (!held) { return; }
    var id = held.id;
    $("terminer").disabled = true;
    call("POST", "/prises-en-charge/" + id + "/fermer").then(function () {
      endConversation("Discussion n° " + id + " terminée : Sésame reprend la main auprès de l'adhérent.");
      $("file").focus();
    }, function (error) {
      showError("erreur-conversation", error.message);
    }).then(function () { $("terminer").disabled = false; });
  }

  /* A conversation Sésame handled badly: the trainers will see it in their review inbox. */
  function flagForTrainers() {
    if (!held) { return; }
    var id = held.id;
    $("signaler").disabled = true;
    call("POST", "/prises-en-charge/" + id + "/signaler", {}).then(function () {
      $("conversation-fin").textContent = "Conversation signalée à l'atelier des formateurs.";
      announce("Conversation signalée à l'atelier des formateurs.");
    }, function (error) {
      showError("erreur-conversation", error.message);
    }).then(function () { $("signaler").disabled = false; });
  }

  function startQueue() {
    $("disponible").addEventListener("change", setAvailability);
    $("notifications").addEventListener("click", askNotifications);
    $("form-message").addEventListener("submit", sendToMember);
    $("form-transfert").addEventListener("submit", transfer);
    $("terminer").addEventListener("click", finish);
    $("signaler").addEventListener("click", flagForTrainers);
    $("ouvrir-dossier-conversation").addEventListener("click", openHandoffFile);
    document.addEventListener("click", unlockAudio, { once: true });
    document.addEventListener("keydown", unlockAudio, { once: true });
    showNotificationState();
    pollQueue();
    listenToServer();
  }

  document.addEventListener("DOMContentLoaded", function () {
    startQueue();
    $("form-assistant").addEventListener("submit", ask);
    $("question").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("form-assistant").requestSubmit();
      }
    });
    $("form-dossier").addEventListener("submit", lookUp);
    $("form-email").addEventListener("submit", checkEmail);
    $("envoi-email").addEventListener("click", function () { offer("email"); });
    $("envoi-courrier").addEventListener("click", function () { offer("courrier"); });
    $("confirmer").addEventListener("click", confirmReset);
    $("annuler").addEventListener("click", dismiss);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && pending) { dismiss(); }
    });
    if ($("form-journal")) {
      $("form-journal").addEventListener("submit", showJournal);
      showJournal();
    }
    $("question").focus();
  });
}());
