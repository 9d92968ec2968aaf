/* Sésame — the trainers' workbench (bot/web/templates/atelier_*.html).
   Talks to /atelier/api/… only; the server checks the session and the role on every
   call, this script only shows what it is given. Text goes in with textContent,
   never as HTML. One file for every page: ``body[data-page]`` says which. */
(function () {
  "use strict";

  var API = "/atelier/api";
  var dateFormat = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short"
  });
  var percent = new Intl.NumberFormat("fr-FR", { style: "percent", maximumFractionDigits: 0 });
  var percent1 = new Intl.NumberFormat("fr-FR", { style: "percent", maximumFractionDigits: 1 });

  function $(id) { return document.getElementById(id); }

  function announce(text) {
    var status = $("atelier-etat");
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function show(id, text) {
    var node = $(id);
    node.textContent = text || "";
    node.hidden = !text;
  }

  var clear = window.SesameApi.clear;
  var element = window.SesameApi.element;
  /* call(method, path, body, poll): ``poll`` for an automatic refresh (static/api.js). */
  var call = window.SesameApi.client(API, "/atelier/");

  function lines(text) {
    return text.split("\n").map(function (line) { return line.trim(); }).filter(Boolean);
  }

  /* A button at work keeps a visible label (« Vérification en cours… ») and says it is busy;
     ``done()`` gives its own label back (``done(false)``: and leaves it disabled). */
  function working(button, label) {
    if (!button.hasAttribute("data-label")) { button.setAttribute("data-label", button.textContent); }
    button.textContent = label;
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    return function done(enabled) {
      if (button.hasAttribute("data-label")) { button.textContent = button.getAttribute("data-label"); }
      button.removeAttribute("data-label");
      button.removeAttribute("aria-busy");
      button.disabled = enabled === false;
    };
  }

  function bullets(list, texts) {
    clear(list);
    (texts || []).forEach(function (text) { list.appendChild(element("li", text)); });
  }

  /* What a change teaches Sésame, in French; the files under « Détails techniques ». */
  function written(prefix, view) {
    bullets($(prefix + "-liste"), view.resume);
    fileChanges($(prefix === "apercu" ? "apercu-fichiers" : "modifier-apercu"), view.fichiers);
    $(prefix + "-details").hidden = view.fichiers.length === 0;
  }

  function fileChanges(container, files) {
    clear(container);
    files.forEach(function (file) {
      var block = element("div", null, "file-change");
      block.appendChild(element("h3", file.chemin));
      var pre = element("pre", file.diff, "code");
      pre.tabIndex = 0;
      pre.setAttribute("aria-label", "Changements de " + file.chemin);
      block.appendChild(pre);
      container.appendChild(block);
    });
  }

  /* --- Boîte de revue ---------------------------------------------------------------- */

  function inbox() {
    var form = $("filtres");
    var list = $("boite-elements");
    var template = $("modele-message");
    var page = 1;

    function query() {
      var params = new URLSearchParams();
      ["depuis", "jusqua"].forEach(function (name) {
        if ($(name).value) { params.set(name, $(name).value); }
      });
      if ($("filtre-intention").value) { params.set("intention", $("filtre-intention").value); }
      if ($("raison").value) { params.set("raison", $("raison").value); }
      ["confiance_min", "confiance_max"].forEach(function (name) {
        var value = $(name).value;
        if (value !== "") { params.set(name, String(Math.max(0, Math.min(100, Number(value))) / 100)); }
      });
      if ($("a_traiter").checked) { params.set("a_traiter", "true"); }
      params.set("page", String(page));
      return params.toString();
    }

    function decided(node, text) {
      node.classList.add("decided");
      var said = node.querySelector(".decision-prise");
      said.textContent = text;
      said.hidden = false;
      node.querySelectorAll(".decision-actions button, .decision-actions select").forEach(function (control) {
        control.disabled = true;
      });
    }

    function decide(node, item, decision, intent) {
      var error = node.querySelector(".item-erreur");
      error.hidden = true;
      var body = { conversation: item.conversation, evenement: item.evenement, decision: decision };
      if (intent) { body.intention = intent; }
      return call("POST", "/boite/decision", body).then(function (done) {
        decided(node, done.message);
        announce(done.message);
      }, function (failure) {
        error.textContent = failure.message;
        error.hidden = false;
        announce(failure.message);
      });
    }

    function render(item, index) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.querySelector(".texte").textContent = item.texte;
      node.querySelector(".date").textContent = dateFormat.format(new Date(item.date));
      node.querySelector(".prediction").textContent = item.intention
        ? item.libelle + (item.confiance !== null ? " (" + percent.format(item.confiance) + ")" : "")
        : "aucune";
      node.querySelector(".raisons").textContent = item.raisons.join(", ");
      var why = node.querySelector(".explications");
      item.explications.forEach(function (sentence) {
        var line = document.createElement("li");
        line.textContent = sentence; // the member's next message is in it: text, never HTML
        why.appendChild(line);
      });
      node.querySelector(".reference").textContent = item.conversation; // its reference, never its id
      var id = "deplacer-" + index;
      node.querySelector(".move-label").setAttribute("for", id);
      var select = node.querySelector(".move-select");
      select.id = id;
      var accept = node.querySelector(".accepter");
      if (item.intention) {
        accept.textContent = "Accepter « " + item.libelle + " »";
      } else {
        accept.hidden = true;
      }
      accept.addEventListener("click", function () { decide(node, item, "accepter"); });
      node.querySelector(".deplacer").addEventListener("click", function () {
        if (!select.value) {
          var error = node.querySelector(".item-erreur");
          error.textContent = "Choisissez d'abord l'intention dans la liste « Déplacer vers ».";
          error.hidden = false;
          select.focus();
          return;
        }
        decide(node, item, "deplacer", select.value);
      });
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && select.value) {
          event.preventDefault();
          decide(node, item, "deplacer", select.value);
        }
      });
      node.querySelector(".hors-sujet").addEventListener("click", function () { decide(node, item, "hors_sujet"); });
      node.querySelector(".ecarter").addEventListener("click", function () { decide(node, item, "ecarter"); });
      var link = node.querySelector(".vers-test");
      link.href = "/atelier/conversation?conversation=" + encodeURIComponent(item.conversation);
      if (item.decision) { decided(node, "Déjà traité : " + item.decision + "."); }
      node.setAttribute("aria-label", "Message " + (index + 1));
      return node;
    }

    function load() {
      $("boite-chargement").hidden = false;
      show("erreur-filtres", "");
      return call("GET", "/boite?" + query()).then(function (view) {
        $("boite-chargement").hidden = true;
        clear(list);
        view.elements.forEach(function (item, index) { list.appendChild(render(item, index)); });
        $("boite-vide").hidden = view.elements.length > 0;
        $("boite-compte").textContent = "(" + view.total + ")";
        $("page-position").textContent = view.pages > 1 ? "Page " + view.page + " sur " + view.pages : "";
        $("page-precedente").hidden = view.page <= 1;
        $("page-suivante").hidden = view.page >= view.pages;
        announce(view.total + " message" + (view.total > 1 ? "s" : "") + " à revoir.");
      }, function (failure) {
        $("boite-chargement").hidden = true;
        show("erreur-filtres", failure.message);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      page = 1;
      load();
    });
    $("page-precedente").addEventListener("click", function () { page -= 1; load(); });
    $("page-suivante").addEventListener("click", function () { page += 1; load(); });
    load();
  }

  /* --- Nouvelle question, et modifier une question ------------------------------------- */

  function question() {
    var form = $("nouvelle");
    var write = $("ecrire-nouvelle");

    function count(textarea, output, one, many) {
      function update() {
        var n = lines(textarea.value).length;
        output.textContent = n + " " + (n > 1 ? many : one);
      }
      textarea.addEventListener("input", update);
      update();
    }
    count($("exemples"), $("compte-exemples"), "exemple", "exemples");
    count($("controle"), $("compte-controle"), "phrase", "phrases");

    function body() {
      var buttons = [];
      [1, 2, 3].forEach(function (n) {
        var title = $("bouton-titre-" + n).value.trim();
        var intent = $("bouton-intention-" + n).value;
        if (title || intent) { buttons.push({ titre: title, intention: intent }); }
      });
      return {
        libelle: $("libelle").value,
        theme: $("theme").value,
        exemples: $("exemples").value,
        controle: $("controle").value,
        reponse: $("reponse").value,
        boutons: buttons,
        digression: $("digression").checked,
        section: $("section").value || null
      };
    }

    form.addEventListener("input", function () { write.disabled = true; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show("erreur-nouvelle", "");
      show("succes-nouvelle", "");
      write.disabled = true;
      var stop = working($("apercu-nouvelle"), "Préparation de l'aperçu…");
      call("POST", "/question/apercu", body()).then(function (preview) {
        stop();
        $("apercu-vide").hidden = true;
        show("apercu-resume", preview.message);
        written("apercu", preview);
        write.disabled = false;
        announce(preview.message);
        $("apercu").focus();
      }, function (failure) {
        stop();
        show("erreur-nouvelle", failure.message);
        announce(failure.message);
      });
    });
    write.addEventListener("click", function () {
      show("erreur-nouvelle", "");
      var stop = working(write, "Écriture en cours…");
      call("POST", "/question", body()).then(function (done) {
        stop(false);
        show("succes-nouvelle", done.message);
        show("apercu-resume", "C'est écrit : Sésame l'apprendra au prochain entraînement.");
        written("apercu", done);
        announce(done.message);
      }, function (failure) {
        stop();
        show("erreur-nouvelle", failure.message);
        announce(failure.message);
      });
    });

    var edit = $("modifier");
    var saveEdit = $("ecrire-modifier");
    var current = null;

    function editBody() {
      var removed = [];
      $("modifier-exemples").querySelectorAll("input:checked").forEach(function (box) { removed.push(box.value); });
      var changes = { ajouter: $("modifier-ajouter").value, retirer: removed };
      if (current && current.reponse !== null && $("modifier-reponse").value !== current.reponse) {
        changes.reponse = $("modifier-reponse").value;
      }
      return changes;
    }

    $("choisir").addEventListener("submit", function (event) {
      event.preventDefault();
      show("erreur-modifier", "");
      var name = $("modifier-intention").value;
      call("GET", "/intentions/" + encodeURIComponent(name)).then(function (intent) {
        current = intent;
        var list = $("modifier-exemples");
        clear(list);
        intent.exemples.forEach(function (text, index) {
          var item = element("li");
          var box = element("input");
          box.type = "checkbox";
          box.id = "retirer-" + index;
          box.value = text;
          var label = element("label", text);
          label.htmlFor = box.id;
          item.appendChild(box);
          item.appendChild(label);
          list.appendChild(item);
        });
        $("modifier-ajouter").value = "";
        $("modifier-reponse").value = intent.reponse || "";
        $("modifier-reponse-bloc").hidden = intent.reponse === null;
        $("modifier-action").hidden = intent.reponse !== null;
        clear($("modifier-apercu"));
        clear($("modifier-liste"));
        $("modifier-details").hidden = true;
        show("succes-modifier", "");
        saveEdit.disabled = true;
        edit.hidden = false;
        announce(intent.libelle + " : " + intent.exemples.length + " exemples.");
      }, function (failure) { show("erreur-modifier", failure.message); });
    });
    edit.addEventListener("input", function () { saveEdit.disabled = true; });
    edit.addEventListener("submit", function (event) {
      event.preventDefault();
      show("erreur-modifier", "");
      show("succes-modifier", "");
      var button = edit.querySelector("button[type=submit]");
      var stop = working(button, "Préparation de l'aperçu…");
      call("POST", "/intentions/" + encodeURIComponent(current.intention) + "/apercu", editBody()).then(function (preview) {
        stop();
        written("modifier", preview);
        saveEdit.disabled = preview.fichiers.length === 0;
        announce(preview.resume.join(" "));
      }, function (failure) {
        stop();
        show("erreur-modifier", failure.message);
      });
    });
    saveEdit.addEventListener("click", function () {
      var stop = working(saveEdit, "Enregistrement en cours…");
      call("POST", "/intentions/" + encodeURIComponent(current.intention), editBody()).then(function (done) {
        stop(false);
        written("modifier", done);
        show("succes-modifier", done.message);
        announce(done.message);
      }, function (failure) {
        stop();
        show("erreur-modifier", failure.message);
      });
    });
  }

  /* --- Conversation → test ----------------------------------------------------------- */

  /* A story turn by turn, in French: the member's message, what Sésame answers. */
  function turnItem(turn) {
    var item = element("li", null, "turn");
    var said = element("p");
    said.appendChild(element("q", turn.texte, "texte"));
    said.appendChild(document.createTextNode(" — question attendue : " + turn.libelle));
    item.appendChild(said);
    turn.reponses.forEach(function (text) { item.appendChild(element("p", "Sésame : " + text, "hint")); });
    return item;
  }

  function conversation() {
    var story = null;

    function source() {
      var body = {};
      var reference = $("conversation").value.trim();
      var handoff = $("prise_en_charge").value.trim();
      if (reference) { body.conversation = reference; }
      if (handoff) { body.prise_en_charge = Number(handoff); }
      if ($("nom-histoire").value.trim()) { body.nom = $("nom-histoire").value.trim(); }
      return body;
    }

    function preview(view) {
      $("histoire").textContent = view.histoire;
      $("histoire-fichier").textContent = (view.ecrit ? "Enregistrée dans " : "Sera enregistrée dans ") + view.fichier + ".";
      bullets($("histoire-notes"), view.notes);
      bullets($("histoire-avertissements"), view.avertissements);
      $("histoire-avertissements-bloc").hidden = view.avertissements.length === 0;
      var turns = $("histoire-tours");
      clear(turns);
      view.tours.forEach(function (turn) { turns.appendChild(turnItem(turn)); });
    }

    var submit = $("source").querySelector("button[type=submit]");
    $("source").addEventListener("submit", function (event) {
      event.preventDefault();
      show("erreur-conversation", "");
      show("succes-conversation", "");
      var stop = working(submit, "Préparation de l'aperçu…");
      call("POST", "/conversation/apercu", source()).then(function (view) {
        stop();
        story = view;
        preview(view);
        $("histoire-bloc").hidden = false;
        $("enregistrer-histoire").disabled = false;
        $("histoire-bloc").focus();
        announce(view.avertissements.length
          ? "Aperçu prêt : " + view.avertissements.length + " point(s) à vérifier."
          : "Aperçu de l'histoire prêt.");
      }, function (failure) {
        stop();
        show("erreur-conversation", failure.message);
      });
    });
    $("enregistrer-histoire").addEventListener("click", function () {
      if (!story) { return; }
      var stop = working($("enregistrer-histoire"), "Enregistrement en cours…");
      call("POST", "/conversation", source()).then(function (done) {
        stop(false);
        preview(done);
        show("succes-conversation", done.message);
        announce(done.message);
        loadSaved();
      }, function (failure) {
        stop();
        show("erreur-conversation", failure.message);
      });
    });

    /* The saved stories: each turn can be removed or given another question; a story deleted. */
    var saved = $("enregistrees-liste");

    function turnEditor(id, turn) {
      var item = turnItem(turn);
      var row = element("div", null, "turn-edit");
      var field = element("div", null, "field");
      var label = element("label", "Question attendue au passage " + turn.numero);
      var select = $("modele-choix-question").content.firstElementChild.cloneNode(true);
      select.id = id + "-question-" + turn.numero;
      label.htmlFor = select.id;
      select.setAttribute("data-numero", String(turn.numero));
      var known = Array.prototype.some.call(select.options, function (option) { return option.value === turn.intention; });
      if (!known) {
        var none = element("option", "— à choisir —");
        none.value = "";
        select.insertBefore(none, select.firstChild);
      }
      select.value = known ? turn.intention : "";
      select.setAttribute("data-avant", select.value);
      field.appendChild(label);
      field.appendChild(select);
      row.appendChild(field);
      var check = element("div", null, "field checkbox");
      var box = element("input");
      box.type = "checkbox";
      box.id = id + "-retirer-" + turn.numero;
      box.value = String(turn.numero);
      var boxLabel = element("label", "Retirer le passage " + turn.numero);
      boxLabel.htmlFor = box.id;
      check.appendChild(box);
      check.appendChild(boxLabel);
      row.appendChild(check);
      item.appendChild(row);
      return item;
    }

    function editBody(form) {
      var body = { retirer: [], changer: [] };
      form.querySelectorAll("input[type=checkbox]:checked").forEach(function (input) { body.retirer.push(Number(input.value)); });
      form.querySelectorAll("select").forEach(function (select) {
        if (select.value && select.value !== select.getAttribute("data-avant")) {
          body.changer.push({ numero: Number(select.getAttribute("data-numero")), intention: select.value });
        }
      });
      return body;
    }

    function button(parent, text, type, className) {
      var node = element("button", text, className);
      node.type = type;
      parent.appendChild(node);
      return node;
    }

    /* A saved story changed or deleted: the button says it works, then the list is read again. */
    function change(control, label, path, body) {
      show("erreur-enregistrees", "");
      show("succes-enregistrees", "");
      var stop = working(control, label);
      call("POST", path, body).then(function (done) {
        stop();
        show("succes-enregistrees", done.message);
        announce(done.message);
        loadSaved();
      }, function (failure) {
        stop();
        show("erreur-enregistrees", failure.message);
        announce(failure.message);
      });
    }

    function savedItem(view, index) {
      var id = "histoire-" + index;
      var node = element("article", null, "saved-story");
      node.setAttribute("aria-labelledby", id + "-titre");
      var title = element("h3", view.titre);
      title.id = id + "-titre";
      node.appendChild(title);
      if (view.avertissements.length) {
        var box = element("div", null, "warnings");
        box.appendChild(element("p", "À vérifier :", "warnings-title"));
        var list = element("ul");
        bullets(list, view.avertissements);
        box.appendChild(list);
        node.appendChild(box);
      } else {
        node.appendChild(element("p", "Rien ne contredit vos décisions ni les données.", "note success"));
      }
      var form = element("form");
      form.noValidate = true;
      var turns = element("ol", null, "turns");
      view.tours.forEach(function (turn) { turns.appendChild(turnEditor(id, turn)); });
      form.appendChild(turns);
      var actions = element("div", null, "actions");
      var save = button(actions, "Enregistrer les modifications", "submit");
      var remove = button(actions, "Supprimer l'histoire", "button", "secondary");
      form.appendChild(actions);
      var confirm = element("div", null, "confirm");
      confirm.hidden = true;
      confirm.appendChild(element("p", "Supprimer « " + view.titre + " » ? Les rapports ne la rejoueront plus."));
      var yes = button(confirm, "Oui, supprimer cette histoire", "button");
      var no = button(confirm, "Non, la garder", "button", "secondary");
      form.appendChild(confirm);
      node.appendChild(form);
      var details = element("details");
      details.appendChild(element("summary", "Détails techniques : le fichier " + view.fichier));
      var pre = element("pre", view.histoire, "code");
      pre.tabIndex = 0;
      pre.setAttribute("aria-label", "Le fichier " + view.fichier);
      details.appendChild(pre);
      node.appendChild(details);

      var path = "/histoires/" + encodeURIComponent(view.fichier);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        change(save, "Enregistrement en cours…", path, editBody(form));
      });
      remove.addEventListener("click", function () {
        confirm.hidden = false;
        no.focus();
      });
      no.addEventListener("click", function () {
        confirm.hidden = true;
        remove.focus();
      });
      yes.addEventListener("click", function () { change(yes, "Suppression en cours…", path + "/suppression"); });
      return node;
    }

    function loadSaved() {
      return call("GET", "/histoires").then(function (view) {
        $("enregistrees-chargement").hidden = true;
        clear(saved);
        view.histoires.forEach(function (story, index) { saved.appendChild(savedItem(story, index)); });
        $("enregistrees-vide").hidden = view.histoires.length > 0;
      }, function (failure) {
        $("enregistrees-chargement").hidden = true;
        show("erreur-enregistrees", failure.message);
      });
    }
    loadSaved();
  }

  /* --- Vérifier et mesurer ----------------------------------------------------------- */

  function headline(latest) {
    var box = $("dernier-rapport");
    clear(box);
    if (!latest) {
      box.appendChild(element("p", "Aucun rapport pour l'instant.", "empty"));
      return;
    }
    $("lien-rapport").hidden = false;
    box.appendChild(element("p", "Dernier rapport" + (latest.cree ? " : " + latest.cree : "") + ".", "note"));
    var names = {
      holdout_macro_f1: "F1 moyen (phrases de contrôle)",
      holdout_min_f1: "F1 de l'intention la plus faible",
      robustness_macro_f1: "F1 moyen, phrases mal tapées",
      out_of_scope_recall: "Hors sujet reconnus",
      cross_validation_macro_f1: "F1 moyen en validation croisée"
    };
    var figures = element("dl", null, "facts");
    Object.keys(names).forEach(function (key) {
      if (typeof latest.chiffres[key] === "number") {
        figures.appendChild(element("dt", names[key]));
        figures.appendChild(element("dd", percent1.format(latest.chiffres[key])));
      }
    });
    if (typeof latest.chiffres.stories_total === "number") {
      figures.appendChild(element("dt", "Histoires de test suivies"));
      figures.appendChild(element("dd", latest.chiffres.stories_correct + " sur " + latest.chiffres.stories_total));
    }
    box.appendChild(figures);
  }

  var BUSY = { verification: "Vérification en cours…", rapport: "Rapport en cours…", modele: "Mise en service en cours…" };

  function task(kind, path, afterwards) {
    var button = $("lancer-" + kind);
    var timer = null;
    var stop = null;

    function busy(running) {
      if (running && !stop) { stop = working(button, BUSY[kind]); }
      if (!running) {
        if (stop) { stop(); }
        stop = null;
        button.disabled = false;
      }
    }

    function follow(status, announced) {
      var job = status.tache;
      if (status.dernier_rapport !== undefined && kind === "rapport") { headline(status.dernier_rapport); }
      if (!job) { return; }
      $(kind + "-suivi").hidden = job.etat !== "en_cours";
      $(kind + "-progression").value = job.pourcentage;
      $(kind + "-etape").textContent = job.etapes
        ? "Étape " + job.etape + " sur " + job.etapes + " : " + job.etape_libelle + " (" + job.pourcentage + " %)"
        : "Démarrage…";
      busy(job.etat === "en_cours");
      if (job.etat === "en_cours") {
        timer = window.setTimeout(function () { poll(); }, 1500);
        return;
      }
      var message = $(kind + "-message");
      message.textContent = job.message;
      message.className = "verdict " + (job.etat === "reussi" ? "ok" : "ko");
      message.hidden = false;
      if (afterwards) { afterwards(job); }
      if (announced) { announce(job.message); }
    }

    function poll() {
      call("GET", path, undefined, true).then(function (status) { follow(status, true); }, function (failure) {
        show("erreur-" + kind, failure.message);
        busy(false);
      });
    }

    button.addEventListener("click", function () {
      window.clearTimeout(timer);
      show("erreur-" + kind, "");
      $(kind + "-message").hidden = true;
      busy(true);
      call("POST", path).then(function (status) {
        announce({ rapport: "Rapport lancé.", modele: "Mise en service lancée.", verification: "Vérification lancée." }[kind]);
        follow(status, false);
      }, function (failure) {
        busy(false);
        show("erreur-" + kind, failure.message);
      });
    });
    call("GET", path, undefined, true).then(function (status) { follow(status, false); }, function () {});
  }

  function check() {
    task("verification", "/verification", function (job) {
      var list = $("verification-problemes");
      clear(list);
      if (!job.resultat) { return; }
      job.resultat.problems.forEach(function (problem) {
        var item = element("li");
        var where = problem.file + (problem.line ? ", ligne " + problem.line : "");
        item.appendChild(element("span", where, "problem-where"));
        item.appendChild(document.createTextNode(" : " + problem.message));
        list.appendChild(item);
      });
      $("verification-texte").textContent = job.resultat.texte;
      $("verification-details").hidden = false;
    });
    task("rapport", "/rapport", function (job) {
      $("rapport-lignes").textContent = job.lignes.join("\n");
      $("rapport-details").hidden = job.lignes.length === 0;
    });
    if ($("lancer-modele")) { models(); }
  }

  /* Retrain, compare and reload, override, rollback: superviseurs only (the server checks the role). */
  function models() {
    var refused = null;

    function comparisonRow(body, cells, verdict) {
      var tr = element("tr");
      cells.forEach(function (text, index) {
        var cell = element(index === 0 ? "th" : "td", text);
        if (index === 0) { cell.scope = "row"; }
        tr.appendChild(cell);
      });
      var said = element("td", verdict.verdict + (verdict.hors_tolerance ? " (au-delà de la tolérance)" : ""));
      said.className = verdict.verdict === "moins bien" ? "ko" : verdict.verdict === "mieux" ? "ok" : "";
      tr.appendChild(said);
      body.appendChild(tr);
    }

    function showComparison(comparison) {
      $("modele-comparaison").hidden = !comparison;
      if (!comparison) { return; }
      $("comparaison-phrase").textContent = comparison.phrase + " Tolérance : " + comparison.tolerance + ".";
      var overall = $("comparaison-ensemble");
      clear(overall);
      comparison.ensemble.forEach(function (m) { comparisonRow(overall, [m.libelle, m.avant, m.apres], m); });
      var questions = $("comparaison-questions");
      clear(questions);
      comparison.questions.forEach(function (q) { comparisonRow(questions, [q.label, q.before, q.after], q); });
      $("comparaison-questions-table").hidden = comparison.questions.length === 0;
      var same = comparison.questions_inchangees;
      $("comparaison-inchangees").textContent = same
        ? (comparison.questions.length ? "Les " + same + " autres questions : pareil." : "Toutes les " + same + " questions : pareil.")
        : "";
    }

    function showModels(view) {
      $("modele-actif").textContent = view.actif || "le modèle de démarrage (models/sesame.tar.gz)";
      $("modele-precedent").textContent = view.precedent || "aucun";
      $("modele-retour").textContent = view.retour;
      $("retour-modele").disabled = !view.precedent;
      showComparison(view.comparaison);
      refused = view.candidat_refuse;
      $("forcer-modele").hidden = !refused;
    }
    function refresh() {
      call("GET", "/modele", undefined, true).then(showModels, function () {});
    }
    function said(text) {
      var message = $("modele-message");
      message.textContent = text;
      message.className = "verdict ok";
      message.hidden = false;
      announce(text);
    }
    task("modele", "/modele", function () { refresh(); });
    $("forcer-modele").addEventListener("submit", function (event) {
      event.preventDefault();
      show("erreur-forcer", "");
      var reason = $("forcer-raison").value.trim();
      if (!reason) {
        $("forcer-raison").setAttribute("aria-invalid", "true");
        show("erreur-forcer", "Écrivez la raison : elle est obligatoire et sera gardée au journal d'audit.");
        $("forcer-raison").focus();
        return;
      }
      $("forcer-raison").removeAttribute("aria-invalid");
      $("forcer-bouton").disabled = true;
      call("POST", "/modele/forcer", { candidat: refused, raison: reason }).then(function (view) {
        $("forcer-bouton").disabled = false;
        $("forcer-raison").value = "";
        showModels(view);
        said(view.tache ? view.tache.message : "Modèle mis en service.");
      }, function (failure) {
        $("forcer-bouton").disabled = false;
        show("erreur-forcer", failure.message);
      });
    });
    $("retour-modele").addEventListener("click", function () {
      show("erreur-modele", "");
      $("retour-modele").disabled = true;
      call("POST", "/modele/retour").then(function (view) {
        showModels(view);
        said("Modèle précédent remis en service : " + view.actif + ".");
      }, function (failure) {
        show("erreur-modele", failure.message);
        refresh();
      });
    });
    refresh();
  }

  /* --- Statistiques ------------------------------------------------------------------ */

  function stats() {
    function row(body, cells) {
      var tr = element("tr");
      cells.forEach(function (text, index) {
        var td = element(index === 0 ? "th" : "td", text, index === 0 ? "" : "num");
        if (index === 0) { td.scope = "row"; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }

    function load() {
      show("erreur-stats", "");
      var since = $("stats-depuis").value;
      call("GET", "/statistiques" + (since ? "?depuis=" + since : "")).then(function (view) {
        var facts = $("stats-taux");
        clear(facts);
        view.chiffres.forEach(function (fact) {
          facts.appendChild(element("dt", fact.libelle));
          facts.appendChild(element("dd", fact.valeur));
        });
        var top = $("stats-intentions");
        clear(top);
        view.intentions.forEach(function (line) { row(top, [line.libelle, String(line.messages)]); });
        var head = $("stats-jours-entete");
        clear(head);
        var tr = element("tr");
        view.colonnes.forEach(function (name, index) {
          var th = element("th", name, index === 0 ? "" : "num");
          th.scope = "col";
          tr.appendChild(th);
        });
        head.appendChild(tr);
        var days = $("stats-jours");
        clear(days);
        view.jours.forEach(function (cells) { row(days, cells); });
        announce("Statistiques depuis le " + view.depuis + ".");
      }, function (failure) { show("erreur-stats", failure.message); });
    }

    $("periode").addEventListener("submit", function (event) {
      event.preventDefault();
      load();
    });
    load();
  }

  var pages = { boite: inbox, question: question, conversation: conversation, verifier: check, statistiques: stats };
  document.addEventListener("DOMContentLoaded", function () {
    var start = pages[document.body.getAttribute("data-page")];
    if (start) { start(); }
  });
})();
