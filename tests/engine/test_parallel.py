"""Forked map: results in order and equal to the in-process map; errors reach the caller."""
import json

import pytest

from verify.engine.audit import Auditor
from verify.engine.parallel import pool_map, pool_stages
from verify.registry import REGISTRY
from verify.outputs.report import as_json
from verify.engine.sheet import load


def test_results_come_back_in_order_and_closures_work():
    offset = 10
    assert pool_map(lambda x: x * x + offset, list(range(7)), jobs=2) == [x * x + 10 for x in range(7)]
    assert pool_map(str, [], jobs=2) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_done_is_called_here_once_per_item_with_its_result(jobs):
    seen = {}
    results = pool_map(lambda x: x + 1, [5, 6, 7, 8], jobs, done=seen.__setitem__)
    assert results == [6, 7, 8, 9] and seen == {0: 6, 1: 7, 2: 8, 3: 9}


def test_an_error_in_a_worker_is_raised_in_the_caller():
    def fail_on_three(x):
        if x == 3:
            raise ValueError(f"bad item {x}")
        return x

    with pytest.raises(ValueError, match="bad item 3"):
        pool_map(fail_on_three, [1, 2, 3, 4], jobs=2)


def test_a_forked_audit_equals_the_in_process_one():
    claims = [REGISTRY[i] for i in ("q4c.i", "q4d.i", "q4d.ii", "q2a.gan")]  # cheap truths
    sheet = load(None, REGISTRY)
    by_jobs = [json.loads(as_json(sheet.name, 0, Auditor(0).audit(sheet, claims, jobs=j)))
               for j in (1, 2)]
    # bit-identity is guaranteed, not luck: each truth runs whole in one process, and a forked worker
    # has the parent's BLAS (same kernel, same thread count, static work split); LAPACK results do
    # change with the thread count (eigh by ~1e-12), so identity across OPENBLAS_NUM_THREADS is not
    # asserted anywhere
    assert by_jobs[0] == by_jobs[1]


def test_without_fork_the_map_runs_in_this_process(monkeypatch):
    import os

    import verify.engine.parallel as parallel

    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert pool_map(lambda x: os.getpid(), [1, 2, 3], jobs=3) == [os.getpid()] * 3


@pytest.mark.parametrize("jobs", [1, 2])
def test_stages_give_each_second_task_the_first_results_it_needs(jobs):
    needs = {"sum01": {0, 1}, "only2": {2}, "none": set()}
    first, second = pool_stages(lambda k: 10 * k, [0, 1, 2], lambda n, got: (n, sorted(got.items())),
                                needs, jobs=jobs)
    assert first == {0: 0, 1: 10, 2: 20}
    assert second == {"sum01": ("sum01", [(0, 0), (1, 10)]), "only2": ("only2", [(2, 20)]),
                      "none": ("none", [])}


def test_figures_and_truths_in_one_pool_match_the_in_process_run(tmp_path):
    from verify.outputs.figures import write

    # q4a's figure needs q4a's truth, computed in the pool; q4c.i's truth is an extra first-stage key
    paths = {j: write(["q4a_fm_vs_cfm"], tmp_path / str(j), Auditor(0), formats=("pdf",), jobs=j,
                      claims=[REGISTRY["q4c.i"]]) for j in (1, 2)}
    # identical bytes guaranteed as above: one process per truth and figure, the parent's BLAS
    assert [p.read_bytes() for p in paths[1]] == [p.read_bytes() for p in paths[2]]
