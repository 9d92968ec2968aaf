#!/usr/bin/env bash
# Start Sésame on this machine: migrate and seed the member database, then the local
# SMTP sink (unless an SMTP server already listens on SMTP_PORT), the mail worker, the
# web pages, the action server and the Rasa server (REST channel).
# Ctrl-C (or SIGTERM) stops everything this script started. Needs no terminal input.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(PYTHONPATH=. .venv/actions/bin/python -m bot env)"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$PWD"
mkdir -p var/log

pids=()
stop_all() {
  trap - EXIT INT TERM
  echo
  echo "Arrêt de Sésame…"
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 40); do  # up to 20 s for a clean stop, then no more waiting
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.5
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM

wait_for() {  # wait_for NAME URL SECONDS
  local name=$1 url=$2 deadline=$((SECONDS + $3))
  until curl -fs -o /dev/null "$url"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "ERREUR : $name ne répond pas sur $url (voir var/log/)." >&2
      exit 1
    fi
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "ERREUR : $name s'est arrêté (voir var/log/)." >&2; exit 1; }
    done
    sleep 1
  done
}

PY=.venv/actions/bin/python
echo "Base des adhérents : migration et adhérents de démonstration…"
$PY -m bot db upgrade
$PY -m bot members seed-demo || [ $? -eq 2 ]  # 2: real members there, no demo ones added

if $PY -m bot.mail.sink --check >/dev/null 2>&1; then
  echo "Démarrage du puits SMTP local (port $SMTP_PORT, e-mails dans var/mail/)…"
  $PY -m bot mail sink >var/log/smtp-sink.log 2>&1 &
  pids+=($!)
else
  $PY -m bot.mail.sink --check || true
fi

echo "Démarrage de l'envoi des e-mails (file d'attente)…"
$PY -m bot mail worker >var/log/mail-worker.log 2>&1 &
pids+=($!)

echo "Démarrage des pages web (port $WEB_PORT)…"
$PY -m bot.web >var/log/web.log 2>&1 &
pids+=($!)
wait_for "les pages web" "http://127.0.0.1:$WEB_PORT/" 30

echo "Démarrage du serveur d'actions (port $ACTIONS_PORT)…"
.venv/actions/bin/python -m rasa_sdk --actions actions --port "$ACTIONS_PORT" \
  >var/log/actions.log 2>&1 &
pids+=($!)
wait_for "le serveur d'actions" "http://127.0.0.1:$ACTIONS_PORT/health" 60

echo "Démarrage du serveur Rasa (port $RASA_PORT)…"
.venv/rasa/bin/python -m rasa_addons run --model models/sesame.tar.gz --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml \
  >var/log/rasa.log 2>&1 &
pids+=($!)
wait_for "le serveur Rasa" "http://127.0.0.1:$RASA_PORT/" 180

cat <<MSG

Ouvrez http://127.0.0.1:$WEB_PORT/ dans votre navigateur
Sésame est prêt : sur cette page, la bulle « Besoin d'aide ? » en bas à droite ouvre la discussion.
  Discuter en ligne de commande :  ./sesame chat
  E-mails reçus (puits local) :  var/mail/
  Courriers à imprimer :  ./sesame letters export
  API REST :  curl -s http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
                -H 'Content-Type: application/json' \\
                -d '{"sender": "essai", "message": "j ai oublie mon code"}'
  Journaux :  var/log/
Ctrl-C pour tout arrêter.
MSG
wait -n "${pids[@]}"
echo "Un service s'est arrêté (voir var/log/)." >&2
exit 1
