"""The peer of the Spark job for bench/spark-bench.py: one DuckDB script applying the same rules to the
same raw parts (validation per the exported contract's columns, latest version per primary key by
event time then ingest lineage, items exploded, zstd Parquet partitioned by business date, both
analytics tables from the contract's SQL). Runs in the venv of bench/requirements-duckdb.lock.
    python bench/spark_duckdb.py run --contract C --raw-root R --out O --threads N --manifest-key K...
    python bench/spark_duckdb.py compare --contract C --left O1 --right O2
Prints one JSON object on stdout. Bench-only: it covers what the NF-e example contract uses (top-level
arrays of structs, one exploded table); the job's line number is not a tie-breaker here (the bench
input repeats a key only across raw objects)."""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any

import duckdb

_TIMESTAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_SQL_TYPES = {"string": "VARCHAR", "long": "BIGINT", "integer": "INTEGER", "timestamp": "TIMESTAMP", "date": "DATE",
              "boolean": "BOOLEAN", "double": "DOUBLE"}  # fmt: skip


def sql_type(spark_type: str) -> str:
    return spark_type.upper() if spark_type.startswith("decimal") else _SQL_TYPES[spark_type]


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Paths:
    """JSON paths read in one parse each (json_type / json_extract_string take a list of paths)."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def at(self, path: str) -> int:
        if path not in self.paths:
            self.paths.append(path)
        return self.paths.index(path) + 1  # DuckDB lists are 1-based

    def sql_list(self) -> str:
        return "[" + ", ".join(lit(p) for p in self.paths) + "]"


def check(column: dict[str, Any], type_: dict[str, Any], path: str, paths: Paths, t: str, x: str) -> str:
    """SQL true when the value at `path` satisfies the column's rules; `t`/`x` name the type/text lists."""
    i = paths.at(path)
    kind, tt, xx = type_["kind"], f"{t}[{i}]", f"{x}[{i}]"
    number = f"TRY_CAST({xx} AS DOUBLE)"
    rules: list[str] = []
    if kind == "string":
        rules.append(f"{tt} = 'VARCHAR'")
        if "enum" in column:
            rules.append(f"{xx} IN ({', '.join(lit(v) for v in column['enum'])})")
        if "pattern" in column:
            rules.append(f"regexp_matches({xx}, {lit(column['pattern'])})")
    elif kind in ("int", "long"):
        rules.append(f"({tt} IN ('UBIGINT', 'BIGINT') OR ({tt} = 'DOUBLE' AND {number} = floor({number})))")
        rules.append(f"abs({number}) <= {2**31 - 1 if kind == 'int' else 2**53 - 1}")
    elif kind == "double":
        rules.append(f"{tt} IN ('UBIGINT', 'BIGINT', 'DOUBLE') AND isfinite({number})")
    elif kind == "decimal":
        whole, scale = type_["precision"] - type_["scale"], type_["scale"]
        rules.append(f"{tt} IN ('UBIGINT', 'BIGINT', 'DOUBLE', 'VARCHAR')")
        rules.append(f"regexp_full_match({xx}, '-?[0-9]+(\\.[0-9]+)?')")
        rules.append(f"regexp_full_match({xx}, '-?0*[0-9]{{0,{whole}}}(\\.[0-9]{{0,{scale}}})?')")
    elif kind == "boolean":
        rules.append(f"{tt} = 'BOOLEAN'")
    elif kind == "timestamp":
        rules.append(f"{tt} = 'VARCHAR' AND regexp_full_match({xx}, {lit(_TIMESTAMP)}) AND TRY_CAST({xx} AS TIMESTAMPTZ) IS NOT NULL")
    elif kind == "date":
        rules.append(f"{tt} = 'VARCHAR' AND regexp_full_match({xx}, {lit(_DATE)}) AND TRY_CAST({xx} AS DATE) IS NOT NULL")
    elif kind == "struct":
        rules.append(f"{tt} = 'OBJECT'")
        rules += [field_check(f, f"{path}.{f['name']}", paths, t, x) for f in type_["fields"]]
    elif kind == "array":
        # each element's types and texts in one parse, then the element rules over them
        inner = Paths()
        body = check(column, type_["element"], "$", inner, "s.t", "s.x")
        elements = f"json_extract(j, {lit(path + '[*]')})"
        pairs = f"list_transform({elements}, e -> {{'t': json_type(e, {inner.sql_list()}), 'x': json_extract_string(e, {inner.sql_list()})}})"
        rules.append(f"{tt} = 'ARRAY' AND coalesce(list_bool_and(list_transform({pairs}, s -> {body})), true)")
    else:
        raise ValueError(f"unsupported column kind {kind} at {path}")
    if "min" in column and kind in ("int", "long", "double", "decimal"):
        rules.append(f"{number} >= {column['min']}")
    if "max" in column and kind in ("int", "long", "double", "decimal"):
        rules.append(f"{number} <= {column['max']}")
    return "(" + " AND ".join(rules) + ")"


def field_check(column: dict[str, Any], path: str, paths: Paths, t: str, x: str) -> str:
    i = paths.at(path)
    absent = f"({t}[{i}] IS NULL OR {t}[{i}] = 'NULL')"
    present = check(column, column["type"], path, paths, t, x)
    return f"(({absent}) OR {present})" if column.get("nullable", True) else f"(NOT {absent} AND {present})"


def files_of(raw_root: Path, manifest_keys: list[str]) -> list[str]:
    return [str(raw_root / p["key"]) for k in manifest_keys for p in json.loads((raw_root / k).read_text())["parts"]]


def run(a: argparse.Namespace) -> dict[str, Any]:
    contract = json.loads(Path(a.contract).read_text())
    tables, layout, con = contract["tables"], contract["layout"], duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    con.execute("SET TimeZone = 'UTC'")  # business dates are UTC dates of the event instants, as in the job
    seconds: dict[str, float] = {}
    started = time.monotonic()

    def stage(name: str) -> None:
        nonlocal started
        seconds[name] = round(time.monotonic() - started, 3)
        started = time.monotonic()

    paths = Paths()
    paths.at("$")  # t[1]: the line's own JSON type
    record_ok = " AND ".join(field_check(c, f"$.{c['name']}", paths, "t", "x") for c in contract["columns"])
    pattern = layout["rawObjectPattern"].lstrip("^")
    files = files_of(Path(a.raw_root), a.manifest_key)
    parsed = f"json_type(j, {paths.sql_list()}) AS t, json_extract_string(j, {paths.sql_list()}) AS x"
    # one column per line: a delimiter and quote that never occur in JSON text
    lines = f"""read_csv({files!r}, columns = {{'value': 'VARCHAR'}}, delim = chr(1), quote = '', escape = '', header = false,
                 auto_detect = false, filename = true, compression = 'gzip', strict_mode = false, max_line_size = 100000000)"""
    con.execute(f"""
        CREATE TABLE checked AS
        SELECT source_key, value, t, x, coalesce(t[1] = 'OBJECT' AND {record_ok}, false) AS ok
        FROM (SELECT *, {parsed} FROM (
          -- j: the line when it is JSON at all (every JSON function below reads j, never the raw text)
          SELECT regexp_extract(filename, {lit(pattern)}, 0) AS source_key, value, CASE WHEN json_valid(value) THEN value END AS j FROM {lines}))
    """)  # fmt: skip
    total, bad = con.execute("SELECT count(*), count(*) FILTER (WHERE NOT ok) FROM checked").fetchone()
    stage("read_validate")

    record_table = next(n for n, t in tables.items() if t["layer"] == "curated" and t["source"]["kind"] == "record")
    explode_table = next(n for n, t in tables.items() if t["layer"] == "curated" and t["source"]["kind"] == "explode")

    def typed(text: str, spark_type: str) -> str:
        if spark_type == "timestamp":
            return f"CAST(CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP)"
        return f"CAST({text} AS {sql_type(spark_type)})"

    def lineage(name: str) -> str:
        group = {"source_key": 0, "ingest_date": 3, "run_id": 4}[name]
        expr = f"regexp_extract(source_key, {lit(pattern)}, {group})"
        return f"CAST({expr} AS DATE)" if name == "ingest_date" else expr

    def columns_of(table: dict[str, Any], element: Paths | None = None) -> list[str]:
        types = {f["name"]: f["type"] for f in table["sparkSchema"]["fields"]}
        out = []
        for c in table["source"]["columns"]:
            if c["from"] == "record":
                expr = typed(f"x[{paths.at('$.' + '.'.join(c['path']))}]", types[c["name"]])
            elif c["from"] == "element":
                assert element is not None
                expr = typed(f"ex[{element.at('$.' + '.'.join(c['path']))}]", types[c["name"]])
            elif c["from"] == "position":
                expr = "pos"
            elif c["from"] == "count":
                expr = f"CAST(coalesce(json_array_length(value, {lit('$.' + '.'.join(c['path']))}), 0) AS INTEGER)"
            else:
                expr = lineage(c["name"])
            out.append(f"{expr} AS {c['name']}")
        return out

    record = tables[record_table]

    def field_text(name: str) -> str:
        return f"x[{paths.at('$.' + name)}]"

    business = f"strftime({typed(field_text(contract['businessDateField']), 'timestamp')}, '%Y-%m-%d') AS dt"
    order = [f"{typed(field_text(contract['eventTimeField']), 'timestamp')} DESC", "ingest_date DESC", "run_id DESC", "source_key DESC"]
    key = ", ".join(field_text(k) for k in contract["primaryKey"])
    con.execute(f"""
        CREATE TABLE winners AS
        SELECT {', '.join(columns_of(record))}, {business}, x, value
        FROM (SELECT *, {lineage('ingest_date')} AS ingest_date, {lineage('run_id')} AS run_id FROM checked WHERE ok)
        QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {', '.join(order)}) = 1
    """)  # fmt: skip
    explode = tables[explode_table]
    element = Paths()
    element_columns = columns_of(explode, element)
    array_path = "$." + ".".join(explode["source"]["array"])
    item_key = ", ".join(explode["primaryKey"])
    con.execute(f"""
        CREATE TABLE items AS
        SELECT * EXCLUDE (pos) FROM (
          SELECT {', '.join(element_columns)}, dt, pos
          FROM (SELECT *, json_extract_string(e, {element.sql_list()}) AS ex
                FROM (SELECT *, unnest(json_extract(value, {lit(array_path + '[*]')})) AS e,
                             generate_subscripts(json_extract(value, {lit(array_path + '[*]')}), 1) AS pos FROM winners))
          QUALIFY row_number() OVER (PARTITION BY {item_key} ORDER BY pos DESC) = 1)
    """)  # fmt: skip
    stage("dedupe_explode")

    def write(root: str, name: str, select: str) -> None:
        target = Path(root) / layout["tablePrefix"].format(dataset=contract["name"], table=name).rstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY ({select}) TO {lit(str(target))} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt), OVERWRITE_OR_IGNORE)")

    record_names = [c["name"] for c in record["source"]["columns"]]
    write(f"{a.out}/curated", record_table, f"SELECT {', '.join(record_names)}, dt FROM winners")
    write(f"{a.out}/curated", explode_table, "SELECT * FROM items")
    stage("write")
    con.execute(f"CREATE VIEW {record_table} AS SELECT {', '.join(record_names)}, dt FROM winners")
    con.execute(f"CREATE VIEW {explode_table} AS SELECT * FROM items")
    for name, table in tables.items():
        if table["layer"] != "analytics":
            continue
        # Spark SQL -> DuckDB: the one construct the example SQL uses that DuckDB spells differently
        query = re.sub(r"\bLEFT SEMI JOIN\b", "SEMI JOIN", table["source"]["sql"])
        casts = [f"CAST({f['name']} AS {sql_type(f['type'])}) AS {f['name']}" for f in table["sparkSchema"]["fields"]]
        write(f"{a.out}/analytics", name, f"SELECT {', '.join(casts)}, dt FROM ({query})")
    stage("analytics")
    rows = {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in (record_table, explode_table)}
    return {"input_records": total, "bad_records": bad, "rows": rows, "stage_seconds": seconds}


def compare(a: argparse.Namespace) -> dict[str, Any]:
    """Rows of every table in `left` and not in `right` and the reverse (EXCEPT ALL), columns cast to left's types."""
    contract = json.loads(Path(a.contract).read_text())
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    out: dict[str, Any] = {}
    for name, table in contract["tables"].items():
        prefix = contract["layout"]["tablePrefix"].format(dataset=contract["name"], table=name)
        root = "curated" if table["layer"] == "curated" else "analytics"

        def source(side: str, root: str = root, prefix: str = prefix) -> str:
            glob = str(Path(side) / root / prefix / "*" / "*.parquet")
            return f"read_parquet({lit(glob)}, hive_partitioning = true, hive_types = {{'dt': 'VARCHAR'}})"

        cols = [f["name"] for f in table["sparkSchema"]["fields"]] + ["dt"]
        typed = ", ".join(f"CAST({c} AS {sql_type(f['type'])}) AS {c}" for c, f in zip(cols, table["sparkSchema"]["fields"], strict=False)) + ", dt"
        left, right = f"SELECT {typed} FROM {source(a.left)}", f"SELECT {typed} FROM {source(a.right)}"
        out[name] = {
            "left_rows": con.execute(f"SELECT count(*) FROM ({left})").fetchone()[0],
            "right_rows": con.execute(f"SELECT count(*) FROM ({right})").fetchone()[0],
            "left_only": con.execute(f"SELECT count(*) FROM ({left} EXCEPT ALL {right})").fetchone()[0],
            "right_only": con.execute(f"SELECT count(*) FROM ({right} EXCEPT ALL {left})").fetchone()[0],
        }
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--contract", required=True)
    r.add_argument("--raw-root", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--manifest-key", action="append", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--contract", required=True)
    c.add_argument("--left", required=True)
    c.add_argument("--right", required=True)
    a = p.parse_args()
    print(json.dumps(run(a) if a.command == "run" else compare(a)))


if __name__ == "__main__":
    main()
