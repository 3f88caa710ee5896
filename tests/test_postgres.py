"""PostgreSQL for real: a throw-away server started here, and the studies on its tables give the CSV's results.

The server is Debian's ``postgresql`` package (``.ci/run`` installs it): a cluster in a
temporary folder, listening on a Unix socket only, with trust authentication, stopped at
the end. initdb refuses to run as root, so as root the cluster runs as the ``postgres``
user. Without PostgreSQL on the machine these tests are skipped, unless
``CXLIB_REQUIRE_POSTGRES`` is set (CI), where that is a failure.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from exports import (
    NAMES,
    base_frame,
    churn_base,
    churn_parameters,
    driver_parameters,
    parameters,
    text_export,
)
from nested import assert_nested_close

import cxlib as cx
from cxlib.reports import cli
from cxlib.reports.results import to_jsonable


def _bin(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server on a Unix socket: yields the SQLAlchemy URL of its database ``cx`` (no password).

    The folder is made outside pytest's (which only root may enter) so that the postgres user can use it.
    """
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not (initdb and pg_ctl):
        if os.environ.get("CXLIB_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql), and CXLIB_REQUIRE_POSTGRES is set")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="cxlib-postgres-"))
    data, socket = folder / "data", folder / "socket"
    socket.mkdir()
    as_user = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
        shutil.chown(folder, "postgres")
        shutil.chown(socket, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*args):
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True, timeout=120)

    run(initdb, "-D", str(data), "--auth=trust", "--username=cx", "--encoding=UTF8", "--locale=C")
    run(pg_ctl, "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
        f"-c listen_addresses='' -c unix_socket_directories='{socket}' -p 54329", "start")
    try:
        run(_bin("createdb") or "createdb", "-h", str(socket), "-p", "54329", "-U", "cx", "cx")
        yield f"postgresql+psycopg://cx@/cx?host={socket}&port=54329"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def tables(postgres, tmp_path_factory):
    """The Turkish answers and customers as database tables, and the same rows as clean CSV files."""
    import sqlalchemy

    folder = tmp_path_factory.mktemp("postgres-csv")
    answers, customers = base_frame("turkish"), churn_base("turkish")
    (folder / "answers.csv").write_text(text_export(answers), encoding="utf-8")
    customers.to_csv(folder / "customers.csv", index=False)
    engine = sqlalchemy.create_engine(postgres)
    with engine.begin() as con:
        answers.astype({NAMES["turkish"][4]: "datetime64[ns]"}).to_sql("yanitlar", con, index=False)
        customers.to_sql("musteriler", con, schema="public", index=False)
    engine.dispose()
    return {"answers": folder / "answers.csv", "customers": folder / "customers.csv"}


def results(study: str, data_path, **given) -> dict:
    result, _ = cx.studies.compute(study, {"data_path": str(data_path), **given})
    return to_jsonable(result.to_dict())


@pytest.mark.slow
def test_segment_driver_and_churn_studies_on_postgresql_equal_the_csv(postgres, tables):
    for study, table, given in [("segment_study", "yanitlar", parameters("turkish")),
                                ("driver_study", "yanitlar", driver_parameters("turkish")),
                                ("churn_study", "public.musteriler", churn_parameters("turkish"))]:
        csv = tables["customers" if study == "churn_study" else "answers"]
        assert_nested_close(results(study, postgres, table=table, **given), results(study, csv, **given), study)


def test_a_query_reads_the_rows_it_selects(postgres, tables):
    query = 'SELECT * FROM yanitlar WHERE "Paket" = \'premium\''
    got = results("segment_study", postgres, query=query, **parameters("turkish"))
    frame = pd.read_csv(tables["answers"])
    premium = frame[frame["Paket"] == "premium"]
    assert got["overall"]["n"] == premium["Puan"].notna().sum()


@pytest.mark.slow
def test_cx_run_on_a_postgresql_table_records_no_password_and_the_same_numbers(postgres, tables, tmp_path, capsys):
    given = json.dumps({**parameters("turkish"), "table": "yanitlar"}, ensure_ascii=False)
    code = cli.main(["run", "segment_study", "-p", "data_path", postgres, "-y", given, "--reports-dir",
                     str(tmp_path / "r"), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    (run,) = (tmp_path / "r" / "segment_study").iterdir()
    out = json.loads((run / "results.json").read_text(encoding="utf-8"))
    assert_nested_close(out["results"], results("segment_study", tables["answers"], **parameters("turkish")))
    inputs = json.dumps(out["provenance"]["inputs"])
    assert '"format": "sql"' in inputs and "cx@/cx" in inputs

