"""Annotations (DESIGN.md section 3): notes and groups are read, kept on round trip with
keys Stratus does not know, and follow node renames; bad ones are named, not fatal."""

from model.architecture import Group, Note
from model.designfile import dump_design, loads_design

DESIGN = """\
stratus: 1
name: Annotated
region: us-east-1
nodes:
  - id: api
    service: api_gateway
    config: {}
  - id: fn
    service: lambda
    config: {}
edges:
  - {from: api, to: fn}
scenarios: []
annotations:
  notes:
    - id: note_1
      text: |-
        Public entry point.
        Throttled at 500 req/s.
      at: [40, 300]
      size: [240, 100]
      pinned: true
    - id: note_2
      text: one line
      at: [300, 300]
      size: [200, 80]
  groups:
    - {id: group_1, label: Orders service, nodes: [api, fn], colour: '#2F80ED', owner: team-a}
  layers:
    - draft
"""


def test_notes_and_groups_round_trip_exactly_with_unknown_keys():
    arch = loads_design(DESIGN)
    assert arch.file_problems == []
    assert [n.id for n in arch.notes] == ["note_1", "note_2"]
    assert arch.notes[0].text == "Public entry point.\nThrottled at 500 req/s."
    assert arch.notes[0].at == (40.0, 300.0) and arch.notes[0].size == (240.0, 100.0)
    assert arch.notes[0].extra == {"pinned": True}
    group = arch.groups[0]
    assert (group.label, group.nodes, group.colour, group.extra) == (
        "Orders service", ["api", "fn"], "#2F80ED", {"owner": "team-a"})
    assert arch.annotations_extra == {"layers": ["draft"]}
    assert dump_design(arch) == DESIGN


def test_a_design_without_annotations_writes_none():
    arch = loads_design(DESIGN.split("annotations:")[0])
    assert arch.notes == [] and arch.groups == []
    assert "annotations" not in dump_design(arch)


def test_new_annotations_are_written_in_the_documented_shape():
    arch = loads_design(DESIGN.split("annotations:")[0])
    arch.add_note(Note(arch.unique_annotation_id("note"), "Hello", (20.0, 40.0), (200.0, 80.0)))
    arch.add_group(Group(arch.unique_annotation_id("group"), "Account A", ["api"], "#12B76A"))
    text = dump_design(arch)
    assert "annotations:\n  notes:\n    - id: note_1\n      text: Hello\n      at: [20, 40]\n" in text
    assert "  groups:\n    - {id: group_1, label: Account A, nodes: [api], colour: '#12B76A'}\n" in text
    assert loads_design(text) == arch


def test_renaming_a_node_renames_it_in_its_groups():
    arch = loads_design(DESIGN)
    arch.rename_node("fn", "create_order")
    assert arch.groups[0].nodes == ["api", "create_order"]
    arch.groups[0].nodes.append("gone")
    assert "group 'Orders service'" in arch.node_id_problem("gone", "api")


def test_bad_annotations_are_warnings_and_the_rest_is_kept():
    bad = DESIGN.split("annotations:")[0] + """annotations:
  notes:
    - just text
    - {id: n, text: a, at: [1], size: [100, 50]}
    - {id: n, text: b}
  groups: {id: g}
"""
    arch = loads_design(bad)
    messages = [f"{p.subject}: {p.message}" for p in arch.file_problems]
    assert all(p.severity == "warning" for p in arch.file_problems)
    assert any("notes[0]: must be a mapping" in m for m in messages)
    assert any("notes[1]: 'at' must be [x, y]" in m for m in messages)
    assert any("id 'n' is used twice" in m for m in messages)
    assert any("'groups' must be a list" in m for m in messages)
    assert [n.text for n in arch.notes] == ["a", "b"] and len({n.id for n in arch.notes}) == 2
    kept = loads_design(DESIGN.split("annotations:")[0] + "annotations: [oops]\n")
    assert kept.file_problems[0].message.endswith("kept as it is")
    assert loads_design(dump_design(kept)).extra["annotations"] == ["oops"]
