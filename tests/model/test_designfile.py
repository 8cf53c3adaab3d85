"""The design file: round trips, unknown keys kept, migrations, atomic saves."""

import os
import pickle
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import designfile
from model.architecture import Architecture, Edge, Load, Node, Scenario
from model.catalogue import DISTRIBUTIONS, LOAD_PATTERNS, SERVICES
from model.designfile import dump_design, load_design, loads_design, save_design
from model.errors import DesignFileError

ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True)
text = st.text(alphabet=string.ascii_letters + string.digits + " -_.:/#'\"äé€", max_size=20)
numbers = st.one_of(st.integers(-10**9, 10**9),
                    st.floats(allow_nan=False, allow_infinity=False, width=64))
scalars = st.one_of(numbers, text, st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(ids, inner, max_size=3)), max_leaves=6)
distributions = st.one_of(
    st.floats(0, 1e4),
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(0, 1e4)),
    st.builds(lambda a, b: {"dist": "lognormal", "p50": a, "p99": a + b}, st.floats(0.1, 100), st.floats(0.1, 1e3)),
)


@st.composite
def architectures(draw):
    arch = Architecture(draw(text), draw(st.sampled_from(["us-east-1", "eu-west-1"])))
    if draw(st.booleans()):
        arch.account = {"concurrency_limit": draw(st.integers(1, 10**5))}
    node_ids = draw(st.lists(ids, unique=True, max_size=6))
    for node_id in node_ids:
        service = draw(st.sampled_from(sorted(SERVICES)))
        config = draw(st.dictionaries(ids, values, max_size=3))
        config["latency_ms"] = draw(distributions)
        at = draw(st.one_of(st.none(), st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4))))
        arch.nodes[node_id] = Node(node_id, service, config, draw(st.one_of(st.none(), text)), at,
                                   draw(st.dictionaries(ids.filter(lambda k: k not in designfile.NODE_KEYS),
                                                        values, max_size=2)))
    for _ in range(draw(st.integers(0, 6))) if node_ids else ():
        edge_config = draw(st.dictionaries(ids.filter(lambda k: k not in ("from", "to", "kind")), values, max_size=3))
        arch.edges.append(Edge(draw(st.sampled_from(node_ids)), draw(st.sampled_from(node_ids)),
                               edge_config, draw(st.one_of(st.none(), st.sampled_from(["send", "invoke"])))))
    for name in draw(st.lists(text, unique=True, max_size=3)):
        loads = [Load(draw(ids), draw(st.sampled_from(sorted(LOAD_PATTERNS))),
                      draw(st.dictionaries(ids.filter(lambda k: k not in ("entry", "pattern")), numbers, max_size=2)))
                 for _ in range(draw(st.integers(0, 2)))]
        arch.scenarios.append(Scenario(name, draw(st.floats(1, 1e6)), draw(st.integers(0, 2**31)), loads,
                                       draw(st.dictionaries(ids, st.dictionaries(ids, numbers, max_size=2), max_size=2)),
                                       draw(st.floats(0, 100)),
                                       draw(st.dictionaries(ids.filter(lambda k: k not in designfile.SCENARIO_KEYS),
                                                            values, max_size=2))))
    arch.extra = draw(st.dictionaries(ids.filter(lambda k: k not in designfile.TOP_KEYS), values, max_size=2))
    return arch


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(architectures())
def test_save_then_load_gives_an_equal_design(arch):
    text_once = dump_design(arch)
    again = loads_design(text_once)
    assert again == arch
    assert dump_design(again) == text_once  # stable: same design, same bytes


def test_unknown_keys_are_kept_on_round_trip():
    source = """\
stratus: 1
name: Keep
owner: team-payments
nodes:
  - id: fn
    service: lambda
    colour: red
    config: {memory_mb: 256, future_field: 3}
edges: []
scenarios:
  - name: s
    duration_s: 10
    notes: keep me
    load: []
"""
    arch = loads_design(source)
    out = dump_design(arch)
    for kept in ("owner: team-payments", "colour: red", "future_field: 3", "notes: keep me"):
        assert kept in out


def test_key_order_is_stable_and_documented():
    arch = loads_design("stratus: 1\nname: N\nscenarios: []\nedges: []\nnodes:\n"
                        "  - {config: {timeout_s: 3, memory_mb: 256}, service: lambda, id: fn}\n")
    out = dump_design(arch)
    assert out.index("stratus") < out.index("name") < out.index("nodes") < out.index("edges") < out.index("scenarios")
    assert out.index("memory_mb") < out.index("timeout_s")  # catalogue order
    assert out.index("id: fn") < out.index("service: lambda")


def test_aliases_are_expanded_into_independent_copies():
    arch = loads_design("stratus: 1\nname: A\nnodes:\n"
                        "  - {id: a, service: lambda, config: &common {memory_mb: 256}}\n"
                        "  - {id: b, service: lambda, config: *common}\n")
    arch.set_node_config("a", "memory_mb", 1024)
    assert arch.nodes["b"].config["memory_mb"] == 256


def test_migration_hook_upgrades_old_formats(monkeypatch):
    def zero_to_one(data):
        data["nodes"] = data.pop("services")
        return data
    monkeypatch.setattr(designfile, "MIGRATIONS", {0: zero_to_one})
    monkeypatch.setattr(designfile, "FORMAT_VERSION", 1)
    # version 0 is below the minimum the loader accepts from files, so call the hook directly
    assert designfile._migrate({"stratus": 1, "nodes": []}, "x") == {"stratus": 1, "nodes": []}
    monkeypatch.setattr(designfile, "FORMAT_VERSION", 2)
    monkeypatch.setattr(designfile, "MIGRATIONS", {1: lambda d: {**d, "migrated": True}})
    arch = loads_design("stratus: 1\nname: Old\nnodes: []\n")
    assert arch.extra["migrated"] is True


def test_future_version_is_refused_with_a_clear_message():
    with pytest.raises(DesignFileError, match=r"newer Stratus \(format 7\)"):
        loads_design("stratus: 7\nname: Future\n", "future.yaml")


def test_atomic_save_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "d.yaml"
    arch = loads_design("stratus: 1\nname: First\n")
    save_design(arch, path)
    before = path.read_text()
    arch.name = "Second"

    def broken_fsync(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        save_design(arch, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.yaml"]  # no temp file left behind


def test_save_and_load_file(tmp_path):
    arch = loads_design("stratus: 1\nname: File\nnodes:\n  - {id: q, service: sqs, at: [10, 20]}\n")
    save_design(arch, tmp_path / "x.yaml")
    assert load_design(tmp_path / "x.yaml") == arch


def test_architecture_pickles_without_listeners():
    arch = loads_design("stratus: 1\nname: P\nnodes:\n  - {id: q, service: sqs}\n")
    arch.subscribe(lambda change: None)
    clone = pickle.loads(pickle.dumps(arch))
    assert clone == arch and clone._listeners == []


def test_distribution_names_are_the_catalogues():
    assert set(DISTRIBUTIONS) == {"fixed", "exponential", "normal", "lognormal", "uniform", "empirical"}


def test_new_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        save_design(loads_design("stratus: 1\nname: M\n"), tmp_path / "m.yaml")
    finally:
        os.umask(old)
    assert (tmp_path / "m.yaml").stat().st_mode & 0o777 == 0o644
