"""The dark theme follows the system's colour scheme: the window's palette (the Services
palette and every standard widget), its style sheet, the canvas and the results views."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from designer import style, theme
from designer.app import configure_application
from model.designfile import load_design
from tests.conftest import EXAMPLES_DIR

pytestmark = pytest.mark.gui


@pytest.fixture
def system_scheme(qapp, monkeypatch):
    """Switch the system's colour scheme as a desktop would: Qt's style hints report the
    new scheme and say it changed. (The offscreen platform has no scheme of its own to
    switch, so the report is stood in for; the signal is Qt's own.)"""
    monkeypatch.delenv("STRATUS_THEME", raising=False)
    scheme = [Qt.ColorScheme.Light]
    monkeypatch.setattr(theme, "system_scheme", lambda: scheme[0])
    before = (qapp.font(), qapp.palette(), qapp.styleSheet())
    configure_application(qapp)  # what start-up does: the system's theme, and following it

    def set_scheme(value):
        scheme[0] = value
        QGuiApplication.styleHints().colorSchemeChanged.emit(value)
        QApplication.processEvents()

    yield set_scheme
    theme.apply_theme(qapp, theme.LIGHT)
    qapp.setFont(before[0])  # the other tests' application, as it was
    qapp.setPalette(before[1])
    qapp.setStyleSheet(before[2])


def test_the_window_follows_the_system_into_dark_and_back(qtbot, make_window, system_scheme):
    win = make_window(load_design(EXAMPLES_DIR / "orders_api.yaml"))
    win.resize(1280, 720)
    win.show()
    ui = win.results
    ui.panel.select_scenario("flash-sale")
    with qtbot.waitSignal(ui.panel.run_finished, timeout=30000):
        ui.panel.run(5)
    QApplication.processEvents()
    system_scheme(Qt.ColorScheme.Dark)
    assert theme.current() is theme.DARK
    app = QApplication.instance()
    assert app.palette().color(QPalette.Window).name() == theme.PALETTES["dark"]["Window"].lower()
    # the Services palette is a standard widget: it takes the dark palette
    assert win.palette.tree.palette().color(QPalette.Base).name() == theme.PALETTES["dark"]["Base"].lower()
    assert "background: #1e232b" in app.styleSheet().lower()  # toolbar and menus
    assert style.CANVAS_BACKGROUND.name() == "#14171c" and style.NODE_FILL.name() == "#222831"
    dash = ui.dashboard
    chart = dash.charts[dash.current_chart()]
    assert chart.figure.get_facecolor()[:3] == pytest.approx(tuple(int(theme.DARK.panel[i:i + 2], 16) / 255
                                                                   for i in (1, 3, 5)))
    assert theme.DARK.panel.lower() in dash.table.styleSheet().lower()
    assert "rgba(30, 35, 43, 225)" in ui.overlay.banner.styleSheet()  # the dark panel, a little see-through
    # the canvas is repainted in the dark colours
    image = win.view.viewport().grab().toImage()
    corner = image.pixelColor(3, image.height() - 3)
    assert corner.lightness() < 60
    system_scheme(Qt.ColorScheme.Light)
    assert theme.current() is theme.LIGHT
    assert style.CANVAS_BACKGROUND.name() == "#f7f8fa"
    assert app.palette().color(QPalette.Window).name() == "#f3f4f6"
    assert theme.LIGHT.panel.lower() in dash.table.styleSheet().lower()


def test_stratus_theme_overrides_the_system(monkeypatch, qapp):
    monkeypatch.setenv("STRATUS_THEME", "dark")
    assert theme.system_theme() is theme.DARK
    monkeypatch.setenv("STRATUS_THEME", "light")
    assert theme.system_theme() is theme.LIGHT


def test_the_light_theme_is_the_designers_old_look(qapp):
    sheet = theme.style_sheet(theme.LIGHT)
    for line in ("QToolBar { background: #FFFFFF; border: none; border-bottom: 1px solid #E1E5EA;",
                 "QDockWidget::title { background: #EEF0F3; padding: 6px 8px; border-bottom: 1px solid #E1E5EA; }",
                 "QTabBar::tab:selected { color: #1F2733; border-bottom: 2px solid #2F80ED; font-weight: 600; }"):
        assert line in sheet
    assert theme.qpalette(theme.LIGHT).color(QPalette.Window).name() == "#f3f4f6"


def toned_labels(form) -> list[QLabel]:
    return [label for label in form.findChildren(QLabel) if label.property("tone") and label.isVisible()]


def assert_light_on_dark(form) -> None:
    panel = QApplication.palette().color(QPalette.Base)
    for label in toned_labels(form):
        if label.property("tone") != "error":
            ink = label.palette().color(label.foregroundRole())
            assert ink.lightness() - panel.lightness() > 80, (label.text(), ink.name())


def test_inspector_text_and_toolbar_icons_read_in_the_dark(qtbot, make_window, system_scheme):
    # The Inspector's title, field labels and section headings, and the toolbar's icons,
    # once drawn in fixed light-theme colours, follow the theme: in the dark they are light.
    win = make_window(load_design(EXAMPLES_DIR / "orders_api.yaml"))
    win.resize(1280, 720)
    win.show()
    win.select(("node", "create_order"))
    QApplication.processEvents()
    built_in_light = win.inspector.form
    assert {"title", "label", "secondary", "muted"} <= {label.property("tone") for label in toned_labels(built_in_light)}
    system_scheme(Qt.ColorScheme.Dark)
    assert_light_on_dark(built_in_light)  # a form on show follows the switch
    win.select(("node", "get_order"))
    QApplication.processEvents()
    assert_light_on_dark(win.inspector.form)  # and one built in the dark
    icon = win.act_undo.icon().pixmap(18, 18).toImage()
    inked = [icon.pixelColor(x, y) for x in range(18) for y in range(18) if icon.pixelColor(x, y).alpha() > 200]
    assert inked and min(c.lightness() for c in inked) > 150  # light strokes on the dark toolbar
    system_scheme(Qt.ColorScheme.Light)
    title = next(label for label in toned_labels(win.inspector.form) if label.property("tone") == "title")
    assert title.palette().color(title.foregroundRole()).name() == "#1f2733"  # the light look, as before


def test_the_in_place_editor_takes_the_dark_colours(qtbot, make_window, system_scheme):
    from PySide6.QtTest import QTest

    win = make_window(load_design(EXAMPLES_DIR / "orders_api.yaml"))
    win.show()
    system_scheme(Qt.ColorScheme.Dark)
    win.scene.select_subject(("node", "orders"))
    win.view.setFocus()
    QTest.keyClick(win.view.viewport(), Qt.Key.Key_F2)
    editor = win.view.editor()
    pixels = editor.grab().toImage()
    inside = pixels.pixelColor(pixels.width() - 6, pixels.height() // 2)  # past the text, inside the border
    assert inside.name() == theme.DARK.panel.lower()
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    system_scheme(Qt.ColorScheme.Light)
