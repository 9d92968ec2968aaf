-- Run by the postgres image on its first start only (empty volume), as POSTGRES_USER:
-- the member database (POSTGRES_DB, sesame) already exists; this one holds the conversations.
CREATE DATABASE sesame_conversations;
