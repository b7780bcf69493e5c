/**
 * The version of the file layout, kept in `PRAGMA user_version`. It changes only when an older version of the
 * package would misread the file; tables added later (`journal`, `locks`) are created when a file without
 * them is opened, and older versions simply ignore them.
 */
export const version = 1

/**
 * The file layout. `available_at` is when a row may be leased next: for a new or nacked message the time it
 * becomes due, for a leased one the end of its lease (so an expired lease needs no sweeper: it is simply
 * due). `lease` is the token of the current or last lease, NULL when none is pending. `journal` holds the
 * `Journal`'s spans, `locks` the `Lock`'s holders with their expiry.
 */
export const ddl = `
CREATE TABLE IF NOT EXISTS messages (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  body         BLOB    NOT NULL,
  headers      TEXT    NOT NULL,
  source       TEXT,
  received_at  INTEGER NOT NULL,
  enqueued_at  INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  lease        INTEGER,
  consumer     TEXT,
  last_error   TEXT
);
CREATE INDEX IF NOT EXISTS messages_available_at ON messages (available_at);
CREATE TABLE IF NOT EXISTS dead_letters (
  id          INTEGER PRIMARY KEY,
  body        BLOB    NOT NULL,
  headers     TEXT    NOT NULL,
  source      TEXT,
  received_at INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  attempts    INTEGER NOT NULL,
  error       TEXT    NOT NULL,
  failed_at   INTEGER NOT NULL,
  consumer    TEXT
);
CREATE TABLE IF NOT EXISTS seen (
  key        TEXT    PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_expires_at ON seen (expires_at);
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('lease', 0);
CREATE TABLE IF NOT EXISTS journal (
  kind     TEXT    NOT NULL,
  key      TEXT    NOT NULL,
  start_at INTEGER NOT NULL,
  end_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_kind_key_end_at ON journal (kind, key, end_at);
CREATE INDEX IF NOT EXISTS journal_kind_end_at ON journal (kind, end_at);
CREATE TABLE IF NOT EXISTS locks (
  name       TEXT    PRIMARY KEY,
  owner      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
PRAGMA user_version = ${version};
`

export interface MessageRow {
  readonly id: number
  readonly body: Uint8Array
  readonly headers: string
  readonly source: string | null
  readonly received_at: number
  readonly attempts: number
  readonly lease: number | null
  readonly consumer: string | null
  readonly last_error: string | null
}

export interface SpanRow {
  readonly kind: string
  readonly key: string
  readonly start_at: number
  readonly end_at: number
}

export interface DeadLetterRow {
  readonly id: number
  readonly body: Uint8Array
  readonly headers: string
  readonly source: string | null
  readonly received_at: number
  readonly attempts: number
  readonly error: string
  readonly failed_at: number
}
