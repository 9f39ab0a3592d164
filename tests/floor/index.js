// The floor for `cargo xtask bench`: the least a Worker can do for the same
// request, a Durable Object reading or writing one JSON value in SQLite, in
// the same workerd. Our API's latency is reported as a multiple of this.
export class Store {
  constructor(state) {
    this.sql = state.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS value (slot INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  }

  async fetch(request) {
    const headers = { "content-type": "application/json" };
    if (request.method === "GET") {
      const rows = this.sql.exec("SELECT body FROM value WHERE slot = 1").toArray();
      return new Response(rows.length ? rows[0].body : "{}", { headers });
    }
    const body = await request.text();
    this.sql.exec(
      "INSERT INTO value (slot, body) VALUES (1, ?) ON CONFLICT (slot) DO UPDATE SET body = excluded.body",
      body,
    );
    return new Response(body, { headers });
  }
}

export default {
  async fetch(request, env) {
    const key = new URL(request.url).searchParams.get("key") || "one";
    return env.STORE.get(env.STORE.idFromName(key)).fetch(request);
  },
};
