// Runs the chat widget's own maskSecrets (bot/web/static/chat.js) under Node, for
// tests/shared/test_secret_masking_vectors.py: texts as a JSON list on stdin, masked
// texts as a JSON list on stdout (with --other-digits: the widget's table of digits outside
// category Nd). chat.js is loaded unchanged in a vm context; the
// DOM it builds at load time is replaced by stand-ins that accept anything, and
// document.readyState "loading" keeps the widget from starting.
"use strict";
const fs = require("fs");
const vm = require("vm");
const { webcrypto } = require("crypto");

const noop = () => {};
const stub = () =>
  new Proxy(function () {}, {
    get: (target, key) => (key === Symbol.toPrimitive ? () => "" : key === "length" ? 0 : stub()),
    apply: () => stub(),
    construct: () => stub(),
  });
const withStubs = (fixed) => new Proxy(fixed, { get: (target, key) => (key in target ? target[key] : stub()) });

const document = withStubs({ readyState: "loading", currentScript: null, addEventListener: noop });
const window = withStubs({ document, crypto: webcrypto, addEventListener: noop });
const storage = { getItem: () => null, setItem: noop, removeItem: noop };
const context = vm.createContext({
  window,
  document,
  btoa,
  sessionStorage: storage,
  setTimeout: noop,
  clearTimeout: noop,
  navigator: { onLine: true },
});
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), context, { filename: "chat.js" });

if (process.argv[3] === "--other-digits") {
  // The widget's digits outside category Nd, for comparison with bot/shared/normal_form.py.
  process.stdout.write(JSON.stringify(window.SesameChat.otherDigits));
} else {
  const texts = JSON.parse(fs.readFileSync(0, "utf8"));
  process.stdout.write(JSON.stringify(texts.map((text) => window.SesameChat.maskSecrets(text))));
}
