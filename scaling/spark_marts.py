"""Build the warehouse's marts with Spark over the Parquet lake, and check them against DuckDB's.

    python -m etl export-lake /tmp/lake                                  # the project's venv
    /tmp/spark-venv/bin/python scaling/spark_marts.py /tmp/lake --out /tmp/spark-marts

Runs in a separate venv (`pip install pyspark duckdb==2.0.0 sqlglot pandas pyarrow`; Java 17+), never
in the dashboard's: see docs/scaling.md.  Steps:

1. a local SparkSession (`--master local[2]`);
2. one temp view per lake table (`spark.read.option("basePath", ...).parquet(...)`, so the hive
   partition columns come back), with the warehouse's columns and types from `_lake.json` (the extra
   partition column `month` dropped);
3. the mart SQL of `etl/sql/` (the files of `etl.loader.MART_FILES`, in that order), translated from
   DuckDB to Spark SQL by sqlglot plus two rewrites sqlglot does not do (`translate`): ASOF JOIN → an
   inner join keeping the nearest row per probe row, and `cast(unnest(generate_series(...)) as date)`
   → `explode(sequence(...))` (Spark refuses a generator inside an expression);
4. each mart written as Parquet under `--out`, then read back as the view later marts use;
5. the same marts built by DuckDB over the same lake (`etl.lake.lake_connection`), compared: row
   counts, per-column sums (numbers; hashes for text, dates and booleans) within 1e-9 relative, and
   row by row on the mart's key.  Exit code 0 when everything matches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mart_keys() -> dict[str, list[str]]:
    """Each model's key (for the row-by-row comparison), as declared beside its SQL (etl/sql/<model>.yml)."""
    import yaml

    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["key"]
        for p in sorted((ROOT / "etl" / "sql").glob("*.yml"))
    }


TOLERANCE = 1e-9
# DuckDB type names in _lake.json → Spark SQL types.  DuckDB's TIMESTAMP has no time zone: TIMESTAMP_NTZ.
SPARK_TYPES = {
    "INTEGER": "int",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "TINYINT": "tinyint",
    "HUGEINT": "decimal(38,0)",
    "DOUBLE": "double",
    "FLOAT": "float",
    "BOOLEAN": "boolean",
    "VARCHAR": "string",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
}


def mart_files() -> list[str]:
    """`etl.loader.MART_FILES`, read from the source without importing the loader (whose readers need
    packages this venv does not have)."""
    tree = ast.parse((ROOT / "etl" / "loader.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MART_FILES" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise SystemExit("etl/loader.py: MART_FILES not found")


# --- DuckDB → Spark SQL ------------------------------------------------------------------------


def _aliases(node) -> set[str]:
    from sqlglot import exp

    return {c.table for c in node.find_all(exp.Column) if c.table}


def _rewrite_asof(select) -> None:
    """`L ASOF JOIN R ON R.k = L.k AND L.t >= R.t` → `L JOIN R ON ... QUALIFY row_number() over
    (partition by L.k, L.t order by R.t desc) = 1` (sqlglot's Spark generator turns QUALIFY into a
    subquery).  Same result as DuckDB's ASOF JOIN when the probe rows are unique on the columns of the
    ON clause (true of every ASOF JOIN in the marts: the probe is distinct communes x months) and the
    build side has one row per equality key and inequality value (true: primary keys)."""
    from sqlglot import exp

    for join in list(select.args.get("joins") or []):
        if str(join.args.get("method") or "").upper() != "ASOF":
            continue
        alias = join.this.alias_or_name
        on = join.args["on"]
        conditions = list(on.flatten()) if isinstance(on, exp.And) else [on]
        inequalities = [c for c in conditions if isinstance(c, (exp.GT, exp.GTE, exp.LT, exp.LTE))]
        if len(inequalities) != 1:
            raise ValueError(f"ASOF JOIN with {len(inequalities)} inequalities: {on.sql()}")
        ineq = inequalities[0]
        probe, build = ineq.this, ineq.expression
        nearest_is_max = isinstance(ineq, (exp.GT, exp.GTE))  # probe >= build: the greatest build value
        if alias in _aliases(probe) and alias not in _aliases(build):
            probe, build, nearest_is_max = build, probe, not nearest_is_max
        keys: list = []
        for cond in conditions:
            for col in cond.find_all(exp.Column):
                if col.table and col.table != alias and all(col.sql() != k.sql() for k in keys):
                    keys.append(col.copy())
        join.set("method", None)
        order = exp.Order(expressions=[exp.Ordered(this=build.copy(), desc=nearest_is_max)])
        window = exp.Window(this=exp.RowNumber(), partition_by=keys, order=order)
        if select.args.get("qualify"):
            raise ValueError("ASOF JOIN in a query that already has QUALIFY")
        select.set("qualify", exp.Qualify(this=exp.EQ(this=window, expression=exp.Literal.number(1))))


def _output_names(query) -> list[str]:
    """The output column names of a SELECT (or of the leftmost SELECT of a set operation)."""
    from sqlglot import exp

    while isinstance(query, exp.SetOperation):
        query = query.this
    names = [e.alias_or_name for e in query.expressions]
    if any(isinstance(e, exp.Star) or (isinstance(e, exp.Column) and e.is_star) for e in query.expressions):
        raise ValueError(f"UNION BY NAME over a star select: list the columns ({query.sql()[:80]} ...)")
    return names


def _rewrite_union_by_name(query) -> None:
    """`A UNION ALL BY NAME B` → `A UNION ALL B'` with B's columns put in A's order (Spark SQL has no BY
    NAME; its DataFrame unionByName does the same).  Both sides must name the same columns: a column on
    one side only (which DuckDB would fill with NULL) is refused rather than guessed."""
    from sqlglot import exp

    for union in list(query.find_all(exp.Union)):
        if not union.args.get("by_name"):
            continue
        left = _output_names(union.this)
        right = union.expression
        if not isinstance(right, exp.Select):
            raise ValueError("UNION BY NAME: the right side must be one SELECT")
        by_name = {e.alias_or_name: e for e in right.expressions}
        if sorted(by_name) != sorted(left) or len(by_name) != len(right.expressions):
            raise ValueError(f"UNION BY NAME with different columns: {left} and {list(by_name)}")
        right.set("expressions", [by_name[n] for n in left])
        union.set("by_name", None)


def translate(duckdb_sql: str) -> tuple[str, str]:
    """(table name, Spark SQL query) of one mart file (`create or replace table X as <query>`)."""
    import sqlglot
    from sqlglot import exp

    create = sqlglot.parse_one(duckdb_sql, read="duckdb")
    if not isinstance(create, exp.Create):
        raise ValueError("a mart file is one CREATE OR REPLACE TABLE ... AS statement")
    name, query = create.this.name, create.expression
    for select in list(query.find_all(exp.Select)):
        _rewrite_asof(select)
    _rewrite_union_by_name(query)
    for cast in list(query.find_all(exp.Cast)):
        if isinstance(
            cast.this, (exp.Unnest, exp.Explode)
        ):  # sequence(date, date, interval) is dates already
            cast.replace(cast.this)
    return name, query.sql(dialect="spark", pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE)


# --- Spark -------------------------------------------------------------------------------------


def spark_session(master: str):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("cds-marts")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "2g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def register_lake(spark, lake: Path, manifest: dict) -> None:
    for name, info in manifest["tables"].items():
        base = str(lake / info["path"])
        df = spark.read.option("basePath", base).parquet(base)
        cols = [
            f"cast(`{c}` as {SPARK_TYPES.get(t, t.lower())}) as `{c}`" for c, t in info["columns"].items()
        ]
        df.selectExpr(*cols).createOrReplaceTempView(name)


def spark_marts(spark, out: Path, sql_out: Path) -> dict[str, float]:
    from etl import config

    seconds: dict[str, float] = {}
    sql_out.mkdir(parents=True, exist_ok=True)
    for file_name in mart_files():
        name, query = translate(config.read_sql(file_name))
        (sql_out / file_name.replace(".sql", ".spark.sql")).write_text(query + "\n", encoding="utf-8")
        started = time.perf_counter()
        spark.sql(query).write.mode("overwrite").parquet(str(out / name))
        spark.read.parquet(str(out / name)).createOrReplaceTempView(name)  # later marts read this one
        seconds[name] = time.perf_counter() - started
    return seconds


# --- comparison in DuckDB ----------------------------------------------------------------------


def duckdb_marts(lake: Path):
    from etl import config
    from etl.lake import lake_connection

    con = lake_connection(lake)
    for file_name in mart_files():  # what etl.loader.build_marts runs, in the same order
        con.execute(config.read_sql(file_name))
    return con


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return a == b


def compare(con, spark_out: Path, only: list[str] | None = None) -> list[dict]:
    """Row counts, per-column sums and row-by-row values of DuckDB's marts (tables on `con`) against
    Spark's (Parquet under `spark_out`); every mart of etl/sql, or those named in `only`."""
    reports = []
    for name, keys in mart_keys().items():
        if only is not None and name not in only:
            continue
        con.execute(
            f"create or replace view spark_{name} as select * from read_parquet('{spark_out / name}/*.parquet')"
        )
        duck_cols = [(r[0], r[1]) for r in con.execute(f"describe {name}").fetchall()]
        spark_cols = [r[0] for r in con.execute(f"describe spark_{name}").fetchall()]
        report = {
            "mart": name,
            "columns_equal": [c for c, _ in duck_cols] == spark_cols,
            "rows": [
                con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in (name, f"spark_{name}")
            ],
            "sum_mismatches": [],
            "row_mismatches": 0,
        }

        def agg(col: str, typ: str) -> str:
            if typ in ("INTEGER", "BIGINT", "SMALLINT", "HUGEINT", "DOUBLE", "FLOAT") or typ.startswith(
                "DECIMAL"
            ):
                return f'sum(cast("{col}" as double))'
            return f'sum(hash(cast("{col}" as varchar)))'  # text, dates, booleans: same values, same hash sum

        exprs = ", ".join(agg(c, t) for c, t in duck_cols)
        duck = con.execute(f"select {exprs} from {name}").fetchall()[0]
        spark = con.execute(f"select {exprs} from spark_{name}").fetchall()[0]
        for (col, _), a, b in zip(duck_cols, duck, spark, strict=True):
            if not _close(a, b):
                report["sum_mismatches"].append({"column": col, "duckdb": a, "spark": b})
        cols = [c for c, _ in duck_cols]
        select = ", ".join(f'd."{c}", s."{c}"' for c in cols)
        # a key column may be NULL (the country's row of the area marts has no province_code)
        on = " and ".join(f'd."{k}" is not distinct from s."{k}"' for k in keys)
        rows = con.execute(f"select {select} from {name} d full join spark_{name} s on {on}").fetchall()
        bad_columns: dict[str, int] = {}
        for row in rows:
            wrong = [c for i, c in enumerate(cols) if not _close(row[2 * i], row[2 * i + 1])]
            if wrong:
                report["row_mismatches"] += 1
                for c in wrong:
                    bad_columns[c] = bad_columns.get(c, 0) + 1
        report["columns_with_row_mismatches"] = bad_columns
        report["ok"] = (
            report["columns_equal"]
            and report["rows"][0] == report["rows"][1]
            and not report["sum_mismatches"]
            and not report["row_mismatches"]
        )
        reports.append(report)
    return reports


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("lake", type=Path, help="lake folder written by python -m etl export-lake")
    p.add_argument("--out", type=Path, default=Path("/tmp/spark-marts"), help="where Spark writes the marts")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--no-compare", action="store_true", help="skip the comparison with DuckDB's marts")
    args = p.parse_args(argv)
    lake = args.lake.resolve()
    manifest = json.loads((lake / "_lake.json").read_text(encoding="utf-8"))
    print(
        f"lake: {lake} ({len(manifest['tables'])} tables, {manifest['rows']} rows, "
        f"{manifest['bytes'] / 1e6:.1f} MB, exported {manifest['exported_at']})"
    )

    started = time.perf_counter()
    spark = spark_session(args.master)
    spark.sparkContext.setLogLevel("ERROR")
    import pyspark

    print(
        f"spark {pyspark.__version__} {args.master}: session started in {time.perf_counter() - started:.1f} s"
    )
    try:
        t = time.perf_counter()
        register_lake(spark, lake, manifest)
        print(f"lake views registered in {time.perf_counter() - t:.1f} s")
        seconds = spark_marts(spark, args.out.resolve(), args.out.resolve() / "sql")
        for name, s in seconds.items():
            print(f"spark {name}: {s:.1f} s -> {args.out / name}")
    finally:
        spark.stop()
    if args.no_compare:
        return 0
    t = time.perf_counter()
    con = duckdb_marts(lake)
    print(f"duckdb marts over the same lake: {time.perf_counter() - t:.1f} s")
    ok = True
    for r in compare(con, args.out.resolve()):
        ok &= r["ok"]
        print(
            f"{r['mart']}: rows duckdb {r['rows'][0]} spark {r['rows'][1]}; columns equal {r['columns_equal']}; "
            f"per-column sums differing {len(r['sum_mismatches'])}; rows differing {r['row_mismatches']} "
            f"-> {'OK' if r['ok'] else 'MISMATCH'}"
        )
        for m in r["sum_mismatches"]:
            print(f"    sum {m['column']}: duckdb {m['duckdb']} spark {m['spark']}")
        for col, n in r["columns_with_row_mismatches"].items():
            print(f"    rows differing in {col}: {n}")
    con.close()
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
