"""What real templates do that broke a round trip (issue 15), each on a small fixture
written for it: the import goes on, the design validates, and nothing is lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from importers import import_template
from importers.terraform.modules import heredocs_normalised
from model.validation import errors, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "templates"


def _edges(arch) -> Counter:
    return Counter((e.source, e.target, arch.edge_kind(e)) for e in arch.edges)


def _problems(arch) -> list[str]:
    return [p.format() for p in errors(validate(arch))]


# -- cause 9: heredocs python-hcl2 cannot read as written ----------------------------------


def test_heredoc_end_marker_with_trailing_blanks_and_indented_heredoc_are_read():
    arch = import_template(FIXTURES / "tf_heredoc_trailing_space").architecture
    # the role policy (an indented heredoc closed by "POLICY  \t") is read: its grant is the edge
    assert _edges(arch) == Counter({("worker", "jobs", "send")})
    assert not _problems(arch)


def test_heredocs_are_normalised_as_terraform_reads_them():
    text = 'a = <<-EOT\n    {"x": 1}\n      y\n    EOT  \nb = <<EOF\nkeep  \nEOF\t\nc = "<<not a heredoc"\n'
    assert heredocs_normalised(text) == 'a = <<EOT\n{"x": 1}\n  y\nEOT\nb = <<EOF\nkeep  \nEOF\nc = "<<not a heredoc"\n'
    assert heredocs_normalised("a = <<EOT\nnever closed\n") == "a = <<EOT\nnever closed\n"


# -- cause 4: values unknown offline, references that go round ---------------------------


def test_select_and_find_in_map_over_unknown_values_are_kept_as_references():
    result = import_template(FIXTURES / "real" / "unknown_values.yaml")
    arch = result.architecture
    assert set(arch.nodes) == {"Reminders", "Scheduler"}
    assert _edges(arch)[("Reminders", "Scheduler", "event_source")] == 1
    # the stream label (index 3 of the stream ARN) still names the table it came from
    assert arch.find_edge("Scheduler", "Reminders", "data_access") is not None
    said = [n.message for n in result.report if n.logical_id == "Scheduler" and "offline" in n.message]
    assert any(m.startswith("Fn::Select 3 of") and "a reference to Reminders.StreamArn" in m for m in said)
    assert any(m.startswith("Fn::FindInMap Sizes/Environment/Memory") and "an unknown value" in m for m in said)
    assert "memory_mb" not in arch.nodes["Scheduler"].config  # unknown: the catalogue default stands
    assert not _problems(arch)


def test_split_never_cuts_a_reference_and_select_in_range_still_computes():
    from importers.cloudformation.intrinsics import Resolver

    template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Parameters": {"Ids": {"Type": "CommaDelimitedList"}}}
    resolver = Resolver(template, "t")
    assert resolver.resolve({"Fn::Split": [":", {"Fn::Sub": "arn:${Q.Arn}:x"}]}) == ["arn", "⟦Q.Arn⟧", "x"]
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": [":", {"Fn::Sub": "arn:${Q.Arn}:x"}]}]}) == "⟦Q.Arn⟧"
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "Ids"}]}) == "⟦unknown:Fn::Select⟧"  # no default: one item
    assert len(resolver.unknowns) == 1


def test_self_reference_and_a_cycle_sam_splits_are_noted_and_the_import_goes_on():
    result = import_template(FIXTURES / "real" / "self_reference.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("Api", "Handler", "invoke")})
    assert [e["logical_id"] for e in arch.extra["extras"]] == ["Graph"]
    warnings = [n.message for n in result.report if n.severity == "warning"]
    assert "Api refers to itself in its properties; the reference is kept as written" in warnings
    assert any("circular reference between resources: Handler -> Graph -> Handler" in m for m in warnings)
    assert not _problems(arch)


# -- cause 7: loops real templates deploy ---------------------------------------------------


def test_loops_are_closed_with_a_stated_share_and_the_design_validates():
    from importers.loops import LOOP_SHARE

    result = import_template(FIXTURES / "real" / "loops.yaml")
    arch = result.architecture
    closing = {(e.source, e.target): e.config.get("calls") for e in arch.edges if "calls" in e.config}
    # the call back to the trigger, the redrive into the source queue, the self-invocation
    assert closing == {("Worker", "Work"): LOOP_SHARE, ("Redriver", "Work"): LOOP_SHARE,
                       ("Poller", "Poller"): LOOP_SHARE}
    said = [n for n in result.report if "closes the loop" in n.message]
    assert {n.logical_id for n in said} == {"Worker", "Redriver", "Poller"}
    assert all(n.severity == "warning" and f"calls {LOOP_SHARE}" in n.message for n in said)
    problems = validate(arch)
    assert not errors(problems)
    assert any("repeats with some probability" in p.message for p in problems)


def test_an_imported_loop_is_simulated_with_geometric_amplification():
    from model.architecture import Load, Scenario
    from simulation.engine import simulate

    arch = import_template(FIXTURES / "real" / "loops.yaml").architecture
    arch.add_scenario(Scenario("loop", duration_s=200, seed=3, load=[Load("Poller", "constant", {"rate_rps": 10})]))
    invocations = simulate(arch, "loop").nodes["Poller"].requests
    assert 2000 / (1 - 0.1) * 0.95 < invocations < 2000 / (1 - 0.1) * 1.05  # 1 + p + p^2 + ... per request
