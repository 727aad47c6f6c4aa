"""Deterministic raw records for the two fixture datasets (seeded), and raw runs written in the
collector's layout (gzip NDJSON parts + run manifest), as the job reads them."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from lake_job.contract import Contract

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
BR_STATES = ["SP", "RJ", "MG", "PR", "RS", "BA", "SC", "PE"]


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _money(rng: random.Random, low: int, high: int) -> float:
    """A JSON number with at most 2 decimals (whole cents)."""
    return rng.randint(low * 100, high * 100) / 100


def invoices(count: int, seed: int = 42, spacing_seconds: int = 600) -> list[dict[str, Any]]:
    """NF-e-like invoices: issuer/recipient structs, 1-5 items from 40 products (a few descriptions vary)."""
    rng = random.Random(seed)
    products = [(f"P{n:04d}", f"Product {n}") for n in range(40)]
    out = []
    for i in range(count):
        issued = EPOCH + timedelta(seconds=i * spacing_seconds)
        items = []
        for n in range(1, rng.randint(1, 5) + 1):
            code, description = rng.choice(products)
            if rng.random() < 0.1:
                description += " (promo)"
            quantity = rng.randint(1, 2000) / 100
            unit_price = rng.randint(100, 50000) / 100
            items.append({
                "item_number": n, "product_code": code, "description": description,
                "ncm": f"{rng.randint(0, 99999999):08d}" if rng.random() < 0.9 else None, "cfop": rng.choice(["5102", "6102", "5405"]),
                "unit": "UN", "quantity": quantity, "unit_price": unit_price, "total_price": round(quantity * unit_price, 2),
                "discount": None if rng.random() < 0.7 else _money(rng, 0, 5), "icms_amount": _money(rng, 0, 50),
            })  # fmt: skip
        total = round(sum(it["total_price"] for it in items), 2)
        out.append({
            "invoice_id": f"{35_260_000_000_000 + i:044d}", "number": i + 1, "series": rng.randint(0, 3),
            "model": rng.choice(["55", "65"]),
            "status": rng.choices(["authorized", "cancelled", "denied"], weights=[80, 15, 5])[0],
            "issued_at": _ts(issued), "updated_at": _ts(issued + timedelta(minutes=rng.randint(0, 120))),
            "operation_nature": rng.choice(["Venda de mercadoria", None]),
            "issuer": {"document": f"{rng.randint(0, 10**14 - 1):014d}", "name": f"Empresa {rng.randint(1, 30)}",
                       "state": rng.choice(BR_STATES), "city": rng.choice(["Campinas", None])},
            "recipient": None if rng.random() < 0.2 else {"document": f"{rng.randint(0, 10**11 - 1):011d}", "name": "Cliente",
                                                           "state": rng.choice(BR_STATES), "city": None},
            "total_products": total, "total_discount": None, "total_tax": _money(rng, 0, 100), "total_amount": total, "items": items,
        })  # fmt: skip
    return out


def orders(count: int, seed: int = 7, spacing_seconds: int = 900) -> list[dict[str, Any]]:
    """Shop orders: customer with an optional nested address, 1-4 lines (line numbers not in array
    order), payments null, empty or 1-2, tags null, empty or a few."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        ordered = EPOCH + timedelta(seconds=i * spacing_seconds, microseconds=rng.randint(0, 999) * 1000)
        line_numbers = rng.sample(range(1, 10), rng.randint(1, 4))
        lines = [
            {"line_no": n, "sku": f"SKU-{rng.randint(1, 25):03d}", "quantity": rng.randint(1, 12), "unit_price": _money(rng, 1, 300)}
            for n in line_numbers
        ]
        total = round(sum(line["quantity"] * line["unit_price"] for line in lines), 2)
        payments: list[dict[str, Any]] | None = None if rng.random() < 0.1 else []
        if payments is not None and rng.random() < 0.9:
            for share in [total] if rng.random() < 0.7 else [round(total / 2, 2), round(total - round(total / 2, 2), 2)]:
                paid = None if rng.random() < 0.2 else _ts(ordered + timedelta(minutes=rng.randint(1, 90)))
                payments.append({"method": rng.choice(["card", "pix", "boleto"]), "amount": share, "paid_at": paid})
        address = None if rng.random() < 0.15 else {
            "city": rng.choice(["Porto", "Austin", None]), "state": rng.choice(["TX", None]),
            "country": rng.choice(["BR", "US", "PT", "DE"]),
        }  # fmt: skip
        out.append({
            "order_id": f"ORD-{i:08d}", "status": rng.choices(["placed", "paid", "shipped", "cancelled"], weights=[20, 40, 30, 10])[0],
            "ordered_at": _ts(ordered), "updated_at": _ts(ordered + timedelta(minutes=rng.randint(0, 600))),
            "customer": {"id": f"C{rng.randint(1, 200):05d}", "name": rng.choice(["Ana", "Bo", None]), "address": address},
            "lines": lines, "payments": payments, "tags": rng.choice([None, [], ["gift"], ["gift", "express"]]), "total": total,
        })  # fmt: skip
    return out


def write_run(contract: Contract, raw_root: Path, run_id: str, ingest_date: str, parts: list[list[str]]) -> str:
    """Writes one collector run (gzip NDJSON parts of raw lines + its run manifest); returns the manifest key."""
    values = {"source": "demo-api", "ingest_date": ingest_date, "run_id": run_id}
    entries = []
    for n, lines in enumerate(parts):
        key = contract.path("rawObject", part=n, **values)  # type: ignore[arg-type]
        body = gzip.compress(("\n".join(lines) + "\n").encode())
        (raw_root / key).parent.mkdir(parents=True, exist_ok=True)
        (raw_root / key).write_bytes(body)
        entries.append({"key": key, "records": len(lines), "bytes": len(body)})
    manifest_key = contract.path("manifest", **values)
    records = sum(e["records"] for e in entries)
    manifest = {
        "version": 1, "source": "demo-api", "dataset": contract.name, "runId": run_id, "ingestDate": ingest_date,
        "startedAt": f"{ingest_date}T00:00:00Z", "completedAt": f"{ingest_date}T01:00:00Z", "records": records,
        "invalidRecords": 0, "pages": len(entries), "bytes": sum(e["bytes"] for e in entries), "parts": entries,
        "firstCursor": None, "lastCursor": None, "apiReportedTotal": None, "continuations": 0,
    }  # fmt: skip
    (raw_root / manifest_key).parent.mkdir(parents=True, exist_ok=True)
    (raw_root / manifest_key).write_text(json.dumps(manifest))
    return manifest_key


def write_runs(contract: Contract, raw_root: Path, records: list[dict[str, Any]], runs: int, parts_per_run: int) -> tuple[str, ...]:
    """Splits `records` over `runs` collector runs (one ingest day each) of `parts_per_run` parts."""
    per_run = -(-len(records) // runs)
    keys = []
    for r in range(runs):
        chunk = [json.dumps(x) for x in records[r * per_run : (r + 1) * per_run]]
        per_part = -(-len(chunk) // parts_per_run)
        parts = [chunk[p * per_part : (p + 1) * per_part] for p in range(parts_per_run)]
        keys.append(write_run(contract, raw_root, f"run-{r * per_run:09d}", f"2026-01-{r + 1:02d}", [p for p in parts if p]))
    return tuple(keys)
