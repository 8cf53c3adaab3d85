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
