/* Sésame — the website chat widget. Plain JavaScript, no dependency, no inline code.
 *
 * Add it to a page with <link rel="stylesheet" href="/static/chat.css"> and
 * <script src="/static/chat.js" defer></script>: it builds its own bubble and panel.
 * Any element of the page with data-sesame-payload="/intent" (and optionally
 * data-sesame-label="what the member sees") opens the chat on that topic.
 * The script tag's data-retention-days and data-privacy-url give the privacy notice shown
 * above the messages (the conversations' retention period, the page /confidentialite).
 *
 * It talks to POST /chat on the page's own origin (bot/web/routes/chat.py, which
 * forwards to Rasa's REST channel): one request per message.
 *
 * Hand-off to an agent (bot/web/routes/live.py): when an answer carries ``handoff``
 * (waiting or held by an agent), the widget opens an EventSource on GET /chat/flux
 * for that conversation and shows the agent's messages as "Conseiller ACS" bubbles,
 * as text only (never HTML), and Sésame's notes as bot messages, until the agent
 * closes (etat "terminee"). The member keeps writing through POST /chat. The
 * hand-off and the last event seen are kept in sessionStorage: a reload reopens the
 * stream where it stopped.
 *
 * - The conversation id is random (crypto.getRandomValues, 192 bits) and lives in
 *   sessionStorage with the history: one conversation per tab, kept across reloads,
 *   gone with the tab, never in a URL. Numbers that look like a social-security
 *   number or an access code are masked in what is stored.
 * - The bot's text is rendered as text (textContent); only markdown links
 *   [label](https://…) become links, and only for http and https.
 * - When /chat cannot be reached, messages wait in a queue (also in sessionStorage)
 *   and are sent again after 1, 2, 4, 8, then every 15 seconds: nothing is lost.
 *   A message holding a NIR or a code never reaches storage: it waits in memory only.
 *   After a reload it is shown as not sent, with a note asking to type it again.
 *
 * « Cette réponse vous a aidé ? Oui / Non » (bot/web/routes/chat_feedback.py): when an
 * answer carries ``avis`` (the web tier offers it after an answer to a real question only),
 * two buttons follow the answer in the log. Optional: they go when the member types on or
 * sends something else; a choice is sent once to POST /chat/avis, then a short thanks.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var ENDPOINT = (script && script.getAttribute("data-endpoint")) || "/chat";
  var STORE_KEY = "sesame.chat.v1";
  var MAX_LOG_ENTRIES = 200;
  var MAX_MESSAGE_CHARS = 2000;
  var BACKOFF_SECONDS = [1, 2, 4, 8, 15];
  var REQUEST_TIMEOUT_MS = 45000;
  // Not "/greet": the REST channel only lets through payloads that a button may send
  // (bot/user_input.BUTTON_INTENTS), and greet is not one. "Bonjour" is a training example.
  var GREET_MESSAGE = "Bonjour";
  var STREAM = (script && script.getAttribute("data-stream")) || ENDPOINT + "/flux";
  var FEEDBACK = (script && script.getAttribute("data-feedback")) || ENDPOINT + "/avis";
  var STREAM_RETRY_MS = 3000;
  // The privacy notice: the conversations' retention period and the page that explains it,
  // from the page's settings (bot/web/templates/demo.html, bot/privacy/notice.py).
  var RETENTION_DAYS = parseInt((script && script.getAttribute("data-retention-days")) || "", 10);
  var PRIVACY_URL = (script && script.getAttribute("data-privacy-url")) || "/confidentialite";

  var TEXT = {
    bubbleLine1: "Besoin d'aide\u00a0?",
    bubbleLine2: "Discuter avec Sésame",
    title: "Sésame, l'assistant ACS",
    close: "Fermer la discussion",
    logLabel: "Messages de la discussion avec Sésame",
    buttonsLabel: "Réponses proposées",
    inputLabel: "Votre message à Sésame",
    inputLabelAgent: "Votre message au conseiller ACS",
    sending: "Envoi au conseiller…",
    placeholder: "Votre question…",
    send: "Envoyer",
    typing: "Sésame écrit…",
    you: "Vous\u00a0: ",
    bot: "Sésame\u00a0: ",
    newTab: " (nouvel onglet)",
    offline: function (seconds) {
      return "Connexion au service interrompue. Nouvelle tentative dans " + seconds + "\u00a0s…";
    },
    offlineRetrying: "Connexion au service interrompue. Nouvelle tentative en cours…",
    offlineAnnounce:
      "Connexion au service interrompue. Votre message est conservé et sera envoyé dès le retour de la connexion.",
    backOnline: "Connexion rétablie.",
    retryNow: "Réessayer maintenant",
    hint: "Ne communiquez jamais votre code d'accès, même à Sésame.",
    // The same sentence as bot.privacy.notice.widget_sentence.
    notice: function (days) {
      var period = !(days > 0)
        ? "une durée limitée"
        : days % 365 === 0
          ? days / 365 + (days === 365 ? " an" : " ans")
          : days + (days === 1 ? " jour" : " jours");
      return "Vos messages sont enregistrés pour vous répondre et améliorer l'assistant, puis effacés après " +
        period + ". ";
    },
    noticeLink: "En savoir plus sur vos données",
    genericError: "Votre message n'a pas pu être envoyé. Réessayez dans quelques instants.",
    tooLong: "Votre message est trop long\u00a0: 2\u202f000 caractères au plus.",
    masked: "[numéro masqué]",
    maskedCode: "[code masqué]",
    agent: "Conseiller ACS",
    agentSays: "Conseiller ACS\u00a0: ",
    waiting: function (position) {
      return position > 0
        ? "En attente d'un conseiller\u00a0: vous êtes n°\u00a0" + position + " dans la file."
        : "En attente d'un conseiller…";
    },
    talking: function (name) {
      return (name || "Un conseiller") + " (conseiller ACS) a rejoint la conversation.";
    },
    handoffOver: "La conversation avec le conseiller est terminée. Sésame reprend la main.",
    // The way out of the queue (bot/handoffs/leaving.py: the payloads the web tier answers).
    nobodyNow: "Aucun conseiller n'est disponible pour le moment\u00a0: vous gardez votre place dans la file.",
    estimate: function (minutes) {
      return " Attente estimée\u00a0: environ " + minutes + "\u00a0min.";
    },
    queueActionsLabel: "Quitter la file d'attente",
    callMeBack: "Être rappelé(e)",
    leaveQueue: "Quitter la file",
    feedbackQuestion: "Cette réponse vous a aidé\u00a0?",
    feedbackYes: "Oui",
    feedbackNo: "Non",
    feedbackThanks: "Merci pour votre avis.",
    unsent:
      "Message non envoyé\u00a0: il contenait un numéro de Sécurité sociale ou un code, que votre " +
      "navigateur ne conserve pas. Tapez-le à nouveau si besoin.",
  };

  // ---------------------------------------------------------------- pure helpers

  var LINK = /\[([^\[\]\n]+)\]\(([^()\s]+)\)/g;

  /** The URL if it is absolute http(s), else null (javascript:, data:, relative…). */
  function safeUrl(raw) {
    try {
      var url = new URL(raw);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  /** French typography: no line may start with « : ; ? ! » », as on our server-made pages. */
  function frenchSpaces(text) {
    return text.replace(/ ([:;?!\u00bb])/g, "\u00a0$1").replace(/\u00ab /g, "\u00ab\u00a0");
  }

  /** The bot's text as DOM nodes: text nodes, plus <a> for markdown http(s) links. Never HTML. */
  function renderBotText(text) {
    var fragment = document.createDocumentFragment();
    var source = String(text == null ? "" : text);
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(source)) !== null) {
      fragment.appendChild(document.createTextNode(frenchSpaces(source.slice(last, match.index))));
      var href = safeUrl(match[2]);
      if (href) {
        var link = document.createElement("a");
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.textContent = frenchSpaces(match[1]);
        var note = document.createElement("span");
        note.className = "sesame-sr-only";
        note.textContent = TEXT.newTab;
        link.appendChild(note);
        fragment.appendChild(link);
      } else {
        fragment.appendChild(document.createTextNode(match[0]));
      }
      last = LINK.lastIndex;
    }
    fragment.appendChild(document.createTextNode(frenchSpaces(source.slice(last))));
    return fragment;
  }

  // The one reading of digits and what joins them, and the masking rule: the same as
  // bot/shared/normal_form.py and bot/shared/patterns.py (redact). A test runs both on
  // generated texts and compares them. No list of separators: between two digits,
  // anything that is not a letter or a number joins them, however long the run.
  var NIR_MIN_DIGITS = 10;
  var CODE_DIGITS = 6;
  var MAX_COUNT_DIGITS = 3;
  var BLANK_CHAR = /^[\p{Z}\p{C}\p{M}]$/u; // spaces, format/control characters, marks
  var ND_CHAR = /^\p{Nd}$/u;
  // Digits outside category Nd that NFKC leaves as they are (Python's unicodedata.digit
  // knows them): [first code point, last code point, value of the first].
  var OTHER_DIGITS = [
    [0x1369, 0x1371, 1], [0x19da, 0x19da, 1], [0x24f5, 0x24fd, 1], [0x24ff, 0x24ff, 0],
    [0x2776, 0x277e, 1], [0x2780, 0x2788, 1], [0x278a, 0x2792, 1], [0x10a40, 0x10a43, 1],
    [0x10e60, 0x10e68, 1], [0x11052, 0x1105a, 1]
  ];
  // Classes of the normal form: a joiner is anything but a letter or a number.
  var J = "[^\\p{L}\\p{N}]";
  var NOT_LETTER_AFTER = "(?!(?![0-9])[\\p{L}\\p{N}])";
  var TOKEN = "(?:2" + J + "*[ABab]" + NOT_LETTER_AFTER + "|[0-9])";
  var NUMBER = new RegExp(TOKEN + "(?:" + J + "*" + TOKEN + ")*", "gu");
  var JOINS = new RegExp("(" + J + "+)", "u");

  /** The decimal value of one character (any script, any form), or null. */
  function digitValue(ch) {
    var code = ch.codePointAt(0);
    if (code < 0x80) {
      return code >= 0x30 && code <= 0x39 ? code - 0x30 : null;
    }
    if (ND_CHAR.test(ch)) {
      // Unicode encodes each script's digits 0 to 9 in a row.
      var before = 0;
      while (ND_CHAR.test(String.fromCodePoint(code - before - 1))) {
        before += 1;
      }
      return before % 10;
    }
    for (var i = 0; i < OTHER_DIGITS.length; i += 1) {
      if (code >= OTHER_DIGITS[i][0] && code <= OTHER_DIGITS[i][1]) {
        return OTHER_DIGITS[i][2] + code - OTHER_DIGITS[i][0];
      }
    }
    return null;
  }

  /** What one character becomes: NFKC, digits as ASCII digits, blanks as one space. */
  function normalChar(ch) {
    return Array.from(ch.normalize("NFKC")).map(function (part) {
      var value = digitValue(part);
      if (value !== null) {
        return String(value);
      }
      return BLANK_CHAR.test(part) ? " " : part;
    }).join("");
  }

  /** The normal form of ``text``, and for each of its code units the offset it comes from. */
  function normalForm(text) {
    var out = "";
    var origin = [];
    var offset = 0;
    Array.from(text).forEach(function (ch) {
      var normal = normalChar(ch);
      out += normal;
      for (var i = 0; i < normal.length; i += 1) {
        origin.push(offset);
      }
      offset += ch.length;
    });
    return { text: out, origin: origin };
  }

  /** The secrets of one number, as [start, end, isNir] in the number (rules of patterns.py). */
  function numberSecrets(run) {
    var parts = run.split(JOINS); // groups at even indexes, what joins them at odd ones
    var count = 0;
    for (var i = 0; i < parts.length; i += 2) {
      count += parts[i].length;
    }
    if (count >= NIR_MIN_DIGITS) {
      return [[0, run.length, true]];
    }
    if (count === CODE_DIGITS) {
      return [[0, run.length, false]];
    }
    var last = parts[parts.length - 1];
    var joins = parts.filter(function (part, index) {
      return index % 2 === 1;
    });
    var lastJoin = joins[joins.length - 1];
    // A time or a range of times ("14:30-15:45"), or cents ("123 456,78"): not a count.
    var isTime = joins.some(function (join) {
      return join.indexOf(":") >= 0;
    });
    var isCents = (lastJoin === "." || lastJoin === ",") && joins.filter(function (join) {
      return join === lastJoin;
    }).length === 1;
    if (parts.length >= 3 && count - last.length === CODE_DIGITS && last.length <= MAX_COUNT_DIGITS &&
        (lastJoin.indexOf(" ") >= 0 || !(isTime || isCents))) {
      return [[0, run.length - last.length - parts[parts.length - 2].length, false]];
    }
    var found = [];
    var start = 0;
    for (var j = 0; j < parts.length; j += 1) {
      if (j % 2 === 0 && parts[j].length === CODE_DIGITS) {
        var decimal = [parts[j - 1], parts[j + 1]].some(function (join) {
          return join === "." || join === ",";
        });
        if (!decimal) {
          found.push([start, start + parts[j].length, false]);
        }
      }
      start += parts[j].length;
    }
    return found;
  }

  /** What is kept in the browser: social-security numbers and access codes masked. */
  function maskSecrets(text) {
    var source = String(text);
    var form = normalForm(source);
    var found = [];
    var match;
    NUMBER.lastIndex = 0;
    while ((match = NUMBER.exec(form.text)) !== null) {
      numberSecrets(match[0]).forEach(function (secret) {
        var start = form.origin[match.index + secret[0]];
        var lastUnit = form.origin[match.index + secret[1] - 1];
        var end = lastUnit + (source.codePointAt(lastUnit) > 0xffff ? 2 : 1);
        var isNir = secret[2];
        var previous = found[found.length - 1];
        if (previous && start < previous[1]) {
          found.pop();
          isNir = isNir || previous[2];
          start = previous[0];
        }
        found.push([start, end, isNir]);
      });
    }
    var out = "";
    var at = 0;
    found.forEach(function (secret) {
      out += source.slice(at, secret[0]) + (secret[2] ? TEXT.masked : TEXT.maskedCode);
      at = secret[1];
    });
    return out + source.slice(at);
  }

  /** True when ``text`` holds something maskSecrets would mask. */
  function hasSecret(text) {
    return maskSecrets(text) !== String(text);
  }

  function newSender() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  window.SesameChat = {
    renderBotText: renderBotText,
    maskSecrets: maskSecrets,
    safeUrl: safeUrl,
    normalForm: normalForm,
    otherDigits: OTHER_DIGITS,
  };

  // ---------------------------------------------------------------- state

  var memoryStore = null; // used when sessionStorage is unavailable (blocked storage)

  function loadState() {
    var raw = null;
    try {
      raw = window.sessionStorage.getItem(STORE_KEY);
    } catch (error) {
      raw = memoryStore;
    }
    var state = null;
    try {
      state = raw ? JSON.parse(raw) : null;
    } catch (error) {
      state = null;
    }
    if (!state || typeof state.sender !== "string" || !/^[A-Za-z0-9_-]{16,64}$/.test(state.sender)) {
      state = { sender: newSender() };
    }
    return {
      sender: state.sender,
      log: Array.isArray(state.log) ? markUnsent(state.log.filter(isEntry)) : [],
      queue: Array.isArray(state.queue) ? state.queue.filter(isQueued) : [],
      greeted: state.greeted === true,
      open: state.open === true,
      handoff: isHandoff(state.handoff) ? state.handoff : null,
      lastEvent: typeof state.lastEvent === "number" && state.lastEvent > 0 ? Math.floor(state.lastEvent) : 0,
    };
  }

  function isEntry(entry) {
    return entry && typeof entry.text === "string" && ["bot", "me", "note", "agent"].indexOf(entry.who) >= 0;
  }

  /** A hand-off the widget follows: waiting for an agent, or held by one. */
  function isHandoff(view) {
    return !!view && typeof view === "object" && (view.etat === "attente" || view.etat === "en_cours");
  }

  /** Messages with a secret that were still waiting when the page was left: not sent, say so. */
  function markUnsent(entries) {
    var out = [];
    entries.forEach(function (entry) {
      var held = entry.held === true;
      delete entry.held;
      out.push(entry);
      if (held) {
        out.push({ who: "note", text: TEXT.unsent });
      }
    });
    return out;
  }

  function isQueued(item) {
    return item && typeof item.message === "string";
  }

  function saveState() {
    var stored = {
      sender: state.sender,
      log: state.log.slice(-MAX_LOG_ENTRIES),
      // A waiting message with a NIR or a code stays in memory only (its log entry is marked held).
      queue: state.queue
        .filter(function (item) {
          return !item.entry;
        })
        .map(function (item) {
          return { message: item.message };
        }),
      greeted: state.greeted,
      open: state.open,
      handoff: state.handoff,
      lastEvent: state.lastEvent,
    };
    var raw = JSON.stringify(stored);
    try {
      window.sessionStorage.setItem(STORE_KEY, raw);
    } catch (error) {
      memoryStore = raw;
    }
  }

  var state = loadState();

  // ---------------------------------------------------------------- DOM

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute(
      "d",
      "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 " +
        "0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z"
    );
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  var root = el("div", "sesame-chat");
  root.setAttribute("lang", "fr");

  var bubble = el("button", "sesame-bubble");
  bubble.type = "button";
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "sesame-panel");
  bubble.appendChild(chatIcon());
  var bubbleText = el("span", "sesame-bubble-text");
  bubbleText.appendChild(el("span", "sesame-bubble-line1", TEXT.bubbleLine1));
  bubbleText.appendChild(document.createTextNode(" "));
  bubbleText.appendChild(el("span", "sesame-bubble-line2", TEXT.bubbleLine2));
  bubble.appendChild(bubbleText);

  var panel = el("section", "sesame-panel");
  panel.id = "sesame-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "sesame-title");

  var header = el("div", "sesame-header");
  var title = el("h2", "sesame-title", TEXT.title);
  title.id = "sesame-title";
  var closeButton = el("button", "sesame-close");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", TEXT.close);
  closeButton.title = TEXT.close;
  closeButton.appendChild(el("span", "sesame-close-mark", "\u00d7")).setAttribute("aria-hidden", "true");
  header.appendChild(title);
  header.appendChild(closeButton);

  var log = el("div", "sesame-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", TEXT.logLabel);
  log.tabIndex = 0; // scrollable with the keyboard

  var typing = el("div", "sesame-typing");
  typing.setAttribute("role", "status");
  typing.setAttribute("aria-live", "polite");
  var typingDots = el("span", "sesame-dots");
  typingDots.setAttribute("aria-hidden", "true");
  typingDots.appendChild(el("span"));
  typingDots.appendChild(el("span"));
  typingDots.appendChild(el("span"));
  var typingText = el("span", "sesame-typing-text");
  typing.appendChild(typingDots);
  typing.appendChild(typingText);

  var offline = el("div", "sesame-offline");
  offline.hidden = true;
  var offlineText = el("p", "sesame-offline-text");
  var retryButton = el("button", "sesame-retry", TEXT.retryNow);
  retryButton.type = "button";
  offline.appendChild(offlineText);
  offline.appendChild(retryButton);

  // While a hand-off is open: where the member stands (queue position, or who is there).
  var handoffBar = el("p", "sesame-handoff");
  handoffBar.setAttribute("role", "status");
  handoffBar.hidden = true;

  // Said once per event, where the countdown (updated every second) would be said again and again.
  // While waiting: the way out (a call-back instead, or leaving), sent like a button's choice.
  var handoffActions = el("div", "sesame-handoff-actions");
  handoffActions.setAttribute("role", "group");
  handoffActions.setAttribute("aria-label", TEXT.queueActionsLabel);
  handoffActions.hidden = true;
  [
    [TEXT.callMeBack, "/rappel_plutot"],
    [TEXT.leaveQueue, "/quitter_file"],
  ].forEach(function (pair) {
    var choice = el("button", "sesame-choice", pair[0]);
    choice.type = "button";
    choice.addEventListener("click", function () {
      sendMessage(pair[1], pair[0]);
      input.focus();
    });
    handoffActions.appendChild(choice);
  });

  var announcer = el("p", "sesame-sr-only");
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");

  var form = el("form", "sesame-form");
  form.setAttribute("novalidate", "");
  var label = el("label", "sesame-sr-only", TEXT.inputLabel);
  label.htmlFor = "sesame-input";
  var input = el("input", "sesame-input");
  input.id = "sesame-input";
  input.type = "text";
  input.maxLength = MAX_MESSAGE_CHARS;
  input.autocomplete = "off";
  input.setAttribute("autocapitalize", "sentences");
  input.setAttribute("enterkeyhint", "send");
  input.placeholder = TEXT.placeholder;
  var sendButton = el("button", "sesame-send", TEXT.send);
  sendButton.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);

  var hint = el("p", "sesame-hint", TEXT.hint);

  // Above the log: read before the first message, and still there after it.
  var notice = el("p", "sesame-notice", TEXT.notice(RETENTION_DAYS));
  var noticeLink = el("a", null, TEXT.noticeLink);
  noticeLink.href = PRIVACY_URL;
  noticeLink.target = "_blank";
  noticeLink.rel = "noopener";
  noticeLink.appendChild(el("span", "sesame-sr-only", TEXT.newTab));
  notice.appendChild(noticeLink);

  panel.appendChild(header);
  panel.appendChild(notice);
  panel.appendChild(handoffBar);
  panel.appendChild(handoffActions);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(offline);
  panel.appendChild(announcer);
  panel.appendChild(form);
  panel.appendChild(hint);
  root.appendChild(bubble);
  root.appendChild(panel);

  // ---------------------------------------------------------------- log rendering

  var activeButtonGroups = [];

  function renderEntry(entry, withButtons) {
    var item = el("div", "sesame-msg sesame-msg-" + entry.who);
    if (entry.who === "note") {
      item.textContent = entry.text;
      return item;
    }
    var bubbleNode = el("p", "sesame-msg-text");
    if (entry.who === "agent") {
      // An agent's message: a person's words, shown as text only (never HTML, no links).
      item.appendChild(el("p", "sesame-msg-author", TEXT.agent)).setAttribute("aria-hidden", "true");
      bubbleNode.appendChild(el("span", "sesame-sr-only", TEXT.agentSays));
      bubbleNode.appendChild(document.createTextNode(entry.text));
      item.appendChild(bubbleNode);
      return item;
    }
    bubbleNode.appendChild(el("span", "sesame-sr-only", entry.who === "bot" ? TEXT.bot : TEXT.you));
    if (entry.who === "bot") {
      bubbleNode.appendChild(renderBotText(entry.text));
    } else {
      bubbleNode.appendChild(document.createTextNode(entry.text));
    }
    if (entry.text) {
      item.appendChild(bubbleNode);
    }
    if (withButtons && entry.buttons && entry.buttons.length) {
      var group = el("div", "sesame-buttons");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", TEXT.buttonsLabel);
      entry.buttons.forEach(function (choice) {
        var button = el("button", "sesame-choice", choice.title);
        button.type = "button";
        button.addEventListener("click", function () {
          sendMessage(choice.payload, choice.title);
          input.focus();
        });
        group.appendChild(button);
      });
      item.appendChild(group);
      activeButtonGroups.push(group);
    }
    return item;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function addEntry(entry, shownText) {
    if (entry.who === "me") {
      // Choices belong to the question just answered: once the member speaks, they go.
      activeButtonGroups.forEach(function (group) {
        group.remove();
      });
      activeButtonGroups = [];
    }
    var shown = shownText === undefined ? entry : { who: entry.who, text: shownText, buttons: entry.buttons };
    var node = renderEntry(shown, entry.who === "bot");
    log.appendChild(node);
    state.log.push(entry);
    if (state.log.length > MAX_LOG_ENTRIES) {
      state.log = state.log.slice(-MAX_LOG_ENTRIES);
    }
    scrollToEnd();
    return node;
  }

  /** After a long answer, show its beginning rather than its end: it is read from the top. */
  function scrollToStartOf(node) {
    if (node && log.scrollHeight - node.offsetTop > log.clientHeight) {
      log.scrollTop = Math.max(0, node.offsetTop - 12);
    }
  }

  function renderHistory() {
    var lastMine = -1;
    state.log.forEach(function (entry, index) {
      if (entry.who === "me") {
        lastMine = index;
      }
    });
    state.log.forEach(function (entry, index) {
      log.appendChild(renderEntry(entry, entry.who === "bot" && index > lastMine));
    });
  }

  // ---------------------------------------------------------------- sending

  var busy = false;
  var failures = 0;
  var retryTimer = null;
  var retryAt = 0;

  function setTyping(on) {
    typing.classList.toggle("is-active", on);
    // During a hand-off Sésame is not the one answering: say where the message goes.
    typingText.textContent = on ? (state.handoff ? TEXT.sending : TEXT.typing) : "";
  }

  /** ``automatic``: the greeting the widget sends by itself on opening, not typed by the member
      (the workbench leaves it out of its statistics, inbox and test stories). */
  function post(message, automatic) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    return fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(
        automatic ? { sender: state.sender, message: message, automatique: true } : { sender: state.sender, message: message }
      ),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            if (response.ok && data && Array.isArray(data.messages)) {
              var rated = data.avis && typeof data.avis.message === "number" ? data.avis.message : null;
              return { kind: "ok", messages: data.messages, handoff: data.handoff, rated: rated };
            }
            if ([0, 408, 429, 503, 504].indexOf(response.status) >= 0 || (response.ok && !data.messages)) {
              return { kind: "retry" };
            }
            var text = data && typeof data.error === "string" ? data.error : TEXT.genericError;
            if (response.status === 413 && !(data && data.error)) {
              text = TEXT.tooLong;
            }
            return { kind: "fail", error: text };
          });
      })
      .catch(function () {
        return { kind: "retry" }; // network error, or our timeout
      })
      .then(function (result) {
        if (timer) {
          window.clearTimeout(timer);
        }
        return result;
      });
  }

  function pump() {
    if (busy || retryTimer !== null || state.queue.length === 0) {
      return;
    }
    busy = true;
    setTyping(true);
    post(state.queue[0].message, state.queue[0].automatique === true).then(function (result) {
      busy = false;
      setTyping(false);
      if (result.kind === "retry") {
        scheduleRetry();
        return;
      }
      var done = state.queue.shift();
      if (done.entry) {
        delete done.entry.held; // answered (or refused): no longer waiting
      }
      if (failures > 0) {
        failures = 0;
        offline.hidden = true;
        announce(TEXT.backOnline);
      }
      if (result.kind === "ok") {
        var firstNew = null;
        result.messages.forEach(function (message) {
          if (message && (typeof message.text === "string" || Array.isArray(message.buttons))) {
            var node = addEntry({
              who: "bot",
              text: typeof message.text === "string" ? message.text : "",
              buttons: (Array.isArray(message.buttons) ? message.buttons : []).filter(function (b) {
                return b && typeof b.title === "string" && typeof b.payload === "string";
              }),
            });
            firstNew = firstNew || node;
          }
        });
        // The member's own (short) message stays in view above a long answer.
        var mine = firstNew && firstNew.previousElementSibling;
        var short = mine && mine.classList.contains("sesame-msg-me") &&
          firstNew.offsetTop - mine.offsetTop < log.clientHeight / 3;
        var anchor = short ? mine : firstNew;
        scrollToStartOf(anchor);
        if (result.rated !== null && !isHandoff(result.handoff) && state.queue.length === 0) {
          askFeedback(result.rated, anchor);
        }
        if (isHandoff(result.handoff)) {
          followHandoff(result.handoff);
        } else if (result.handoff && result.handoff.etat === "terminee" && state.handoff) {
          endHandoff(result.handoff); // the member left the queue: the answer just said so
        }
      } else {
        addEntry({ who: "note", text: result.error });
      }
      saveState();
      pump();
    });
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function showCountdown() {
    var seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
    offlineText.textContent = seconds > 0 ? TEXT.offline(seconds) : TEXT.offlineRetrying;
    return seconds;
  }

  function scheduleRetry() {
    var delay = BACKOFF_SECONDS[Math.min(failures, BACKOFF_SECONDS.length - 1)];
    if (failures === 0) {
      announce(TEXT.offlineAnnounce);
    }
    failures += 1;
    retryAt = Date.now() + delay * 1000;
    offline.hidden = false;
    showCountdown();
    retryTimer = window.setInterval(function () {
      if (showCountdown() === 0) {
        retryNow();
      }
    }, 250);
  }

  function retryNow() {
    if (retryTimer !== null) {
      window.clearInterval(retryTimer);
      retryTimer = null;
    }
    offlineText.textContent = TEXT.offlineRetrying;
    pump();
  }

  // ---------------------------------------------------------------- « Cette réponse vous a aidé ? »

  var feedback = null; // the question under the last answer, while it waits for a choice

  /** Ask about the answer to the member's message ``rated`` (its id in the conversation store). */
  function askFeedback(rated, anchor) {
    dropFeedback();
    var group = el("div", "sesame-feedback");
    group.setAttribute("role", "group");
    var question = el("p", "sesame-feedback-question", TEXT.feedbackQuestion);
    question.id = "sesame-feedback-question";
    group.setAttribute("aria-labelledby", question.id);
    group.appendChild(question);
    [
      [TEXT.feedbackYes, "oui"],
      [TEXT.feedbackNo, "non"],
    ].forEach(function (pair) {
      var choice = el("button", "sesame-feedback-choice", pair[0]);
      choice.type = "button";
      choice.addEventListener("click", function () {
        sendFeedback(rated, pair[1]);
        input.focus();
      });
      group.appendChild(choice);
    });
    log.appendChild(group);
    feedback = group;
    revealBelow(group, anchor);
  }

  /** Scroll down to show ``node``, as long as the start of the answer (``anchor``) stays in view. */
  function revealBelow(node, anchor) {
    var wanted = node.offsetTop + node.offsetHeight + 8 - log.clientHeight;
    var limit = anchor ? anchor.offsetTop - 12 : wanted;
    var top = Math.min(wanted, limit);
    if (top > log.scrollTop) {
      log.scrollTop = top;
    }
  }

  function dropFeedback() {
    if (feedback) {
      feedback.remove();
      feedback = null;
    }
  }

  /** One POST, never retried: an opinion is a courtesy, the chat never waits for it. */
  function sendFeedback(rated, choice) {
    dropFeedback();
    announce(TEXT.feedbackThanks);
    var thanks = el("p", "sesame-feedback-thanks", TEXT.feedbackThanks);
    thanks.setAttribute("aria-hidden", "true"); // said once by the announcer
    log.appendChild(thanks);
    feedback = thanks; // gone, like the question, when the member writes again
    fetch(FEEDBACK, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ sender: state.sender, message: rated, avis: choice }),
      credentials: "same-origin",
      cache: "no-store",
    }).catch(function () {
      return null;
    });
  }

  /** Send ``message`` to the bot; the log shows ``shown`` (a button's title) or the message itself. */
  function sendMessage(message, shown) {
    dropFeedback();
    var visible = shown === undefined ? message : shown;
    var entry = { who: "me", text: maskSecrets(visible) };
    if (hasSecret(message) || hasSecret(visible)) {
      entry.held = true;
      addEntry(entry, visible);
      state.queue.push({ message: message, entry: entry }); // never written to storage
    } else {
      addEntry(entry, visible);
      state.queue.push({ message: message });
    }
    saveState();
    pump();
  }

  // ---------------------------------------------------------------- hand-off to an agent

  var source = null; // the EventSource while a hand-off is followed
  var streamRetry = null;

  /** What the widget keeps of a hand-off's state (bot/web/member_handoff.handoff_view). */
  function keptView(view, before) {
    var offer = view.offre && typeof view.offre === "object" && typeof view.offre.texte === "string" ? view.offre : null;
    return {
      id: view.id,
      etat: view.etat,
      position: view.position,
      conseiller: view.conseiller,
      estimation: typeof view.estimation === "number" ? view.estimation : null,
      offre: offer,
      // The call-back offers already shown in the log, by reason: each is said once.
      offered: before && before.id === view.id && before.offered ? before.offered : {},
    };
  }

  /** Sésame's offer of a call-back (nobody left, hours over, a long wait): once per reason. */
  function showOffer(view) {
    var offer = view.offre;
    if (!offer || view.etat !== "attente" || view.offered[offer.motif]) {
      return;
    }
    view.offered[offer.motif] = true;
    var buttons = (Array.isArray(offer.boutons) ? offer.boutons : []).filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    });
    addEntry({ who: "bot", text: offer.texte, buttons: buttons });
  }

  function waitingText(view) {
    var motif = view.offre ? view.offre.motif : null;
    if (motif === "personne" || motif === "ferme") {
      return TEXT.nobodyNow;
    }
    return TEXT.waiting(view.position) + (view.estimation ? TEXT.estimate(view.estimation) : "");
  }

  function showHandoff(view) {
    label.textContent = isHandoff(view) ? TEXT.inputLabelAgent : TEXT.inputLabel;
    handoffActions.hidden = !(isHandoff(view) && view.etat === "attente");
    if (!isHandoff(view)) {
      handoffBar.hidden = true;
      handoffBar.textContent = "";
      root.classList.remove("is-handoff");
      return;
    }
    var text = view.etat === "en_cours" ? TEXT.talking(view.conseiller) : waitingText(view);
    if (handoffBar.textContent !== text) {
      handoffBar.textContent = text;
    }
    handoffBar.hidden = false;
    root.classList.add("is-handoff");
  }

  /** Follow the conversation's hand-off (from a /chat answer, or after a reload). */
  function followHandoff(view) {
    state.handoff = keptView(view, state.handoff);
    showHandoff(state.handoff);
    showOffer(state.handoff);
    saveState();
    openStream();
  }

  /** The hand-off ended; ``view.fin`` "adherent": the member left the queue (already said). */
  function endHandoff(view) {
    closeStream();
    if (state.handoff) {
      state.handoff = null;
      saveState();
      if (!(view && view.fin === "adherent")) {
        announce(TEXT.handoffOver);
      }
    }
    showHandoff(null);
  }

  function closeStream() {
    if (streamRetry !== null) {
      window.clearTimeout(streamRetry);
      streamRetry = null;
    }
    if (source) {
      source.close();
      source = null;
    }
  }

  function streamUrl() {
    return STREAM + "?sender=" + encodeURIComponent(state.sender) + "&apres=" + state.lastEvent;
  }

  function onStreamMessage(event) {
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!data || typeof data.id !== "number" || typeof data.texte !== "string" || data.id <= state.lastEvent) {
      return; // already shown (a reconnection may replay it)
    }
    state.lastEvent = data.id;
    if (data.qui === "conseiller") {
      addEntry({ who: "agent", text: maskSecrets(data.texte) }, data.texte);
    } else {
      addEntry({ who: "bot", text: maskSecrets(data.texte), buttons: [] }, data.texte);
    }
    saveState();
  }

  function onStreamState(event) {
    var view;
    try {
      view = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!view || view.etat === "terminee") {
      endHandoff(view);
      return;
    }
    if (isHandoff(view)) {
      state.handoff = keptView(view, state.handoff);
      showHandoff(state.handoff);
      showOffer(state.handoff);
      saveState();
    }
  }

  /**
   * EventSource reconnects by itself after a network error; it gives up (CLOSED) on any
   * other answer than a stream: 204 when the conversation has no hand-off left to follow,
   * or an error page while the web tier restarts. A plain request tells them apart.
   */
  function onStreamError() {
    if (!source || source.readyState !== 2) {
      return; // EventSource is reconnecting on its own (from its Last-Event-ID)
    }
    closeStream();
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    fetch(streamUrl(), {
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (controller) {
          controller.abort(); // only the status was wanted
        }
        if (response.status === 204) {
          endHandoff(null);
        } else {
          retryStream();
        }
      })
      .catch(retryStream);
  }

  function retryStream() {
    if (state.handoff && streamRetry === null && !source) {
      streamRetry = window.setTimeout(function () {
        streamRetry = null;
        openStream();
      }, STREAM_RETRY_MS);
    }
  }

  function openStream() {
    if (source || !state.handoff || typeof window.EventSource !== "function") {
      return;
    }
    source = new window.EventSource(streamUrl());
    source.addEventListener("message", onStreamMessage);
    source.addEventListener("etat", onStreamState);
    source.addEventListener("error", onStreamError);
  }

  // ---------------------------------------------------------------- open / close

  function open(options) {
    var focus = !options || options.focus !== false;
    panel.hidden = false;
    bubble.hidden = true;
    bubble.setAttribute("aria-expanded", "true");
    root.classList.add("is-open");
    state.open = true;
    if (!state.greeted && !(options && options.silent)) {
      state.greeted = true;
      state.queue.push({ message: GREET_MESSAGE, automatique: true });
    }
    saveState();
    scrollToEnd();
    if (focus) {
      input.focus();
    }
    pump();
  }

  function close() {
    panel.hidden = true;
    bubble.hidden = false;
    bubble.setAttribute("aria-expanded", "false");
    root.classList.remove("is-open");
    state.open = false;
    saveState();
    bubble.focus();
  }

  bubble.addEventListener("click", function () {
    open();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      close();
    }
  });
  retryButton.addEventListener("click", function () {
    retryNow();
    input.focus();
  });
  window.addEventListener("online", function () {
    if (retryTimer !== null) {
      retryNow();
    }
  });
  input.addEventListener("input", function () {
    if (input.value.trim()) {
      dropFeedback(); // the member has moved on: the question is not in the way
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    sendMessage(text.slice(0, MAX_MESSAGE_CHARS));
    input.focus();
  });

  function wireTriggers() {
    var triggers = document.querySelectorAll("[data-sesame-payload]");
    Array.prototype.forEach.call(triggers, function (trigger) {
      trigger.addEventListener("click", function (event) {
        event.preventDefault();
        var payload = trigger.getAttribute("data-sesame-payload");
        var shown = trigger.getAttribute("data-sesame-label") || trigger.textContent.trim();
        state.greeted = true; // the member asked something precise: no greeting first
        open();
        sendMessage(payload, shown);
      });
    });
  }

  function start() {
    renderHistory(); // before the log is in the page, so a reload does not read it all out again
    document.body.appendChild(root);
    wireTriggers();
    if (state.open) {
      open({ focus: false, silent: true });
    }
    scrollToEnd();
    if (state.handoff) {
      showHandoff(state.handoff);
      openStream(); // a reload during a hand-off: follow it again from the last event seen
    }
    pump(); // messages left waiting before a reload
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
