"""File > Import Template…: a real corpus template becomes a laid-out design with a report."""

from tests.conftest import CORPUS_DIR, requires_corpus

PATTERNS = CORPUS_DIR / "serverless-patterns"
pytestmark = requires_corpus("serverless-patterns")


def test_import_sam_template_shows_nodes_and_report(qtbot, window):
    dialog = window.results.import_template(str(PATTERNS / "sqs-lambda-python-sam" / "template.yaml"))
    assert dialog is not None and dialog.isVisible()
    arch = window.arch
    assert {n: arch.nodes[n].service for n in arch.nodes} == {
        "ProcessingQueue": "sqs", "ProcessingDLQ": "sqs", "ProcessorFunction": "lambda"}
    for node_id in arch.nodes:  # the canvas shows each node, laid out without overlaps
        item = window.scene.node_item(node_id)
        assert item is not None and item.pos().x() == arch.nodes[node_id].at[0]
    positions = {arch.nodes[n].at for n in arch.nodes}
    assert len(positions) == 3
    assert arch.nodes["ProcessingQueue"].at[0] < arch.nodes["ProcessorFunction"].at[0]  # left to right
    assert len(window.scene.edge_items()) == len(arch.edges) == 3
    lines = dialog.lines()
    assert any(line.startswith("Nodes created (3)") for line in lines)
    assert any("ProcessorFunction" in line for line in lines)
    assert window.documents.modified and window.documents.path is None
    dialog.close()


def test_import_terraform_folder(qtbot, window):
    dialog = window.results.import_template(str(PATTERNS / "sqs-lambda-terraform-python"))
    assert dialog is not None
    assert {"sqs_lambda_demo_queue", "sqs_lambda_demo_function"} <= set(window.arch.nodes)
    dialog.close()


def test_import_of_a_non_template_reports_an_error(qtbot, window, prompter, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n")
    before = dict(window.arch.nodes)
    assert window.results.import_template(str(bad)) is None
    assert prompter.errors and "not a CloudFormation" in prompter.errors[-1][1]
    assert set(window.arch.nodes) == set(before)
