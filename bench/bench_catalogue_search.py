"""Benchmark: the citizen's catalogue search (`catalogue.search.procedure_search`) against the bare SQL LIKE.

Run by hand, not a test, against a fresh PostgreSQL database of its own::

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS tinhso_bench_catalogue' \\
         -c 'CREATE DATABASE tinhso_bench_catalogue'
    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_catalogue \\
        .venv/bin/python bench/bench_catalogue_search.py [--procedures 5000] [--runs 50]

Migrates, loads the 35 sample procedures and replaces the generated ones (codes `9.…`) with
`--procedures` new ones through `Procedure.objects.bulk_create` (which folds `name_search`):
names built from the catalogue's own words (verb + object + qualifier, e.g. "Cấp lại giấy phép
xây dựng có yếu tố nước ngoài"), every level and online level, one inactive in 20; then ANALYZE.

For each query — "khai sinh" typed with its marks, and "tam tru" (two words, no diacritics) —
times, alternately, `--runs` times each after 5 warm-up calls:

- **product, all**: `list(procedure_search(q=…))`: the query folded and cut into words, one
  `LIKE '%word%'` per word on `name_search` (or the code), ranked by the `CASE` of the module
  and ordered, evaluated to model instances;
- **product, page**: what `GET /api/v1/procedures` does: the first 20 and the count;
- **baseline**: the bare SQL on the folded column through a raw cursor, rows as tuples:
  `SELECT * FROM catalogue_procedure WHERE is_active AND name_search LIKE '%khai%' AND
  name_search LIKE '%sinh%'`.

Asserts that the product and the baseline find the same procedures. Prints the medians and
90th percentiles, the ratio of the medians, the load average around the runs, the commit and
the database. Goal: p50 of the product < 20 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time as clock
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from tinhso.catalogue.models import OnlineLevel, Procedure, ProcedureLevel  # noqa: E402
from tinhso.catalogue.search import procedure_search, search_words  # noqa: E402
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("khai sinh", "tam tru")
PAGE = 20

VERBS = ("Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Xác nhận", "Thay đổi", "Điều chỉnh", "Thu hồi",
         "Chứng thực", "Thông báo", "Đăng ký lại")
OBJECTS = ("khai sinh", "khai tử", "kết hôn", "giấy phép xây dựng", "tạm trú", "thường trú", "hộ kinh doanh",
           "giấy chứng nhận quyền sử dụng đất", "thẻ căn cước", "phiếu lý lịch tư pháp", "nội quy lao động",
           "giấy phép lái xe", "trợ cấp xã hội", "con nuôi", "giám hộ", "nhận cha, mẹ, con", "hộ tịch",
           "giấy phép kinh doanh vận tải", "chứng chỉ hành nghề", "biến động đất đai")
QUALIFIERS = ("", "", "", "có yếu tố nước ngoài", "cho người dưới 06 tuổi", "đối với hộ gia đình, cá nhân",
              "lần đầu", "do bị mất, hỏng", "tại cấp xã", "theo danh sách", "trong khu kinh tế")
FIELDS = ("Hộ tịch", "Đăng ký, quản lý cư trú", "Hoạt động xây dựng", "Đất đai", "Chứng thực", "Bảo trợ xã hội",
          "Lao động, tiền lương", "Giao thông vận tải")


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" (+ uncommitted changes)" if dirty else "")


def generated(n: int, seed: int) -> list[Procedure]:
    rng = random.Random(seed)
    procedures = []
    for i in range(n):
        name = " ".join(p for p in (rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)) if p)
        procedures.append(Procedure(
            code=f"9.{i:06d}", name=name, field=rng.choice(FIELDS), level=rng.choice(ProcedureLevel.values),
            online_level=rng.choice(OnlineLevel.values), processing_amount=Decimal(rng.randint(1, 30)),
            processing_unit="working_days", fee_vnd=rng.choice((0, 0, 10_000, 50_000)),
            is_active=rng.random() >= 0.05,
        ))
    return procedures


def prepare_database(n: int, seed: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench_catalogue_search needs DATABASE_URL pointing at a PostgreSQL database")
    call_command("migrate", verbosity=0)
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    with transaction.atomic():
        Procedure.objects.filter(code__startswith="9.").delete()
        Procedure.objects.bulk_create(generated(n, seed), batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalogue_procedure")


def baseline_sql(q: str) -> tuple[str, list[str]]:
    words = search_words(q)
    where = " AND ".join("name_search LIKE %s" for _ in words)
    return f"SELECT * FROM catalogue_procedure WHERE is_active AND {where}", [f"%{w}%" for w in words]


def bare(q: str) -> list[tuple[Any, ...]]:
    sql, params = baseline_sql(q)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def product_all(q: str) -> list[Procedure]:
    return list(procedure_search(q=q))


def product_page(q: str) -> tuple[int, list[Procedure]]:
    found = procedure_search(q=q)
    return found.count(), list(found[:PAGE])


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def timed(fn: Callable[[str], object], q: str, into: list[float]) -> None:
    started = clock.perf_counter()
    fn(q)
    into.append(clock.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    prepare_database(args.procedures, args.seed)
    total = Procedure.objects.count()
    print(f"database {connection.settings_dict['NAME']}, {total:,} procedures "
          f"({args.procedures:,} generated), commit {_commit()}")
    for q in QUERIES:
        found, want = product_all(q), bare(q)
        # Only the code can match besides the name, and these queries name no code: the same set.
        assert {p.pk for p in found} == {row[0] for row in want}, f"{q!r}: the search and the bare SQL disagree"
        print(f"\n{q!r}: {len(found):,} procedures found, first {found[0].code} {found[0].name!r}")
        for _ in range(5):
            product_all(q)
            product_page(q)
            bare(q)
        times: dict[str, list[float]] = {"product, all": [], "product, page": [], "bare SQL": []}
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):  # interleaved, so drift in the machine's load hits all three alike
            timed(product_all, q, times["product, all"])
            timed(product_page, q, times["product, page"])
            timed(bare, q, times["bare SQL"])
        load_after = os.getloadavg()[0]
        base = statistics.median(times["bare SQL"])
        for label, values in times.items():
            median = statistics.median(values)
            print(f"  {label:14} p50 {median * 1e3:6.2f} ms, p90 {p90(values) * 1e3:6.2f} ms, "
                  f"ratio to bare {median / base:5.2f}")
        goal = statistics.median(times["product, all"]) * 1e3 < 20
        print(f"  load {load_before:.2f} → {load_after:.2f}; goal p50 < 20 ms: {'met' if goal else 'missed'}")
        sql, params = baseline_sql(q)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        print("  bare plan: " + " | ".join(line.strip() for line in plan if "Scan" in line or "Execution" in line))


if __name__ == "__main__":
    main()
