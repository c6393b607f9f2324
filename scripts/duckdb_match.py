"""A four-pass matcher in DuckDB SQL over the canonical CSV files, the yardstick of issue 14: what a
capable analyst writes in an afternoon. `recon match`'s results must beat it on quality and speed
on the same files (scripts/bench.sh profiles prints both).

Usage: python3 scripts/duckdb_match.py BANK.csv LEDGER.csv OUT_DIR
Writes OUT_DIR/matches.csv in `recon match`'s layout (match_id,rule,status,side,item_id,amount),
so `recon eval` scores it; prints the wall time. Passes, each over what the earlier left open,
each confirming a candidate only when it is unique on both sides:
  1. exact:        account, currency, amount, normalized reference equal; dates within 10 days
  2. ledger batch: ledger entries sharing a reference sum to a bank line with that reference (7 days)
  3. partials:     bank lines sharing a reference sum to a ledger entry with it (31 days)
  4. amount date:  account, currency, amount equal; dates within 10 days
Amounts are read as decimals and kept as integers in thousandths (exact for every currency).
"""
import os
import sys
import time

import duckdb


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: duckdb_match.py BANK.csv LEDGER.csv OUT_DIR")
    bank, ledger, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    started = time.monotonic()
    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count() or 1}")
    norm = ("regexp_replace(regexp_replace(upper(coalesce(reference, '')), '[^A-Z0-9]', '', 'g'),"
            " '^(PMT|RFB)', '')")
    con.execute(f"""
        CREATE TABLE b AS SELECT line_id AS id, account, currency,
            CAST(value_date AS DATE) AS d,
            CAST(CAST(amount AS DECIMAL(18, 3)) * 1000 AS BIGINT) AS a,
            {norm} AS r, amount AS text_amount
        FROM read_csv('{bank}', header = true, all_varchar = true)""")
    con.execute(f"""
        CREATE TABLE l AS SELECT entry_id AS id, account, currency,
            CAST(posting_date AS DATE) AS d,
            CAST(CAST(amount AS DECIMAL(18, 3)) * 1000 AS BIGINT) AS a,
            {norm} AS r, amount AS text_amount
        FROM read_csv('{ledger}', header = true, all_varchar = true)""")
    con.execute("CREATE TABLE m (g VARCHAR, rule VARCHAR, side VARCHAR, id VARCHAR)")

    def settle(rule, pairs_sql, bank_grouped=False, ledger_grouped=False):
        """Keeps the candidate groups (g, bank key, ledger key) unique on both sides, records
        their items and takes them out of the open tables."""
        con.execute(f"CREATE OR REPLACE TEMP TABLE c AS {pairs_sql}")
        con.execute("""CREATE OR REPLACE TEMP TABLE u AS SELECT * FROM c
            WHERE bk IN (SELECT bk FROM c GROUP BY bk HAVING count(*) = 1)
              AND lk IN (SELECT lk FROM c GROUP BY lk HAVING count(*) = 1)""")
        bank_items = ("SELECT u.g, b.id FROM u JOIN b ON b.account || '|' || b.currency || '|' || b.r = u.bk"
                      if bank_grouped else "SELECT u.g, u.bk FROM u")
        ledger_items = ("SELECT u.g, l.id FROM u JOIN l ON l.account || '|' || l.currency || '|' || l.r = u.lk"
                        if ledger_grouped else "SELECT u.g, u.lk FROM u")
        con.execute(f"INSERT INTO m SELECT g, '{rule}', 'bank', id FROM ({bank_items}) AS t(g, id)")
        con.execute(f"INSERT INTO m SELECT g, '{rule}', 'ledger', id FROM ({ledger_items}) AS t(g, id)")
        con.execute("DELETE FROM b WHERE id IN (SELECT id FROM m WHERE side = 'bank')")
        con.execute("DELETE FROM l WHERE id IN (SELECT id FROM m WHERE side = 'ledger')")

    settle("exact", """
        SELECT '1:' || b.id AS g, b.id AS bk, l.id AS lk FROM b JOIN l
          ON b.account = l.account AND b.currency = l.currency AND b.a = l.a AND b.r = l.r
        WHERE b.r <> '' AND abs(b.d - l.d) <= 10""")
    settle("ledger_batch", """
        WITH g AS (SELECT account, currency, r, sum(a) AS a, min(d) AS d0, max(d) AS d1, count(*) AS n
                   FROM l WHERE r <> '' GROUP BY ALL HAVING count(*) >= 2)
        SELECT '2:' || b.id AS g, b.id AS bk, g.account || '|' || g.currency || '|' || g.r AS lk
        FROM b JOIN g ON b.account = g.account AND b.currency = g.currency AND b.r = g.r AND b.a = g.a
        WHERE b.d - g.d0 <= 7 AND g.d1 - b.d <= 7""", ledger_grouped=True)
    settle("partials", """
        WITH g AS (SELECT account, currency, r, sum(a) AS a, min(d) AS d0, max(d) AS d1
                   FROM b WHERE r <> '' GROUP BY ALL HAVING count(*) >= 2)
        SELECT '3:' || l.id AS g, g.account || '|' || g.currency || '|' || g.r AS bk, l.id AS lk
        FROM l JOIN g ON l.account = g.account AND l.currency = g.currency AND l.r = g.r AND l.a = g.a
        WHERE g.d1 - l.d <= 31 AND l.d - g.d0 <= 31""", bank_grouped=True)
    settle("amount_date", """
        SELECT '4:' || b.id AS g, b.id AS bk, l.id AS lk FROM b JOIN l
          ON b.account = l.account AND b.currency = l.currency AND b.a = l.a
        WHERE abs(b.d - l.d) <= 10""")

    # matches.csv: groups numbered in rule order, then by their first item.
    path = os.path.join(out, "matches.csv")
    con.execute(f"""
        COPY (
            WITH n AS (SELECT g, dense_rank() OVER (ORDER BY min(rule_no), g) AS k
                       FROM (SELECT g, CASE rule WHEN 'exact' THEN 1 WHEN 'ledger_batch' THEN 2
                                        WHEN 'partials' THEN 3 ELSE 4 END AS rule_no FROM m)
                       GROUP BY g)
            SELECT 'M' || lpad(CAST(n.k AS VARCHAR), 7, '0') AS match_id, m.rule, 'auto' AS status,
                   m.side, m.id AS item_id, '' AS amount
            FROM m JOIN n USING (g) ORDER BY n.k, m.side, m.id
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    print(f"duckdb_match: {time.monotonic() - started:.2f} s, "
          f"{con.execute('SELECT count(DISTINCT g) FROM m').fetchone()[0]} groups, results in {out}")


if __name__ == "__main__":
    main()
